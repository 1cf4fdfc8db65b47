from __future__ import annotations

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("@<str:username>/follow/", views.follow, name="follow"),
    path("stories/<int:story_id>/subscription/", views.subscription, name="subscription"),
    path("stories/<int:story_id>/subscribe/", views.subscribe, name="subscribe"),
    path("write/stories/<int:story_id>/announce/", views.announce, name="announce"),
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.mark_read, name="read_all"),
    path("notifications/<int:pk>/read/", views.mark_read, name="read"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("settings/notifications/", views.email_settings, name="settings"),
]
