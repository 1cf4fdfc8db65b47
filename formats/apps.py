from __future__ import annotations

from django.apps import AppConfig


class FormatsConfig(AppConfig):
    """Downloads: a story as EPUB, PDF, HTML, plain text and Markdown."""

    name = "formats"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import formats.actions  # noqa: F401 - registers the on_story_change hook (files in step)
        from formats.counters import find_download_drift
        from social.counters import audits_counters

        audits_counters(find_download_drift)  # `recount_counters` audits downloads too
