from __future__ import annotations

from django.urls import path

from formats import views

app_name = "formats"

urlpatterns = [
    path("stories/<int:pk>/download/<str:fmt>/", views.download, name="download"),
    path(
        "stories/<int:pk>/download/<str:fmt>/status/",
        views.download_status,
        name="download_status",
    ),
]
