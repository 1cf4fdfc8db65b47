from __future__ import annotations

from django.db import models

# The text a story is found by: its published parts only, cut to this many characters (about
# 35,000 words). Snippets and ranking work on it; a longer story is still found by its title,
# summary, tags and first parts.
MAX_INDEXED_BODY = 200_000


class SearchDocument(models.Model):
    """What full-text search sees of one public story, written by search.indexing.

    The database's own index sits beside it (search/backends.py): on SQLite an FTS5 table that
    reads its text from these rows, on PostgreSQL a weighted `tsvector` column with a GIN
    index, built in the story's language (`config`)."""

    story = models.OneToOneField(
        "stories.Story", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    config = models.CharField(max_length=20, default="simple")
    title = models.TextField()
    summary = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    body = models.TextField(blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"search document of story {self.story_id}"
