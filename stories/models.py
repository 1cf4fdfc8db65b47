from __future__ import annotations

import enum
import functools
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import Viewer


class Rating(models.TextChoices):
    GENERAL = "general", _("General Audiences")
    TEEN = "teen", _("Teen And Up Audiences")
    MATURE = "mature", _("Mature")
    EXPLICIT = "explicit", _("Explicit")
    NOT_RATED = "not_rated", _("Not Rated")


class ArchiveWarning(models.TextChoices):
    NO_WARNINGS = "none", _("No Archive Warnings Apply")
    CHOSE_NOT_TO_WARN = "chose_not", _("Creator Chose Not To Use Archive Warnings")
    VIOLENCE = "violence", _("Graphic Depictions Of Violence")
    DEATH = "death", _("Major Character Death")
    NONCON = "noncon", _("Rape/Non-Con")
    UNDERAGE = "underage", _("Underage Sex")


def warning_flags(codes: list[str]) -> int:
    """Archive warnings as bits (one per ArchiveWarning, in declaration order): listings
    filter on them with one integer test on any database, where the JSON list cannot."""
    values = list(ArchiveWarning.values)
    return sum(1 << values.index(code) for code in set(codes) if code in values)


class StoryStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETE = "complete", _("Complete")
    HIATUS = "hiatus", _("On hiatus")


class CommentPolicy(models.TextChoices):
    """Who may comment on a story's parts, the writer's choice."""

    OPEN = "open", _("Everyone, guests too")
    SIGNED_IN = "signed_in", _("Signed-in readers")
    CLOSED = "closed", _("Closed: no new comments")


class PartStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


LANGUAGE_CHOICES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("de", _("German")),
    ("pt", _("Portuguese")),
    ("it", _("Italian")),
    ("id", _("Indonesian")),
    ("tl", _("Tagalog")),
    ("ja", _("Japanese")),
    ("zh", _("Chinese")),
]


class Audience(enum.StrEnum):
    """Who is reading, as far as shared pages are concerned: what a page shows depends on
    whether the reader is signed in, and (through `visible_to`) on whether they wrote it."""

    ANONYMOUS = "anonymous"
    MEMBER = "member"


# Querysets that went through the visibility filter carry this hint, so a test can prove that
# every story, part and comment query a page runs did (tests/test_visibility.py).
VISIBILITY_HINT = "talehouse_visibility"
_QS = TypeVar("_QS", bound=models.QuerySet[Any])


def mark_checked(queryset: _QS, reason: str = "visible_to") -> _QS:
    # A new dict, never an update: clones share their parent's hints.
    hinted: Any = queryset
    hinted._hints = {**hinted._hints, VISIBILITY_HINT: reason}
    return queryset


class StoryQuerySet(models.QuerySet["Story"]):
    def public(self) -> StoryQuerySet:
        """Stories anyone may find: at least one published part."""
        return self.filter(published_parts_count__gt=0)

    def visible_to_audience(self, audience: Audience) -> StoryQuerySet:
        """What every reader of `audience` may see: published stories; sign-in-only ones only
        for members. Per-reader rules (the author's drafts; later blocks) are in visible_to."""
        stories = self.public()
        if audience == Audience.ANONYMOUS:
            stories = stories.filter(restricted=False)
        return mark_checked(stories)

    def visible_to(self, user: Viewer) -> StoryQuerySet:
        """The one place that decides who may see a story (drafts, sign-in-only works)."""
        if not user.is_authenticated:
            return self.visible_to_audience(Audience.ANONYMOUS)
        return mark_checked(self.visible_to_audience(Audience.MEMBER) | self.filter(author=user))

    def listed_for(self, user: Viewer) -> StoryQuerySet:
        """What public listings (works, tags, search, discover) may show this reader: the
        published stories of their audience. The same as `visible_to(user).public()` (an
        author's drafts are never listed) without its "or the reader's own" branch, which
        keeps the database from reading a listing's sort from an index. Per-reader rules that
        hide stories from listings (later: blocks) belong here as well as in visible_to."""
        audience = Audience.MEMBER if user.is_authenticated else Audience.ANONYMOUS
        return self.visible_to_audience(audience)

    def unchecked(self, reason: str) -> StoryQuerySet:
        """Skip the visibility filter, saying why (a cache key, the author's own desk)."""
        return mark_checked(self, reason)


class Story(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stories"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=2500, blank=True)
    rating = models.CharField(
        _("rating"), max_length=20, choices=Rating.choices, default=Rating.NOT_RATED
    )
    warnings = models.JSONField(_("archive warnings"), default=list, blank=True)
    # The same warnings as bits (warning_flags), kept with them by the story actions.
    warning_bits = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(
        _("language"), max_length=10, choices=LANGUAGE_CHOICES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StoryStatus.choices, default=StoryStatus.IN_PROGRESS
    )
    restricted = models.BooleanField(
        _("only signed-in readers"),
        default=False,
        help_text=_("Hide this story from readers who are not signed in."),
    )
    comments = models.CharField(
        _("comments"),
        max_length=20,
        choices=CommentPolicy.choices,
        default=CommentPolicy.SIGNED_IN,
    )
    cover = models.ImageField(_("cover image"), upload_to="covers/", blank=True)
    cover_thumb = models.ImageField(upload_to="covers/thumbs/", blank=True)
    tags: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "tags.Tag", through="StoryTag", related_name="stories"
    )
    # Idempotency token from the create form: a form posted twice creates one story.
    client_token = models.CharField(max_length=64, blank=True, default="")

    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Honest "updated": moves only when a part is published for the first time.
    updated_at = models.DateTimeField(null=True, blank=True, db_index=True)

    # Denormalised, kept exact by actions (see social.actions and `recount_counters`).
    published_parts_count = models.PositiveIntegerField(default=0)
    # Incremented with every change to what the story's pages show (see stories/pagecache.py).
    page_version = models.PositiveBigIntegerField(default=0)
    # Moves with page_version except when only live numbers (reads, votes) moved: keys the
    # page frames (stories/pagecache.py), which are filled with the numbers on each request.
    content_version = models.PositiveBigIntegerField(default=0)
    word_count = models.PositiveIntegerField(default=0)
    reads_count = models.PositiveBigIntegerField(default=0)
    votes_count = models.PositiveIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0)

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"
        indexes = [
            models.Index(fields=["published_parts_count", "-updated_at"]),
            # The works listing's sorts (discover.filters.SORTS): the first page of a sort is
            # read from an index, not sorted from the whole archive. The listing's own filter
            # (listed_for: published, and for visitors not restricted) rides along in the index:
            # a tag page's related-tags sample walked the newest works reading each one's row
            # for it (PostgreSQL, a million works: 118 ms -> 56 ms, docs/benchmarks.md).
            *(
                models.Index(
                    fields=[f"-{column}", "-id", "published_parts_count", "restricted"],
                    name=f"story_by_{column}",
                )
                for column in [
                    "reads_count",
                    "votes_count",
                    "comments_count",
                    "word_count",
                    "published_at",
                    "updated_at",
                ]  # fmt: skip
            ),
            # A tag's works looked up one by one (tag pages, a tag filter's count and tag
            # sample): whether each is listed and its sort keys, from the index alone. A fandom
            # of 15,000 works: its newest 1,000 in 55 ms, not 332 ms walking the whole archive's
            # newest works one by one (PostgreSQL, a million works, docs/benchmarks.md).
            models.Index(
                fields=["id", "published_parts_count", "restricted", "updated_at", "reads_count"],
                name="story_listed_by_id",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_token"],
                condition=~Q(client_token=""),
                name="story_unique_client_token",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("stories:detail", args=[self.pk, self.slug])

    @property
    def slug(self) -> str:
        return slugify(self.title)[:60] or "story"

    @property
    def is_public(self) -> bool:
        return self.published_parts_count > 0

    def warning_labels(self) -> list[str]:
        labels = dict(ArchiveWarning.choices)
        return [str(labels[w]) for w in self.warnings if w in labels]


@functools.lru_cache(maxsize=20_000)
def part_slug(title: str) -> str:
    return slugify(title)[:60] or "part"


class PartQuerySet(models.QuerySet["Part"]):
    def published(self) -> PartQuerySet:
        return self.filter(status=PartStatus.PUBLISHED)

    def visible_to_audience(self, audience: Audience) -> PartQuerySet:
        # The story's conditions as a join (Story.visible_to_audience's, spelled from the
        # part's side), not `story__in=<visible stories>`: SQLite builds that list from every
        # visible story before it looks at one part (2.5 s for a table of contents at a
        # million works, bench/archive.py).
        parts = self.filter(status=PartStatus.PUBLISHED, story__published_parts_count__gt=0)
        if audience == Audience.ANONYMOUS:
            parts = parts.filter(story__restricted=False)
        return mark_checked(parts)

    def visible_to(self, user: Viewer) -> PartQuerySet:
        """A part is visible when it is published in a visible story, or to its author."""
        if not user.is_authenticated:
            return self.visible_to_audience(Audience.ANONYMOUS)
        own = self.filter(story__author=user)
        return mark_checked(self.visible_to_audience(Audience.MEMBER) | own)

    def unchecked(self, reason: str) -> PartQuerySet:
        return mark_checked(self, reason)


class Part(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200)
    body_html = models.TextField(_("text"), blank=True)
    notes_before = models.TextField(_("notes before the part"), max_length=5000, blank=True)
    notes_after = models.TextField(_("notes after the part"), max_length=5000, blank=True)
    # The part's own warnings (ArchiveWarning values) and spoiler tags, shown to readers only
    # when they ask: a twist of one part need not be on the story's tags.
    part_warnings = models.JSONField(default=list, blank=True)
    spoiler_tags = models.JSONField(default=list, blank=True)
    word_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=PartStatus.choices, default=PartStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # A draft the writer scheduled: the task queue publishes it at this time (stories/tasks.py).
    publish_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Idempotency token from the new-part page, shared by its autosave and its submit: however
    # they interleave, one page makes one part.
    client_token = models.CharField(max_length=64, blank=True, default="")

    reads_count = models.PositiveBigIntegerField(default=0)
    votes_count = models.PositiveIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0)
    # Live comments per paragraph id (inline comments), moved with comments_count in the same
    # transaction and audited by recount_counters; the prose margin shows them.
    paragraph_comments = models.JSONField(default=dict, blank=True)

    objects = PartQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["story", "status", "position"])]
        constraints = [
            models.UniqueConstraint(
                fields=["story", "client_token"],
                condition=~Q(client_token=""),
                name="part_unique_client_token",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("stories:part", args=[self.pk, self.slug])

    def warning_labels(self) -> list[str]:
        labels = dict(ArchiveWarning.choices)
        return [str(labels[w]) for w in self.part_warnings if w in labels]

    @property
    def slug(self) -> str:
        return part_slug(self.title)

    @property
    def is_published(self) -> bool:
        return self.status == PartStatus.PUBLISHED

    def publish(self, at: datetime | None = None) -> bool:
        """Mark published; returns True if this is the part's first publication."""
        first_time = self.published_at is None
        self.status = PartStatus.PUBLISHED
        if first_time:
            self.published_at = at or timezone.now()
        return first_time

    def unpublish(self) -> None:
        self.status = PartStatus.DRAFT


class ListingVersion(models.Model):
    """One row: incremented whenever any story joins, leaves or changes in public listings.

    Cached pages also show other stories ("discover more"); keying them by this version as
    well as their own story's means a story hidden by its writer vanishes from every cached
    page at once.
    """

    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"listing version {self.value}"


class StoryTag(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="story_tags")
    tag = models.ForeignKey("tags.Tag", on_delete=models.CASCADE, related_name="story_tags")
    position = models.PositiveSmallIntegerField(default=0)
    # A relationship in the background of the story, not its main pairing: shown after the
    # main ones, folded, and left out by a "main pairing only" filter.
    background = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "tag"], name="storytag_unique"),
        ]
        indexes = [models.Index(fields=["tag", "story"])]
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.story_id}:{self.tag_id}"
