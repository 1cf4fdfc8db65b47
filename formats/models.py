"""A story as a file to take away (EPUB, PDF, HTML, text, Markdown), and its downloads.

One `StoryFile` row per (story, format): the file last built, the story version it shows, the
build asked of the worker and how far it has got, and the download counter. The bytes live in
the downloads storage (formats/storage.py), never under MEDIA_ROOT: media is served as is, and
a download must pass `visible_to` every time.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Format(models.TextChoices):
    EPUB = "epub", "EPUB"
    PDF = "pdf", "PDF"
    HTML = "html", "HTML"
    TXT = "txt", _("Plain text")
    MD = "md", "Markdown"


CONTENT_TYPES = {
    Format.EPUB: "application/epub+zip",
    Format.PDF: "application/pdf",
    Format.HTML: "text/html; charset=utf-8",
    Format.TXT: "text/plain; charset=utf-8",
    Format.MD: "text/markdown; charset=utf-8",
}


class StoryFile(models.Model):
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=8, choices=Format.choices)

    # The story's `content_version` read *before* the parts the file was made from: a change
    # that commits during a build leaves the file labelled older than the story, so it is
    # rebuilt, never served as fresh. Null: nothing built (or the file was dropped).
    version = models.PositiveBigIntegerField(null=True, blank=True)
    # sha256 of everything the file shows (formats.source.StorySource.digest): a change that
    # moves content_version without touching the file (a comment, a rank) costs a re-label.
    digest = models.CharField(max_length=64, blank=True, default="")
    path = models.CharField(max_length=255, blank=True, default="")  # in the downloads storage
    size = models.PositiveBigIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    build_seconds = models.FloatField(null=True, blank=True)

    # A background build asked for this content version at this time (queued or running);
    # readers asking again meanwhile wait for it rather than queue another.
    wanted_version = models.PositiveBigIntegerField(null=True, blank=True)
    wanted_at = models.DateTimeField(null=True, blank=True)
    # How far that build has got, in steps (parts), for the progress page.
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)

    # Kept exact: moved with each Download row, in its transaction; audited by
    # `recount_counters` (formats/counters.py).
    downloads_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "format"], name="storyfile_one_per_format")
        ]

    def __str__(self) -> str:
        return f"{self.story_id}.{self.format} v{self.version}"

    def is_fresh_for(self, content_version: int) -> bool:
        """Shows the story as of `content_version`, read at the start of this request. (A
        newer label comes from a build that read the story later still: fresher.)"""
        return bool(self.path) and self.version is not None and self.version >= content_version


class Download(models.Model):
    """One file handed to one reader: the source row of `StoryFile.downloads_count`. Who
    downloaded is not kept: the count is all the writer sees."""

    file = models.ForeignKey(StoryFile, on_delete=models.CASCADE, related_name="downloads")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"download of {self.file_id}"
