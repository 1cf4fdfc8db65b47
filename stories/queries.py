"""Read-side queries for story and part pages; each page's query count stays fixed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch
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


def more_like_this(
    story: Story,
    user: Viewer,
    count: int = DISCOVER_COUNT,
    leave_out: Sequence[Any] = (),
    fill: bool = True,
) -> list[Story]:
    """The stories most like this one (computed by discover.similar in the background), best
    first, each with its `similar_reason`; when fewer are known and `fill` is on, the newest
    fill the rest. One query, two when the list falls short. `leave_out`: subqueries of story
    ids not to show."""
    visible = Story.objects.listed_for(user).exclude(pk=story.pk)
    for ids in leave_out:
        visible = visible.exclude(pk__in=ids)
    # Narrowed to the story's own short list first (`pk__in`, its ids): with the join
    # alone, SQLite walked every listed story to find the few on it (3 s for a story page at
    # a million works, bench/archive.py).
    listed_here = Story.objects.unchecked("ids on this story's list, filtered by `visible`")
    on_list = listed_here.filter(similar_lines__story_id=story.pk).values("pk")
    similar = list(
        story_cards(visible.filter(pk__in=on_list, similar_lines__story_id=story.pk))
        .annotate(similar_reason=F("similar_lines__reason"))
        .order_by("similar_lines__rank")[:count]
    )
    if fill and len(similar) < count:
        shown = [other.pk for other in similar]
        # The newest chosen in a subquery without the writers' join, which walks the sort
        # index; joined, SQLite sorted every listed story (2 s at a million works).
        newest = visible.exclude(pk__in=shown).order_by("-updated_at", "-pk")
        chosen = newest.values("pk")[: count - len(similar)]
        similar += list(story_cards(visible.filter(pk__in=chosen)).order_by("-updated_at", "-pk"))
    return similar
