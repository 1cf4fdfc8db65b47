from __future__ import annotations

from django.urls import path

from social import views

app_name = "social"

urlpatterns = [
    path("parts/<int:part_id>/vote/", views.vote, name="vote"),
    path("parts/<int:part_id>/comments/", views.comment_add, name="comment_add"),
    path(
        "parts/<int:part_id>/paragraphs/<str:pid>/comments/",
        views.paragraph_comments,
        name="paragraph_comments",
    ),
    path("parts/<int:part_id>/read/", views.read_beacon, name="read_beacon"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:comment_id>/freeze/", views.comment_freeze, name="comment_freeze"),
    path("stories/<int:story_id>/comment-policy/", views.comment_policy, name="comment_policy"),
]
