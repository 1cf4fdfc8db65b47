from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    READING = "reading", _("Reading the file")
    READY = "ready", _("Ready to check")
    FAILED = "failed", _("Could not be imported")
    SAVING = "saving", _("Saving")
    SAVED = "saved", _("Saved")


class ImportPreview(models.Model):
    """A file read into a story that is not saved yet: its writer checks it, then confirms
    (imports.actions.do_confirm_import) or cancels. Short-lived: pruned after
    TALEHOUSE_IMPORT_PREVIEW_HOURS; once saved it keeps only the story it made."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_previews"
    )
    # The story the parts go into: chosen by the writer, or the new one once saved.
    story = models.ForeignKey(
        "stories.Story", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.READING
    )
    # The uploaded file, kept only until the worker has read it (never in media storage,
    # which is served to anyone with the URL).
    upload = models.BinaryField(default=b"", editable=False)
    error = models.TextField(blank=True)  # why it could not be imported, for the writer
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # What the preview page shows (metadata, parts' titles, word counts and first lines), so
    # the page never loads the text itself; and the whole ImportedStory, read on confirm.
    outline = models.JSONField(default=dict, blank=True)
    content = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"
