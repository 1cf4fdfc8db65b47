"""Writes on stories and parts. Views call these; nothing else changes a story."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from stories.models import Part, PartStatus, Story, StoryTag
from stories.pagecache import bump_listing_version, bump_story_version
from tags.models import TagKind, get_or_create_tags
from talehouse.lib.sanitize import count_words, sanitize_html

# Pillow raises DecompressionBombError above twice this; we refuse anything above it.
Image.MAX_IMAGE_PIXELS = 40_000_000
COVER_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
COVER_THUMB_SIZE = (256, 384)


# --- access: the only way a view obtains a story or part it will change -------------------


def access_story_for_edit(user: Any, story_id: int) -> Story:
    """The story if `user` may edit it; 404 if they cannot see it, 403 if they can but not edit."""
    try:
        story = Story.objects.visible_to(user).get(pk=story_id)
    except Story.DoesNotExist:
        raise Http404(_("No such story.")) from None
    if story.author_id != user.pk:
        raise PermissionDenied(_("Only the author can change this story."))
    return story


def access_part_for_edit(user: Any, part_id: int) -> Part:
    try:
        part = Part.objects.visible_to(user).select_related("story").get(pk=part_id)
    except Part.DoesNotExist:
        raise Http404(_("No such part.")) from None
    if part.story.author_id != user.pk:
        raise PermissionDenied(_("Only the author can change this part."))
    return part


# --- validation --------------------------------------------------------------------------


def check_part_html(raw_html: str) -> str:
    """Sanitise a part body; refuse bodies over the size limit (before and after cleaning)."""
    limit = settings.TALEHOUSE_MAX_PART_HTML_BYTES
    if len((raw_html or "").encode()) > limit:
        raise ValidationError(
            _("This part is too long: at most %(mb)s MB of text. Split it into two parts."),
            params={"mb": limit // (1024 * 1024)},
            code="too_long",
        )
    return sanitize_html(raw_html)


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


def _set_tags(story: Story, tags_by_kind: dict[str, list[str]]) -> None:
    StoryTag.objects.filter(story=story).delete()
    position = 0
    rows = []
    for kind in TagKind.values:
        for tag in get_or_create_tags(kind, tags_by_kind.get(kind, [])):
            rows.append(StoryTag(story=story, tag=tag, position=position))
            position += 1
    StoryTag.objects.bulk_create(rows)


def _apply_story_data(story: Story, data: StoryData) -> None:
    story.title = data.title
    story.summary = data.summary
    story.rating = data.rating
    story.warnings = list(data.warnings)
    story.language = data.language
    story.status = data.status
    story.restricted = data.restricted


@transaction.atomic
def do_create_story(
    author: Any, data: StoryData, cover: Cover | None = None, client_token: str = ""
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
    _set_tags(story, data.tags)
    return story


# Saved by name, never whole: a whole save would write back counters (and page_version) read
# before a concurrent vote or read batch, losing it.
STORY_EDITABLE_FIELDS = [
    "title",
    "summary",
    "rating",
    "warnings",
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
    _set_tags(story, data.tags)
    bump_story_version(story.pk)
    bump_listing_version()
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
    bump_listing_version()
    story.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


# --- parts -------------------------------------------------------------------------------


def _refresh_story_totals(story: Story) -> None:
    """Recompute the story's published-part totals from its parts (cheap: one aggregate)."""
    published = Part.objects.filter(story=story, status=PartStatus.PUBLISHED)
    totals = published.aggregate(words=Sum("word_count"))
    story.published_parts_count = published.count()
    story.word_count = totals["words"] or 0
    story.save(update_fields=["published_parts_count", "word_count", "edited_at"])
    bump_story_version(story.pk)
    bump_listing_version()


def find_part_by_token(story: Story, client_token: str) -> Part | None:
    if not client_token:
        return None
    return Part.objects.filter(story=story, client_token=client_token).first()


@transaction.atomic
def do_create_part(
    story: Story,
    title: str,
    body_html: str = "",
    notes_before: str = "",
    notes_after: str = "",
    client_token: str = "",
) -> Part:
    """Add a draft part at the end. With a token already used, update that part instead."""
    existing = find_part_by_token(story, client_token)
    if existing is not None:
        return do_save_part(existing, title, body_html, notes_before, notes_after)
    # Lock the story row so two new parts never take the same position.
    Story.objects.select_for_update().filter(pk=story.pk).first()
    next_position = (Part.objects.filter(story=story).aggregate(m=Max("position"))["m"] or 0) + 1
    body = check_part_html(body_html)
    return Part.objects.create(
        story=story,
        position=next_position,
        title=title,
        body_html=body,
        notes_before=notes_before,
        notes_after=notes_after,
        word_count=count_words(body),
        client_token=client_token,
    )


@transaction.atomic
def do_save_part(
    part: Part, title: str, body_html: str, notes_before: str = "", notes_after: str = ""
) -> Part:
    body = check_part_html(body_html)
    part.title = title
    part.body_html = body
    part.notes_before = notes_before
    part.notes_after = notes_after
    part.word_count = count_words(body)
    part.save(update_fields=[*PART_EDITABLE_FIELDS, "edited_at"])
    if part.is_published:
        _refresh_story_totals(part.story)  # moves the page versions too
    else:
        bump_story_version(part.story_id)  # the author's own view of the draft
    return part


@transaction.atomic
def do_autosave_part(part: Part, title: str, body_html: str) -> Part:
    """Autosave keeps a draft's text safe; a published part changes only on an explicit save."""
    if part.is_published:
        raise ValidationError(
            _("Published parts are saved with the Save button."), code="published"
        )
    body = check_part_html(body_html)
    part.title = title or part.title
    part.body_html = body
    part.word_count = count_words(body)
    part.save(update_fields=["title", "body_html", "word_count", "edited_at"])
    return part


@transaction.atomic
def do_publish_part(part: Part, at: Any = None) -> Part:
    if part.is_published:
        return part
    if not part.body_html.strip():
        raise ValidationError(_("A part needs some text before it can be published."), code="empty")
    now = at or timezone.now()
    first_time = part.publish(at=now)
    part.save(update_fields=["status", "published_at", "edited_at"])
    story = Story.objects.select_for_update().get(pk=part.story_id)
    if story.published_at is None:
        story.published_at = now
    if first_time:
        story.updated_at = now
    story.save(update_fields=["published_at", "updated_at"])
    _refresh_story_totals(story)
    part.story = story
    return part


@transaction.atomic
def do_unpublish_part(part: Part) -> Part:
    if not part.is_published:
        return part
    part.unpublish()
    part.save(update_fields=["status", "edited_at"])
    _refresh_story_totals(Story.objects.select_for_update().get(pk=part.story_id))
    return part


@transaction.atomic
def do_delete_part(part: Part) -> None:
    """Delete a part with its votes, comments and reads; the story's counters follow."""
    story = Story.objects.select_for_update().get(pk=part.story_id)
    Part.objects.filter(pk=part.pk).delete()
    # Recomputed from the remaining parts under the story's lock, not by subtracting the
    # part's counts as loaded earlier: a vote or read batch in between would be lost.
    remaining = Part.objects.filter(story=story).aggregate(
        reads=Sum("reads_count"), votes=Sum("votes_count"), comments=Sum("comments_count")
    )
    Story.objects.filter(pk=story.pk).update(
        reads_count=remaining["reads"] or 0,
        votes_count=remaining["votes"] or 0,
        comments_count=remaining["comments"] or 0,
    )
    _refresh_story_totals(story)


@transaction.atomic
def do_reorder_parts(story: Story, part_ids: list[int]) -> None:
    """Set the order of a story's parts; `part_ids` must be exactly the story's parts."""
    existing = set(Part.objects.filter(story=story).values_list("pk", flat=True))
    if set(part_ids) != existing or len(part_ids) != len(existing):
        raise ValidationError(_("The new order must list every part once."), code="mismatch")
    for position, part_id in enumerate(part_ids, start=1):
        Part.objects.filter(pk=part_id, story=story).update(position=position)
    bump_story_version(story.pk)


@transaction.atomic
def do_move_part(part: Part, offset: int) -> None:
    """Move a part one place up (-1) or down (+1) among its story's parts."""
    ids = list(Part.objects.filter(story_id=part.story_id).values_list("pk", flat=True))
    index = ids.index(part.pk)
    target = index + offset
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
        do_reorder_parts(part.story, ids)
