from __future__ import annotations

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Full-text search"

    def ready(self) -> None:
        import search.indexing  # noqa: F401 - keeps the index in step with story changes
