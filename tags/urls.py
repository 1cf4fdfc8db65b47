from __future__ import annotations

from django.urls import path

from tags import garden_views, views

app_name = "tags"

urlpatterns = [
    path("tags/suggest/", views.suggest, name="suggest"),
    path("tags/garden/", garden_views.garden, name="garden"),
    path("tags/garden/<int:tag_id>/", garden_views.garden_tag, name="garden_tag"),
    path("tags/<str:kind>/<str:slug>/", views.tag_detail, name="detail"),
]
