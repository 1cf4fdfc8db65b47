"""Downloads: who may have a story's file, making the file (in the request or the worker),
keeping it in step with the story, and counting downloads.

A file is made once per story version and served to every reader. `StoryFile.version` is the
story's `content_version` read before the parts: equal to the story's, the file is served
without reading anything else. When it differs, the story's source is read and fingerprinted
(`StorySource.digest`): most changes that move content_version (a comment, a rank, an
announcement) leave the file as it was, and it is re-labelled instead of made again.
Otherwise a small story's file is made in the request; a large one's by the worker, while the
reader watches its progress (views.download_status).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Viewer
from formats.epub import build_epub
from formats.html import Progress, html_bytes
from formats.models import Download, Format, StoryFile
from formats.pdf import build_pdf
from formats.source import StorySource, read_source
from formats.storage import delete_files, delete_story_folder, downloads_storage, save_file
from formats.text import md_bytes, txt_bytes
from stories.changes import StoryChange, on_story_change
from stories.models import Story

logger = logging.getLogger("talehouse.formats")

Builder = Callable[[StorySource, Progress | None], bytes]
BUILDERS: dict[str, Builder] = {
    Format.EPUB: build_epub,
    Format.PDF: build_pdf,
    Format.HTML: html_bytes,
    Format.TXT: txt_bytes,
    Format.MD: md_bytes,
}
# Words a file may hold and still be made in the reader's request: about a second of work at
# most on our machines (docs/benchmarks.md), and the reader gets the file at once rather than
# a progress page. Larger stories are built by the worker.
INLINE_WORDS = {
    Format.EPUB: 150_000,
    Format.HTML: 150_000,
    Format.TXT: 150_000,
    Format.MD: 150_000,
    Format.PDF: 8_000,  # ~30 pages: WeasyPrint lays out about a part of 3,000 words a second
}
# A background build asked for longer ago than this is taken for lost (a worker that died, a
# task that failed for good): the next reader asks again.
BUILD_TIMEOUT = timedelta(minutes=10)
PROGRESS_EVERY_SECONDS = 0.5


# --- access and validation ----------------------------------------------------------------


def check_format(name: str) -> Format:
    if name not in Format.values:
        raise Http404(_("No such format."))
    return Format(name)


def access_story_for_download(user: Viewer, story_id: int) -> Story:
    """The story if `user` may read it and it has a published part (only those go into a
    file, so a story of drafts has none, even for its author); 404 otherwise."""
    try:
        return (
            Story.objects.visible_to(user)
            .public()
            .select_related("author__profile")
            .get(pk=story_id)
        )
    except Story.DoesNotExist:
        raise Http404(_("No such story.")) from None


# --- serving ------------------------------------------------------------------------------


@dataclass
class Prepared:
    file: StoryFile
    handle: IO[bytes] | None  # the open file, or None while the worker makes it

    @property
    def ready(self) -> bool:
        return self.handle is not None


def do_prepare_download(story: Story, file_format: Format) -> Prepared:
    """The story's file in `file_format`, open for reading, made now if it is small; else the
    file's row, with a background build asked for (see `Prepared.ready`)."""
    found = StoryFile.objects.filter(story=story, format=file_format).first()
    row = found if found and found.is_fresh_for(story.content_version) else None
    row = row or _refresh_for_reader(story, file_format, found)
    for _attempt in range(2):
        if not row.is_fresh_for(story.content_version):
            break
        try:
            return Prepared(row, downloads_storage().open(row.path, "rb"))
        except FileNotFoundError:
            # A newer build replaced the file between reading the row and opening it: the
            # row now names the new one.
            row = StoryFile.objects.get(pk=row.pk)
    return Prepared(row, None)


def do_watch_build(story: Story, file_format: Format) -> StoryFile:
    """The file's row for the progress page; asks for the build if none is under way (never
    asked, or lost with a worker). Makes nothing in the request: the page polls this."""
    row = StoryFile.objects.filter(story=story, format=file_format).first()
    if row is None:
        row = _file_row(story.pk, file_format)
    if not row.is_fresh_for(story.content_version):
        _request_build(row, story.content_version)
    return row


def do_count_download(file: StoryFile) -> None:
    """Count one download: the row and the counter move in one transaction (drift is
    audited by `recount_counters`). F() keeps concurrent downloads from losing counts."""
    with transaction.atomic():
        Download.objects.create(file=file)
        StoryFile.objects.filter(pk=file.pk).update(downloads_count=F("downloads_count") + 1)


def _refresh_for_reader(story: Story, file_format: Format, row: StoryFile | None) -> StoryFile:
    version = story.content_version  # read with the story, before its parts
    source = read_source(story)
    row = row or _file_row(story.pk, file_format)
    if _relabel(row, version, source.digest()):
        return StoryFile.objects.get(pk=row.pk)
    if source.words <= INLINE_WORDS[file_format]:
        # Two readers of a new small story may both build it; the row keeps one file.
        return _build(row, version, source)
    _request_build(row, version)
    return row


# --- building -----------------------------------------------------------------------------


def _file_row(story_id: int, file_format: str) -> StoryFile:
    """The file's row, made if the caller found none (one INSERT; a concurrent reader's row
    wins the unique constraint and is read instead)."""
    try:
        with transaction.atomic():
            return StoryFile.objects.create(story_id=story_id, format=file_format)
    except IntegrityError:
        return StoryFile.objects.get(story_id=story_id, format=file_format)


def _relabel(row: StoryFile, version: int, digest: str) -> bool:
    """Mark the existing file as showing `version` if it was made from the same source."""
    if not row.path or row.digest != digest:
        return False
    newer = Q(version__isnull=True) | Q(version__lt=version)
    StoryFile.objects.filter(newer, pk=row.pk, digest=digest, path=row.path).update(version=version)
    return True


def _build(
    row: StoryFile, version: int, source: StorySource, progress: Progress | None = None
) -> StoryFile:
    """Make the file, store it and point the row at it, unless a build of this version or a
    newer one got there first (then ours is thrown away)."""
    started = time.monotonic()
    data = BUILDERS[row.format](source, progress)
    name = save_file(row.story_id, row.format, version, data)
    seconds = time.monotonic() - started
    with transaction.atomic():
        # Only this row is locked, and nothing holds it while locking a story: no cycle with
        # the story-then-parts order of the writing actions.
        current = StoryFile.objects.select_for_update().get(pk=row.pk)
        if current.path and current.version is not None and current.version >= version:
            transaction.on_commit(lambda: delete_files([name]))
            return current
        old = current.path
        built = {
            "version": version,
            "digest": source.digest(),
            "path": name,
            "size": len(data),
            "built_at": timezone.now(),
            "build_seconds": seconds,
        }
        # By name: the download counter moves on this row meanwhile.
        StoryFile.objects.filter(pk=row.pk).update(**built)
        transaction.on_commit(lambda: delete_files([old]))
    logger.info(
        "built %s of story %s v%s: %d bytes in %.2f s",
        row.format, row.story_id, version, len(data), seconds,
    )  # fmt: skip
    for field, value in built.items():
        setattr(current, field, value)
    return current


def _request_build(row: StoryFile, version: int) -> None:
    """Ask the worker for this version's file, unless a build of it was asked for lately."""
    from formats.tasks import build_file_task

    now = timezone.now()
    asked = StoryFile.objects.filter(pk=row.pk).exclude(
        wanted_version=version, wanted_at__gt=now - BUILD_TIMEOUT
    )
    # One UPDATE decides: of two readers asking at once, one enqueues.
    if asked.update(wanted_version=version, wanted_at=now, progress_done=0, progress_total=0):
        transaction.on_commit(lambda: build_file_task.enqueue(row.story_id, row.format))


def _progress_of(row_id: int) -> Progress:
    """Writes a build's progress to its row, at most every PROGRESS_EVERY_SECONDS."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < PROGRESS_EVERY_SECONDS:
            return
        last[0] = now
        StoryFile.objects.filter(pk=row_id).update(progress_done=done, progress_total=total)

    return report


def _story_for_worker(story_id: int) -> Story | None:
    return (
        Story.objects.unchecked("the worker builds one file for every reader; served by access")
        .select_related("author__profile")
        .filter(pk=story_id)
        .first()
    )


def do_build_file(story_id: int, file_format: str) -> StoryFile | None:
    """The worker's build of one file (formats.tasks.build_file_task): safe to run twice, a
    fresh file is left as it is."""
    story = _story_for_worker(story_id)
    if story is None or not story.is_public:
        do_drop_files(story_id)
        return None
    version = story.content_version
    row = StoryFile.objects.filter(story_id=story_id, format=file_format).first()
    row = row or _file_row(story_id, file_format)
    if row.is_fresh_for(version):
        return row
    source = read_source(story)
    if _relabel(row, version, source.digest()):
        return StoryFile.objects.get(pk=row.pk)
    return _build(row, version, source, _progress_of(row.pk))


def do_refresh_story_files(story_id: int) -> None:
    """After a change to what files show: make again the formats readers have downloaded
    (they will be asked for again), drop the others' files (made again when asked)."""
    story = _story_for_worker(story_id)
    if story is None or not story.is_public:
        do_drop_files(story_id)
        return
    version = story.content_version
    rows = [
        row for row in StoryFile.objects.filter(story_id=story_id) if not row.is_fresh_for(version)
    ]
    if not rows:
        return
    source = read_source(story)
    digest = source.digest()
    for row in rows:
        if _relabel(row, version, digest):
            continue
        if row.downloads_count:
            # Readers arriving meanwhile see this build's progress instead of asking again.
            StoryFile.objects.filter(pk=row.pk).update(
                wanted_version=version, wanted_at=timezone.now(), progress_done=0
            )
            _build(row, version, source, _progress_of(row.pk))
        else:
            _drop(row)


def do_drop_files(story_id: int) -> None:
    """Forget the story's files (it has no published part left): nothing stale is served,
    and nothing is kept of words the writer took back."""
    for row in StoryFile.objects.filter(story_id=story_id):
        _drop(row)


def _drop(row: StoryFile) -> None:
    """Forget the row's file, unless a build replaced it meanwhile (the row keeps its counts:
    a file made again later is the same download)."""
    with transaction.atomic():
        dropped = StoryFile.objects.filter(pk=row.pk, path=row.path).update(
            path="", version=None, digest="", size=0
        )
        if dropped:
            transaction.on_commit(lambda: delete_files([row.path]))


# --- after a change -----------------------------------------------------------------------


@on_story_change
def _refresh_files_after_change(story_id: int, why: StoryChange) -> None:
    """Registered in FormatsConfig.ready(): runs after every committed story change."""
    if why == StoryChange.DELETED:
        delete_story_folder(story_id)  # the rows went with the story
        return
    # What a file shows: the story's text and details, and its writer's name on the title
    # page; a comment or a rank leaves it as it is.
    shown_in_files = why.moves_text or why == StoryChange.AUTHOR
    if shown_in_files and StoryFile.objects.filter(story_id=story_id).exists():
        from formats.tasks import refresh_story_files_task

        refresh_story_files_task.enqueue(story_id)
