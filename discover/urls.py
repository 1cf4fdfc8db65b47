from __future__ import annotations

from django.urls import path

from discover import views

app_name = "discover"

urlpatterns = [
    path("discover/", views.discover, name="discover"),
    path("works/", views.works, name="works"),
    path("works/filters/", views.filters, name="filters"),
    path("works/<int:pk>/like-this/", views.like_this, name="like_this"),
]
