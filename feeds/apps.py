from __future__ import annotations

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    """Atom feeds for stories, writers and tags, and the OPDS catalog for e-reader apps."""

    name = "feeds"
    default_auto_field = "django.db.models.BigAutoField"
