from __future__ import annotations

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Imports: a writer's .docx, EPUB, Markdown, text or HTML (AO3's too) into drafts."""

    name = "imports"
    default_auto_field = "django.db.models.BigAutoField"
