"""Writes on stories and parts. Views call these; nothing else changes a story."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import BytesIO
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from stories.changes import StoryChange, story_changed
from stories.models import Part, PartStatus, Story, StoryTag, warning_flags
from stories.paragraphs import with_paragraph_ids
from tags.models import TagKind, get_or_create_tags
from talehouse.lib.sanitize import count_words, html_to_text, sanitize_html

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("talehouse.stories")

# Pillow raises DecompressionBombError above twice this; we refuse anything above it.
Image.MAX_IMAGE_PIXELS = 40_000_000
COVER_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
COVER_THUMB_SIZE = (256, 384)


# --- access: the only way a view obtains a story or part it will change -------------------


def access_story_for_edit(user: User, story_id: int) -> Story:
    """The story if `user` may edit it; 404 if they cannot see it, 403 if they can but not edit."""
    try:
        story = Story.objects.visible_to(user).get(pk=story_id)
    except Story.DoesNotExist:
        raise Http404(_("No such story.")) from None
    if story.author_id != user.pk:
        raise PermissionDenied(_("Only the author can change this story."))
    return story


def access_part_for_edit(user: User, part_id: int) -> Part:
    try:
        part = Part.objects.visible_to(user).select_related("story").get(pk=part_id)
    except Part.DoesNotExist:
        raise Http404(_("No such part.")) from None
    if part.story.author_id != user.pk:
        raise PermissionDenied(_("Only the author can change this part."))
    return part


def access_published_part(user: User, part_id: int) -> Part:
    """A published part the reader may see, for what readers do to it (vote, comment); 404."""
    try:
        return Part.objects.visible_to(user).published().select_related("story").get(pk=part_id)
    except Part.DoesNotExist:
        raise Http404(_("No such part.")) from None


# --- validation --------------------------------------------------------------------------


def check_part_html_size(raw_html: str) -> str:
    """Refuse a part body over the size limit (the form says so before anything is saved)."""
    limit = settings.TALEHOUSE_MAX_PART_HTML_BYTES
    if len((raw_html or "").encode()) > limit:
        raise ValidationError(
            _("This part is too long: at most %(mb)s MB of text. Split it into two parts."),
            params={"mb": limit // (1024 * 1024)},
            code="too_long",
        )
    return raw_html or ""


def check_part_html(raw_html: str) -> str:
    """Sanitise a part body, once per save; refuse bodies over the size limit."""
    return sanitize_html(check_part_html_size(raw_html))


@dataclass
class Cover:
    image: ContentFile
    thumb: ContentFile


def check_cover(upload: UploadedFile) -> Cover:
    """Verify that an upload is a real, reasonably sized image and make its thumbnail."""
    if upload.size is not None and upload.size > settings.TALEHOUSE_MAX_COVER_BYTES:
        raise ValidationError(
            _("The cover is too large: at most %(mb)s MB."),
            params={"mb": settings.TALEHOUSE_MAX_COVER_BYTES // (1024 * 1024)},
            code="too_large",
        )
    data = upload.read()
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x MAX_IMAGE_PIXELS; we refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _cover_from_bytes(data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("That image is too large to process."), code="bomb") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("That file is not an image we can read."), code="invalid") from None


def _cover_from_bytes(data: bytes) -> Cover:
    """Decode, check the format and make the thumbnail (Pillow errors propagate)."""
    with Image.open(BytesIO(data)) as probe:
        probe.verify()
    with Image.open(BytesIO(data)) as image:
        if image.format not in COVER_FORMATS:
            raise ValidationError(_("Covers must be JPEG, PNG, WebP or GIF images."), code="format")
        image.load()
        thumb = image.convert("RGB")
        thumb.thumbnail(COVER_THUMB_SIZE)
        out = BytesIO()
        thumb.save(out, "JPEG", quality=85, optimize=True)
        image_format = image.format.lower()
    extension = "jpg" if image_format == "jpeg" else image_format
    return Cover(
        image=ContentFile(data, name=f"cover.{extension}"),
        thumb=ContentFile(out.getvalue(), name="cover-thumb.jpg"),
    )


# --- stories -----------------------------------------------------------------------------


@dataclass
class StoryData:
    title: str
    summary: str = ""
    rating: str = "not_rated"
    warnings: list[str] = field(default_factory=list)
    language: str = "en"
    status: str = "in_progress"
    restricted: bool = False
    tags: dict[str, list[str]] = field(default_factory=dict)  # kind -> names
    # Relationships in the background, not the main pairing (AO3 has no such distinction).
    background_relationships: list[str] = field(default_factory=list)


def _set_tags(
    story: Story, tags_by_kind: dict[str, list[str]], background: list[str] | None = None
) -> None:
    StoryTag.objects.filter(story=story).delete()
    position = 0
    rows = []
    seen: set[int] = set()
    for kind in TagKind.values:
        for tag in get_or_create_tags(kind, tags_by_kind.get(kind, [])):
            rows.append(StoryTag(story=story, tag=tag, position=position))
            seen.add(tag.pk)
            position += 1
    for tag in get_or_create_tags(TagKind.RELATIONSHIP, background or []):
        if tag.pk not in seen:  # named as both: the main pairing wins
            rows.append(StoryTag(story=story, tag=tag, position=position, background=True))
            position += 1
    StoryTag.objects.bulk_create(rows)


def _apply_story_data(story: Story, data: StoryData) -> None:
    story.title = data.title
    story.summary = data.summary
    story.rating = data.rating
    story.warnings = list(data.warnings)
    story.warning_bits = warning_flags(story.warnings)
    story.language = data.language
    story.status = data.status
    story.restricted = data.restricted


@transaction.atomic
def do_create_story(
    author: User, data: StoryData, cover: Cover | None = None, client_token: str = ""
) -> Story:
    """Create a story (a draft until a part is published). A repeated token returns the first."""
    if client_token:
        existing = Story.objects.filter(author=author, client_token=client_token).first()
        if existing is not None:
            return existing
    story = Story(author=author, client_token=client_token)
    _apply_story_data(story, data)
    try:
        with transaction.atomic():
            story.save()
    except IntegrityError:
        # A concurrent duplicate post won the race; hand back the story it created.
        return Story.objects.get(author=author, client_token=client_token)
    if cover is not None:
        _save_cover(story, cover)
    _set_tags(story, data.tags, data.background_relationships)
    story_changed(story.pk, StoryChange.CREATED)
    return story


# Saved by name, never whole: a whole save would write back counters (and page_version) read
# before a concurrent vote or read batch, losing it.
STORY_EDITABLE_FIELDS = [
    "title",
    "summary",
    "rating",
    "warnings",
    "warning_bits",
    "language",
    "status",
    "restricted",
    "edited_at",
]
PART_EDITABLE_FIELDS = ["title", "body_html", "notes_before", "notes_after", "word_count"]


@transaction.atomic
def do_update_story(story: Story, data: StoryData, cover: Cover | None = None) -> Story:
    _apply_story_data(story, data)
    story.save(update_fields=STORY_EDITABLE_FIELDS)
    if cover is not None:
        _save_cover(story, cover)
    _set_tags(story, data.tags, data.background_relationships)
    story_changed(story.pk, StoryChange.DETAILS)
    return story


def _save_cover(story: Story, cover: Cover) -> None:
    old = [f.name for f in (story.cover, story.cover_thumb) if f]
    story.cover.save(f"{story.pk}-{cover.image.name}", cover.image, save=False)
    story.cover_thumb.save(f"{story.pk}-{cover.thumb.name}", cover.thumb, save=False)
    story.save(update_fields=["cover", "cover_thumb"])
    storage = story.cover.storage
    # Remove the replaced files only once the new ones are committed.
    transaction.on_commit(lambda: [storage.delete(name) for name in old])


@transaction.atomic
def do_delete_story(story: Story) -> None:
    names = [f.name for f in (story.cover, story.cover_thumb) if f]
    storage = story.cover.storage
    story_changed(story.pk, StoryChange.DELETED)
    story.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


# --- parts -------------------------------------------------------------------------------


def _refresh_story_totals(story_id: int, why: StoryChange, **also_update: Any) -> None:
    """Recompute the story's published-part totals from its parts (one aggregate), in the
    same UPDATE that records the change (with `also_update`, the caller's columns)."""
    totals = Part.objects.filter(story_id=story_id, status=PartStatus.PUBLISHED).aggregate(
        parts=Count("pk"), words=Sum("word_count")
    )
    also_update |= {
        "published_parts_count": totals["parts"] or 0,
        "word_count": totals["words"] or 0,
        "edited_at": timezone.now(),
    }
    story_changed(story_id, why, also_update=also_update)


def _lock_story(story_id: int) -> Story:
    """Lock the story row for the rest of the transaction (SQLite's IMMEDIATE transactions
    already hold the database's one write lock).

    Lock order, everywhere: the story row first, then its parts. Every write on a part takes
    this lock before touching the part, so two writers never wait on each other in a cycle
    (a publish and a late autosave of the same part deadlocked on PostgreSQL before).
    """
    return Story.objects.select_for_update().get(pk=story_id)


def _lock_part(part: Part) -> Story:
    """Lock the part's story, then re-read the part's state that a concurrent write may have
    changed (its status above all: an autosave after a publish must see the publish)."""
    story = _lock_story(part.story_id)
    # The stored text too: a save keeps the ids of paragraphs it did not change (paragraphs.py).
    part.refresh_from_db(fields=["status", "published_at", "body_html"])
    return story


def _part_by_token(story_id: int, client_token: str) -> Part | None:
    if not client_token:
        return None
    return Part.objects.filter(story_id=story_id, client_token=client_token).first()


@transaction.atomic
def do_create_part(
    story: Story,
    title: str,
    body_html: str = "",
    notes_before: str = "",
    notes_after: str = "",
    client_token: str = "",
    spoilers: PartSpoilers | None = None,
) -> Part:
    """Add a draft part at the end. With a token already used, save that part instead."""
    # The story lock comes before the token lookup: an autosave and a submit of the same new
    # part page, arriving together, are serialised here, so the second finds the first's part
    # instead of inserting a duplicate (an IntegrityError on the token's unique constraint).
    _lock_story(story.pk)
    existing = _part_by_token(story.pk, client_token)
    if existing is not None:
        return do_save_part(existing, title, body_html, notes_before, notes_after, spoilers)
    part = _insert_part(story, title, body_html, notes_before, notes_after, client_token)
    if spoilers is not None:
        _set_spoilers(part, spoilers)
    return part


@transaction.atomic
def do_autosave_new_part(story: Story, title: str, body_html: str, client_token: str) -> Part:
    """The new-part page's autosave: creates the draft on its first call, then keeps its text.

    Under the same lock as `do_create_part`, so a late autosave that finds the part its page
    submitted saves only as an autosave does: it never touches notes or publication.
    """
    _lock_story(story.pk)
    existing = _part_by_token(story.pk, client_token)
    if existing is not None:
        return do_autosave_part(existing, title, body_html)
    return _insert_part(story, title, body_html, "", "", client_token)


def _insert_part(
    story: Story,
    title: str,
    body_html: str,
    notes_before: str,
    notes_after: str,
    client_token: str,
) -> Part:
    """Call with the story locked: two new parts never take the same position."""
    next_position = (Part.objects.filter(story=story).aggregate(m=Max("position"))["m"] or 0) + 1
    body = with_paragraph_ids(check_part_html(body_html), "")
    part = Part.objects.create(
        story=story,
        position=next_position,
        title=title,
        body_html=body,
        notes_before=notes_before,
        notes_after=notes_after,
        word_count=count_words(body),
        client_token=client_token,
    )
    story_changed(story.pk, StoryChange.DRAFT)
    return part


@transaction.atomic
def do_save_part(
    part: Part,
    title: str,
    body_html: str,
    notes_before: str = "",
    notes_after: str = "",
    spoilers: PartSpoilers | None = None,
) -> Part:
    body = check_part_html(body_html)
    _lock_part(part)
    body = with_paragraph_ids(body, part.body_html)
    part.title = title
    part.body_html = body
    part.notes_before = notes_before
    part.notes_after = notes_after
    part.word_count = count_words(body)
    part.save(update_fields=[*PART_EDITABLE_FIELDS, "edited_at"])
    if spoilers is not None:
        _set_spoilers(part, spoilers)
    if part.is_published:
        _refresh_story_totals(part.story_id, StoryChange.TEXT)
    else:
        story_changed(part.story_id, StoryChange.DRAFT)  # the author's own view of the draft
    return part


@dataclass
class PartSpoilers:
    """A part's own warnings and spoiler tags (None for a save that leaves them as they are)."""

    warnings: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def _set_spoilers(part: Part, spoilers: PartSpoilers) -> None:
    part.part_warnings = list(spoilers.warnings)
    part.spoiler_tags = list(spoilers.tags)
    part.save(update_fields=["part_warnings", "spoiler_tags"])


def is_blank_part(html: str) -> bool:
    """No words and no scene break: what a reader would see as an empty part (the editor's
    script asks the same before it autosaves, talehouse/static/talehouse/editor.js)."""
    return not html_to_text(html).strip() and "<hr" not in html


@transaction.atomic
def do_autosave_part(part: Part, title: str, body_html: str) -> Part:
    """Autosave keeps a draft's text safe; a published part changes only on an explicit save.
    It never empties a draft that has text: only the writer's Save (`do_save_part`) may."""
    _lock_part(part)
    if part.is_published:
        raise ValidationError(
            _("Published parts are saved with the Save button."), code="published"
        )
    body = with_paragraph_ids(check_part_html(body_html), part.body_html)
    if is_blank_part(body) and not is_blank_part(part.body_html):
        # Select all + Delete is one keystroke from an autosave that loses the text, and the
        # browser's own check can be skipped (an old tab, a script): refuse it here too.
        raise ValidationError(
            _(
                "Autosave never empties a draft: undo (Ctrl+Z) to get the text back, "
                "or Save draft to keep it empty."
            ),
            code="emptied",
        )
    part.title = title or part.title
    part.body_html = body
    part.word_count = count_words(body)
    part.save(update_fields=["title", "body_html", "word_count", "edited_at"])
    story_changed(part.story_id, StoryChange.DRAFT)
    return part


# How far ahead a part may be scheduled, and how soon: the queue checks every half minute.
SCHEDULE_AT_MOST = timedelta(days=366)
SCHEDULE_AT_LEAST = timedelta(minutes=1)


def check_schedule_time(at: datetime) -> datetime:
    now = timezone.now()
    if at < now + SCHEDULE_AT_LEAST:
        raise ValidationError(_("Choose a time at least a minute from now."), code="past")
    if at > now + SCHEDULE_AT_MOST:
        raise ValidationError(_("Choose a time within a year from now."), code="far")
    return at


@transaction.atomic
def do_schedule_part(part: Part, at: datetime) -> Part:
    """Publish this draft at `at` (the task queue does it: stories/tasks.py). Rescheduling
    replaces the time; the part stays a draft, seen by its writer alone, until then."""
    _lock_part(part)
    if part.is_published:
        raise ValidationError(_("This part is already published."), code="published")
    if not html_to_text(part.body_html).strip():
        raise ValidationError(_("Write the part before scheduling it."), code="empty")
    part.publish_at = check_schedule_time(at)
    part.save(update_fields=["publish_at"])
    story_changed(part.story_id, StoryChange.DRAFT)  # the writer's own pages show the schedule
    return part


@transaction.atomic
def do_unschedule_part(part: Part) -> Part:
    _lock_part(part)
    if part.publish_at is not None:
        part.publish_at = None
        part.save(update_fields=["publish_at"])
        story_changed(part.story_id, StoryChange.DRAFT)
    return part


def do_publish_due_parts(now: datetime | None = None) -> int:
    """Publish every scheduled part whose time has come; returns how many. Each part in its own
    transaction, so one that cannot be published (emptied since) does not hold back the rest;
    running twice publishes nothing twice."""
    now = now or timezone.now()
    due = Part.objects.unchecked("scheduled by their writers").filter(
        publish_at__lte=now, status=PartStatus.DRAFT
    )
    published = 0
    for part in due.order_by("publish_at", "pk").iterator():
        try:
            with transaction.atomic():
                scheduled_for = part.publish_at
                do_publish_part(part, at=scheduled_for)
                published += 1
        except ValidationError as error:
            logger.warning("scheduled part %s not published: %s", part.pk, error.messages)
            Part.objects.filter(pk=part.pk).update(publish_at=None)
    return published


@transaction.atomic
def do_publish_part(part: Part, at: datetime | None = None) -> Part:
    story = _lock_part(part)
    if part.is_published:
        return part
    if not part.body_html.strip():
        raise ValidationError(_("A part needs some text before it can be published."), code="empty")
    now = at or timezone.now()
    first_time = part.publish(at=now)
    part.publish_at = None  # published by hand before its time: the schedule is done with
    part.save(update_fields=["status", "published_at", "publish_at", "edited_at"])
    dates = {"published_at": story.published_at or now}
    if first_time:
        dates["updated_at"] = now
    _refresh_story_totals(story.pk, StoryChange.PUBLISHED, **dates)
    story.refresh_from_db()
    part.story = story
    return part


@transaction.atomic
def do_unpublish_part(part: Part) -> Part:
    _lock_part(part)
    if not part.is_published:
        return part
    part.unpublish()
    part.save(update_fields=["status", "edited_at"])
    _refresh_story_totals(part.story_id, StoryChange.UNPUBLISHED)
    return part


@transaction.atomic
def do_delete_part(part: Part) -> None:
    """Delete a part with its votes, comments and reads; the story's counters follow."""
    story = _lock_story(part.story_id)
    Part.objects.filter(pk=part.pk).delete()
    # Recomputed from the remaining parts under the story's lock, not by subtracting the
    # part's counts as loaded earlier: a vote or read batch in between would be lost.
    remaining = Part.objects.filter(story=story).aggregate(
        reads=Sum("reads_count"), votes=Sum("votes_count"), comments=Sum("comments_count")
    )
    _refresh_story_totals(
        story.pk,
        StoryChange.PART_DELETED,
        reads_count=remaining["reads"] or 0,
        votes_count=remaining["votes"] or 0,
        comments_count=remaining["comments"] or 0,
    )


@transaction.atomic
def do_reorder_parts(story: Story, part_ids: list[int]) -> None:
    """Set the order of a story's parts; `part_ids` must be exactly the story's parts."""
    existing = set(Part.objects.filter(story=story).values_list("pk", flat=True))
    if set(part_ids) != existing or len(part_ids) != len(existing):
        raise ValidationError(_("The new order must list every part once."), code="mismatch")
    for position, part_id in enumerate(part_ids, start=1):
        Part.objects.filter(pk=part_id, story=story).update(position=position)
    story_changed(story.pk, StoryChange.REORDERED)


@transaction.atomic
def do_move_part(part: Part, offset: int) -> None:
    """Move a part one place up (-1) or down (+1) among its story's parts."""
    ids = list(Part.objects.filter(story_id=part.story_id).values_list("pk", flat=True))
    index = ids.index(part.pk)
    target = index + offset
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
        do_reorder_parts(part.story, ids)
