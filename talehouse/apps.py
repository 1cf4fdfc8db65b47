from __future__ import annotations

from django.apps import AppConfig


class TalehouseConfig(AppConfig):
    name = "talehouse"
    verbose_name = "Talehouse"
