from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Follows and notifications"

    def ready(self) -> None:
        import notifications.actions  # noqa: F401 - registers what follows a publish
