"""Imports: a file read into a preview, then - only when its writer confirms - a story of
draft parts, in one transaction.

    upload -> do_start_import -> ImportPreview READING -> READY (or FAILED) -> preview page
           -> do_confirm_import -> (SAVING ->) SAVED: a new story, or parts added to one
           |  do_cancel_import

Small files are read, and small stories saved, in the request; larger ones by the task worker
(imports.tasks) while the preview page shows the progress. A file refused in the request
leaves no row at all.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from imports.models import ImportPreview, ImportStatus
from imports.parse import check_import_file
from imports.parsed import ImportedStory
from imports.sniff import check_upload
from stories.actions import StoryData, access_story_for_edit, do_create_part, do_create_story
from stories.models import Story

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("talehouse.imports")

PROGRESS_EVERY = 0.5  # seconds between progress writes while the worker reads a file


def _could_not_read() -> ValidationError:
    return ValidationError(
        _("Something went wrong reading this file. We have been told; try another format."),
        code="internal",
    )


def check_import_upload(upload: UploadedFile) -> bytes:
    """The uploaded file's bytes, refused by its size before they are read into memory."""
    limit = settings.TALEHOUSE_IMPORT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("This file is too large to import: at most %(mb)s MB."),
            params={"mb": limit // (1024 * 1024)},
            code="too_large",
        )
    return upload.read(limit + 1)


def access_import(user: User, import_id: int) -> ImportPreview:
    """The writer's own import, unexpired; 404 for anyone else's (whose existence is theirs).
    Loads the outline, not the uploaded file or the text."""
    cutoff = timezone.now() - timedelta(hours=settings.TALEHOUSE_IMPORT_PREVIEW_HOURS)
    previews = ImportPreview.objects.defer("upload", "content").select_related("story")
    try:
        return previews.get(pk=import_id, owner=user, created_at__gte=cutoff)
    except ImportPreview.DoesNotExist:
        raise Http404(_("No such import.")) from None


def do_start_import(
    user: User, file_name: str, data: bytes, story: Story | None = None
) -> ImportPreview:
    """Read a file into a preview (parts for `story`, or a new story). Raises ValidationError,
    saving nothing, for a file refused in the request."""
    if len(file_name) > 255:  # shortened before its extension, which says what it claims to be
        stem, dot, extension = file_name.rpartition(".")
        file_name = f"{stem[: 254 - len(extension)]}{dot}{extension}"[-255:]
    upload = check_upload(file_name, data)  # what a glance at the bytes refuses, refused now
    if upload.unpacked > settings.TALEHOUSE_IMPORT_INLINE_BYTES:
        preview = ImportPreview.objects.create(
            owner=user, story=story, file_name=file_name, upload=data
        )
        transaction.on_commit(lambda: _enqueue_reading(preview.pk))
        return preview
    try:
        imported = check_import_file(file_name, data)
    except ValidationError:
        raise
    except Exception:  # a reader's bug must not become a server error for the writer
        logger.exception("import of %r failed unexpectedly", file_name)
        raise _could_not_read() from None
    return ImportPreview.objects.create(
        owner=user,
        story=story,
        file_name=file_name,
        status=ImportStatus.READY,
        outline=imported.outline(),
        content=imported.to_json(),
    )


def _enqueue_reading(import_id: int) -> None:
    from imports.tasks import read_import_task

    read_import_task.enqueue(import_id)


def do_read_import(import_id: int) -> None:
    """The worker's half: read a stored upload into its preview. Safe to run twice (a preview
    already read, cancelled or pruned is left alone)."""
    preview = ImportPreview.objects.filter(pk=import_id, status=ImportStatus.READING).first()
    if preview is None:
        return
    reading = ImportPreview.objects.filter(pk=import_id, status=ImportStatus.READING)
    last_write = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last_write
        if done == total or time.monotonic() - last_write >= PROGRESS_EVERY:
            reading.update(progress_done=done, progress_total=total)
            last_write = time.monotonic()

    try:
        imported = check_import_file(preview.file_name, bytes(preview.upload), progress)
    except ValidationError as error:
        reading.update(status=ImportStatus.FAILED, error=" ".join(error.messages), upload=b"")
    except Exception:  # a reader's bug: the writer hears so instead of waiting for ever
        logger.exception("import %s (%r) failed unexpectedly", import_id, preview.file_name)
        message = " ".join(_could_not_read().messages)
        reading.update(status=ImportStatus.FAILED, error=message, upload=b"")
    else:
        reading.update(
            status=ImportStatus.READY,
            outline=imported.outline(),
            content=imported.to_json(),
            upload=b"",
        )


def story_data(imported: ImportedStory) -> StoryData:
    return StoryData(
        title=imported.title,
        summary=imported.summary,
        rating=imported.rating,
        warnings=list(imported.warnings),
        language=imported.language or "en",
        status=imported.status,
        tags={kind: list(names) for kind, names in imported.tags.items()},
    )


def _gone() -> ValidationError:
    return ValidationError(_("This import was already saved or cancelled."), code="gone")


def do_confirm_import(user: User, preview: ImportPreview) -> Story | None:
    """Save a ready preview as drafts: the story, or None when it has so many parts that the
    worker saves it (imports.tasks) while the preview page follows along."""
    if len(preview.outline.get("parts", [])) <= settings.TALEHOUSE_IMPORT_INLINE_PARTS:
        return _save(user, preview.pk, ImportStatus.READY)
    ready = ImportPreview.objects.filter(pk=preview.pk, owner=user, status=ImportStatus.READY)
    if not ready.update(status=ImportStatus.SAVING, error=""):
        raise _gone()
    transaction.on_commit(lambda: _enqueue_saving(preview.pk))
    return None


def _enqueue_saving(import_id: int) -> None:
    from imports.tasks import save_import_task

    save_import_task.enqueue(import_id)


def do_save_import(import_id: int) -> None:
    """The worker's half of a confirm. Safe to run twice (a saved preview is left alone); a
    failure saves nothing and hands the preview back to its writer with the reason."""
    preview = ImportPreview.objects.filter(pk=import_id, status=ImportStatus.SAVING).first()
    if preview is None:
        return
    try:
        _save(preview.owner, import_id, ImportStatus.SAVING)
    except Exception as error:  # nothing was saved (one transaction): they may try again
        logger.exception("saving import %s failed", import_id)
        message = " ".join(error.messages) if isinstance(error, ValidationError) else ""
        ImportPreview.objects.filter(pk=import_id, status=ImportStatus.SAVING).update(
            status=ImportStatus.READY,
            error=message or _("Saving failed, so nothing was saved. Try again in a while."),
        )


@transaction.atomic
def _save(user: User, import_id: int, expected: ImportStatus) -> Story:
    """A new story (or the chosen one) with the preview's parts as drafts, all in one
    transaction, through the story actions (counters, word counts, story_changed). The
    preview is marked saved in the same transaction: a confirm sent twice saves once."""
    story_id = ImportPreview.objects.filter(pk=import_id).values_list("story_id", flat=True).first()
    story = None
    if story_id is not None:
        # Lock order: the story first (as every story write does), then the preview; a story
        # being deleted meanwhile takes its previews with it in the same order.
        story = access_story_for_edit(user, story_id)
        Story.objects.unchecked("the writer's own story, from access_story_for_edit").filter(
            pk=story.pk
        ).select_for_update().get()
    locked = (
        ImportPreview.objects.select_for_update()
        .filter(pk=import_id, owner=user, status=expected)
        .first()
    )
    if locked is None:
        raise _gone()
    imported = ImportedStory.from_json(locked.content)
    if story is None:
        story = do_create_story(user, story_data(imported))
    for part in imported.parts_with_work_notes():
        do_create_part(story, part.title, part.html, part.notes_before, part.notes_after)
    # The text now lives in the parts; the row keeps the outline and where it went.
    locked.status, locked.story, locked.content, locked.error = ImportStatus.SAVED, story, {}, ""
    locked.save(update_fields=["status", "story", "content", "error"])
    return story


# A preview may be cancelled until it is being saved.
CANCELLABLE = [ImportStatus.READING, ImportStatus.READY, ImportStatus.FAILED]


def do_cancel_import(preview: ImportPreview) -> None:
    # A worker still reading it finds no row to write to (its updates filter on the row).
    if not ImportPreview.objects.filter(pk=preview.pk, status__in=CANCELLABLE).delete()[0]:
        raise _gone()


def do_prune_imports() -> int:
    """Delete previews older than their lifetime; returns how many."""
    cutoff = timezone.now() - timedelta(hours=settings.TALEHOUSE_IMPORT_PREVIEW_HOURS)
    deleted, _by_model = ImportPreview.objects.filter(created_at__lt=cutoff).delete()
    return deleted
