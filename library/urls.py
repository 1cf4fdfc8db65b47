from __future__ import annotations

from django.urls import path

from library import views

app_name = "library"

urlpatterns = [
    path("library/", views.library, name="library"),
    path("library/shelf/<int:story_id>/", views.shelf, name="shelf"),
    path("library/parts/<int:part_id>/position/", views.position, name="position"),
    path("library/history/", views.history, name="history"),
    path("library/history/pause/", views.history_pause, name="history_pause"),
    path("library/history/clear/", views.history_clear, name="history_clear"),
    path("library/history/export.json", views.history_json, name="history_json"),
    path("library/history/export.csv", views.history_csv, name="history_csv"),
    path("library/lists/", views.lists, name="lists"),
    path("library/lists/new/", views.list_create, name="list_create"),
    path("library/lists/<int:list_id>/", views.list_detail, name="list_detail"),
    path("library/lists/<int:list_id>/edit/", views.list_edit, name="list_edit"),
    path("library/lists/<int:list_id>/delete/", views.list_delete, name="list_delete"),
    path("library/lists/add/<int:story_id>/", views.list_add, name="list_add"),
    path(
        "library/lists/<int:list_id>/entries/<int:entry_id>/",
        views.entry_edit,
        name="entry_edit",
    ),
    path(
        "library/lists/<int:list_id>/entries/<int:entry_id>/move/",
        views.entry_move,
        name="entry_move",
    ),
    path(
        "library/lists/<int:list_id>/entries/<int:entry_id>/remove/",
        views.entry_remove,
        name="entry_remove",
    ),
    path("library/bookmarks/", views.bookmarks, name="bookmarks"),
    path("library/bookmarks/<int:story_id>/", views.bookmark, name="bookmark"),
    path("library/bookmarks/<int:story_id>/delete/", views.bookmark_delete, name="bookmark_delete"),
]
