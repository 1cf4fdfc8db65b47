"""Read-side queries for story and part pages; each page's query count stays fixed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Subquery, Value, When

from social.models import Comment
from stories.models import Part, PartStatus, Story, StoryQuerySet, StoryTag, part_slug
from tags.models import Tag, TagKind
from talehouse.lib.urls import UrlTemplate

PART_URL = UrlTemplate("stories:part", 918273645, "sample-slug")
COMMENT_THREADS_PER_PAGE = 20
MAX_COMMENT_PAGE = 100_000
COMMENT_FIELDS = (
    "id",
    "part_id",
    "parent_id",
    "thread_root_id",
    "depth",
    "body_html",
    "is_deleted",
    "created_at",
    "edited_at",
    "user__id",
    "user__username",
    "user__profile__id",
    "user__profile__display_name",
)
DISCOVER_COUNT = 4


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


def table_of_contents(story: Story, user: Any) -> list[TocEntry]:
    """Parts in order; drafts appear only for the author. One query."""
    parts = Part.objects.filter(story=story)
    if not (user.is_authenticated and user.pk == story.author_id):
        parts = parts.published()
    entries: list[TocEntry] = []
    number = 0
    for pk, title, status in parts.values_list("pk", "title", "status"):
        is_published = status == PartStatus.PUBLISHED
        number += 1 if is_published else 0
        url = PART_URL(pk, part_slug(title))  # long stories have hundreds of parts
        entries.append(TocEntry(pk, title, number if is_published else None, status, url))
    return entries


def tags_by_kind(story: Story) -> list[tuple[str, list[Tag]]]:
    """The story's tags grouped by kind, in the kinds' canonical order. One query."""
    grouped: dict[str, list[Tag]] = {kind: [] for kind in TagKind.values}
    for story_tag in StoryTag.objects.filter(story=story).select_related("tag"):
        grouped[story_tag.tag.kind].append(story_tag.tag)
    labels = dict(TagKind.choices)
    return [(str(labels[kind]), tags) for kind, tags in grouped.items() if tags]


def story_cards(stories: StoryQuerySet) -> StoryQuerySet:
    return stories.select_related("author__profile")


def discover_more(story: Story, user: Any) -> list[Story]:
    """Other stories by the same writer first, then the newest; one query."""
    same_author = Case(When(author_id=story.author_id, then=Value(0)), default=Value(1))
    visible = Story.objects.visible_to(user).public().exclude(pk=story.pk)
    return list(
        story_cards(visible)
        .annotate(other_author=same_author)
        .order_by("other_author", "-updated_at", "-pk")[:DISCOVER_COUNT]
    )


@dataclass
class CommentNode:
    comment: Comment
    replies: list[CommentNode]


@dataclass
class CommentPage:
    number: int
    has_previous: bool
    has_next: bool

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def comment_threads(part: Part, page_number: Any) -> tuple[CommentPage, list[CommentNode]]:
    """A page of top-level comments with every reply beneath them, in one query.

    One extra thread is fetched to learn whether a next page exists, so no COUNT is needed.
    """
    try:
        number = max(1, int(page_number or 1))
    except (TypeError, ValueError):
        number = 1
    number = min(number, MAX_COMMENT_PAGE)  # beyond any real thread count; keeps OFFSET sane
    offset = (number - 1) * COMMENT_THREADS_PER_PAGE
    roots = (
        Comment.objects.filter(part=part, depth=0)
        .order_by("created_at", "id")
        .values("pk")[offset : offset + COMMENT_THREADS_PER_PAGE + 1]
    )
    comments = list(
        Comment.objects.filter(thread_root__in=Subquery(roots))
        .select_related("user__profile")
        # Only what the thread shows: users and profiles have many more columns.
        .only(*COMMENT_FIELDS)
        .order_by("depth", "created_at", "id")
    )
    nodes = {c.pk: CommentNode(c, []) for c in comments}
    threads = []
    for c in comments:
        if c.depth == 0:
            threads.append(nodes[c.pk])
        elif c.parent_id in nodes:
            nodes[c.parent_id].replies.append(nodes[c.pk])
    page = CommentPage(
        number=number,
        has_previous=number > 1,
        has_next=len(threads) > COMMENT_THREADS_PER_PAGE,
    )
    return page, threads[:COMMENT_THREADS_PER_PAGE]
