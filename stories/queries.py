"""Read-side queries for story and part pages; each page's query count stays fixed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Prefetch, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.models import Viewer
from stories.models import Part, PartStatus, Story, StoryQuerySet, StoryTag, part_slug
from tags.models import Tag, TagKind
from talehouse.lib.urls import UrlTemplate

PART_URL = UrlTemplate("stories:part", 918273645, "sample-slug")
DISCOVER_COUNT = 4
BACKGROUND_LABEL = _("Background relationships")


@dataclass
class TocEntry:
    pk: int
    title: str
    number: int | None  # None for the author's unpublished drafts
    status: str
    url: str

    @property
    def is_draft(self) -> bool:
        return self.status != PartStatus.PUBLISHED


def table_of_contents(story: Story, user: Viewer) -> list[TocEntry]:
    """Parts in order; drafts appear only for the author (visible_to decides). One query."""
    parts = Part.objects.visible_to(user).filter(story=story).order_by("position", "id")
    entries: list[TocEntry] = []
    number = 0
    for pk, title, status in parts.values_list("pk", "title", "status"):
        is_published = status == PartStatus.PUBLISHED
        number += 1 if is_published else 0
        url = PART_URL(pk, part_slug(title))  # long stories have hundreds of parts
        entries.append(TocEntry(pk, title, number if is_published else None, status, url))
    return entries


def tags_by_kind(story: Story) -> list[tuple[str, list[Tag], bool]]:
    """The story's tags grouped by kind, in the kinds' canonical order. One query."""
    grouped: dict[str, list[Tag]] = {kind: [] for kind in TagKind.values}
    background: list[Tag] = []
    for story_tag in StoryTag.objects.filter(story=story).select_related("tag"):
        (background if story_tag.background else grouped[story_tag.tag.kind]).append(story_tag.tag)
    labels = dict(TagKind.choices)
    groups: list[tuple[str, list[Tag], bool]] = []  # (label, tags, folded)
    for kind, tags in grouped.items():
        if tags:
            groups.append((str(labels[kind]), tags, False))
        if kind == TagKind.RELATIONSHIP and background:  # after the main pairings, folded
            groups.append((str(BACKGROUND_LABEL), background, True))
    return groups


def story_cards(stories: StoryQuerySet) -> StoryQuerySet:
    return stories.select_related("author__profile")


def listing_cards(stories: StoryQuerySet) -> StoryQuerySet:
    """Story cards for a sorted listing of the whole archive: the writers come in one more
    query, so the listing's own query reads one table in its sort's index (joined to the
    writers, SQLite sorted 100,000 works for every page: bench/archive.py)."""
    from accounts.models import User

    writers = User.objects.select_related("profile")
    return stories.prefetch_related(Prefetch("author", queryset=writers))


def discover_more(story: Story, user: Viewer) -> list[Story]:
    """Other stories by the same writer first, then the newest; one query."""
    same_author = Case(When(author_id=story.author_id, then=Value(0)), default=Value(1))
    visible = Story.objects.visible_to(user).public().exclude(pk=story.pk)
    return list(
        story_cards(visible)
        .annotate(other_author=same_author)
        .order_by("other_author", "-updated_at", "-pk")[:DISCOVER_COUNT]
    )
