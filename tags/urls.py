from __future__ import annotations

from django.urls import path

from tags import views

app_name = "tags"

urlpatterns = [
    path("tags/<str:kind>/<str:slug>/", views.tag_detail, name="detail"),
]
