from __future__ import annotations

from django.urls import path

from stories import views, write_views

app_name = "stories"

urlpatterns = [
    path("stories/<int:pk>/", views.story_detail, name="detail"),
    path("stories/<int:pk>-<str:slug>/", views.story_detail, name="detail"),
    path("stories/<int:pk>/full/", views.story_full, name="full"),
    path("parts/<int:pk>/", views.part_detail, name="part"),
    path("parts/<int:pk>-<str:slug>/", views.part_detail, name="part"),
    path("parts/<int:pk>/reader/", views.part_reader, name="part_reader"),
    path("write/", write_views.my_stories, name="my_stories"),
    path("write/new/", write_views.story_create, name="story_create"),
    path("write/stories/<int:story_id>/", write_views.story_manage, name="story_manage"),
    path("write/stories/<int:story_id>/edit/", write_views.story_edit, name="story_edit"),
    path("write/stories/<int:story_id>/delete/", write_views.story_delete, name="story_delete"),
    path("write/stories/<int:story_id>/parts/new/", write_views.part_create, name="part_create"),
    path("write/parts/<int:part_id>/", write_views.part_edit, name="part_edit"),
    path("write/parts/<int:part_id>/autosave/", write_views.part_autosave, name="part_autosave"),
    path("write/parts/<int:part_id>/publish/", write_views.part_publish, name="part_publish"),
    path("write/parts/<int:part_id>/unpublish/", write_views.part_unpublish, name="part_unpublish"),
    path("write/parts/<int:part_id>/schedule/", write_views.part_schedule, name="part_schedule"),
    path(
        "write/parts/<int:part_id>/unschedule/",
        write_views.part_unschedule,
        name="part_unschedule",
    ),
    path("write/parts/<int:part_id>/move/", write_views.part_move, name="part_move"),
    path("write/parts/<int:part_id>/delete/", write_views.part_delete, name="part_delete"),
]
