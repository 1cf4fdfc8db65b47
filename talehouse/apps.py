from __future__ import annotations

from django.apps import AppConfig


class TalehouseConfig(AppConfig):
    name = "talehouse"
    verbose_name = "Talehouse"

    def ready(self) -> None:
        from talehouse import tasks  # noqa: F401 - connects the retry of failed tasks
