from __future__ import annotations

from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("write/import/", views.start, name="start"),
    path("write/stories/<int:story_id>/import/", views.start_parts, name="start_parts"),
    path("write/imports/<int:import_id>/", views.preview, name="preview"),
    path("write/imports/<int:import_id>/status/", views.status, name="status"),
    path("write/imports/<int:import_id>/confirm/", views.confirm, name="confirm"),
    path("write/imports/<int:import_id>/cancel/", views.cancel, name="cancel"),
]
