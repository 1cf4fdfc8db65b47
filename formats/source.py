"""What every file of a story shows, read from the database once: the front matter (title
page) and the published parts, in reading order. Every format is written from this.

`digest()` fingerprints all of it without parsing anything, so a build can tell that the
story moved (`content_version` also moves for comments, ranks and announcements) without
the file changing, and re-label the file it has instead of making it again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field
from io import BytesIO

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from PIL import Image

from formats.prose import Prose, clean_text
from stories import queries
from stories.models import Part, Story, part_slug

# Part of every digest: bump it when a builder's output changes (a template, the CSS, the
# EPUB structure), so files made by the old code are rebuilt rather than served.
BUILD_REVISION = 1
# The cover inside a file: as large as an e-reader's screen, in the format every reader shows.
COVER_SIZE = (1200, 1800)
RIGHT_TO_LEFT = {"ar", "fa", "he", "ur", "yi"}


def story_identifier(story_id: int) -> str:
    """The story's identifier in every EPUB made of it, whatever its version: e-readers see a
    new download as the same book and replace the old copy. Derived from the site and the
    story's id (no column to keep): a copy of the site at another address makes other books."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{settings.SITE_URL}/stories/{story_id}/')}"


@dataclass(frozen=True)
class FrontMatter:
    title: str
    author: str
    author_url: str
    story_url: str
    summary: str
    rating: str
    warnings: list[str]
    tags: list[tuple[str, list[str]]]  # (kind label, tag names)
    language: str  # the code: "en"
    language_name: str
    status: str
    published: str  # "24 Nov 2026", or ""
    published_iso: str
    updated: str
    updated_iso: str
    words: int
    site_name: str

    @property
    def direction(self) -> str:
        return "rtl" if self.language.split("-")[0] in RIGHT_TO_LEFT else "ltr"

    def summary_prose(self) -> Prose:
        return Prose.from_plain_text(self.summary, self.story_url)


@dataclass(frozen=True)
class Chapter:
    number: int
    title: str
    url: str
    body_html: str
    notes_before: str
    notes_after: str
    words: int

    @property
    def anchor(self) -> str:
        return f"part-{self.number}"

    def prose(self) -> Prose:
        return Prose(self.body_html, self.url)

    def notes_before_prose(self) -> Prose | None:
        return Prose.from_plain_text(self.notes_before, self.url) if self.notes_before else None

    def notes_after_prose(self) -> Prose | None:
        return Prose.from_plain_text(self.notes_after, self.url) if self.notes_after else None


@dataclass(frozen=True)
class StorySource:
    story_id: int
    identifier: str
    slug: str
    front: FrontMatter
    chapters: list[Chapter]
    cover: bytes | None = field(default=None, repr=False)  # the file as uploaded

    def digest(self) -> str:
        """sha256 of everything a file of this story shows (not of the file: no parsing)."""
        hashed = hashlib.sha256(f"revision {BUILD_REVISION}\n".encode())
        hashed.update(json.dumps(asdict(self.front), sort_keys=True).encode())
        for chapter in self.chapters:
            hashed.update(json.dumps(asdict(chapter), sort_keys=True).encode())
        hashed.update(hashlib.sha256(self.cover or b"").digest())
        return hashed.hexdigest()

    @functools.cached_property
    def cover_jpeg(self) -> bytes | None:
        """The cover as a JPEG no larger than COVER_SIZE (covers are JPEG, PNG, WebP or GIF;
        older e-readers show only JPEG and PNG). None if it cannot be read: a broken cover
        must not stop a download."""
        if not self.cover:
            return None
        try:
            with Image.open(BytesIO(self.cover)) as image:
                picture = image.convert("RGB")
            picture.thumbnail(COVER_SIZE)
            out = BytesIO()
            picture.save(out, "JPEG", quality=85, optimize=True)
            return out.getvalue()
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            return None

    @property
    def words(self) -> int:
        return sum(chapter.words for chapter in self.chapters)


def read_source(story: Story) -> StorySource:
    """The story's published parts and front matter. Two queries (tags, parts) when the story
    came with `select_related("author__profile")`; reads the cover file if there is one.

    The caller has checked that the reader may see the story (or is the worker, building the
    same file for every reader): what goes in does not depend on who asks.
    """
    site = settings.SITE_URL
    # Plain text from the database is cleaned here, once; prose is cleaned by Prose.
    text = clean_text
    tag_groups = [
        (text(label), [text(tag.name) for tag in tags])
        for label, tags, _folded in queries.tags_by_kind(story)
    ]
    front = FrontMatter(
        title=text(story.title).strip() or _("Untitled"),
        author=text(story.author.display_name),
        author_url=site + story.author.profile_url,
        story_url=site + story.get_absolute_url(),
        summary=text(story.summary),
        rating=str(story.get_rating_display()),
        warnings=story.warning_labels(),
        tags=tag_groups,
        language=story.language,
        language_name=str(story.get_language_display()),
        status=str(story.get_status_display()),
        published=date_format(story.published_at, "j M Y") if story.published_at else "",
        published_iso=story.published_at.date().isoformat() if story.published_at else "",
        updated=date_format(story.updated_at, "j M Y") if story.updated_at else "",
        updated_iso=story.updated_at.date().isoformat() if story.updated_at else "",
        words=story.word_count,
        site_name=settings.SITE_NAME,
    )
    parts = (
        Part.objects.unchecked("a download: the story passed visible_to; published parts only")
        .published()
        .filter(story=story)
        .order_by("position", "id")
        .values_list("pk", "title", "body_html", "notes_before", "notes_after", "word_count")
    )
    chapters = [
        Chapter(
            number=number,
            title=text(title).strip() or f"{number}",
            url=site + queries.PART_URL(pk, part_slug(title)),
            body_html=body,
            notes_before=text(before),
            notes_after=text(after),
            words=words,
        )
        for number, (pk, title, body, before, after, words) in enumerate(parts, start=1)
    ]
    return StorySource(
        story_id=story.pk,
        identifier=story_identifier(story.pk),
        slug=story.slug,
        front=front,
        chapters=chapters,
        cover=_cover_bytes(story),
    )


def _cover_bytes(story: Story) -> bytes | None:
    if not story.cover:
        return None
    try:
        with story.cover.open("rb") as stored:
            return stored.read()
    except OSError:  # a cover file gone missing: the story without it
        return None
