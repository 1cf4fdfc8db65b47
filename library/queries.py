"""Read-side queries for the library pages; each page's query count stays fixed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import User, Viewer
from library.actions import MAX_ROW_ID
from library.models import (
    Bookmark,
    BookmarkTag,
    ListEntry,
    PartRead,
    ReadingList,
    ReadingPosition,
    Shelf,
    ShelfEntry,
    shown_shelf,
)
from stories.models import Part, PartStatus, Story, part_slug
from stories.queries import PART_URL
from talehouse.lib.paging import Page, page_number, page_of

HISTORY_PER_PAGE = 50
LIST_ENTRIES_PER_PAGE = 50
BOOKMARKS_PER_PAGE = 50
BOOKMARK_TAGS_SHOWN = 60  # the tag filter on the bookmarks page: the reader's most used
ON_PROFILE = 10  # public lists, and public bookmarks, on a profile
MAX_HISTORY_PAGE = 100_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def resume_url(part_id: int, part_title: str, paragraph: str) -> str:
    """The part page, scrolled by library.js to the paragraph: a fragment, not a query
    string, so the page stays the shared, cached one."""
    return f"{PART_URL(part_id, part_slug(part_title))}#p-{paragraph}"


# --- the library page ------------------------------------------------------------------------


@dataclass
class LibraryItem:
    entry: ShelfEntry
    unread_parts: int
    shelf: Shelf
    continue_url: str
    has_position: bool

    @property
    def story(self) -> Story:
        return self.entry.story


@dataclass
class ShelfGroup:
    shelf: Shelf
    items: list[LibraryItem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.shelf.label)


def _unread_parts(reader: User) -> Coalesce:
    """Per shelf entry: published parts of its story with no read mark, published after the
    reader said they were caught up (if they did). Counted inside the entry's query, whose
    stories went through visible_to: a visible story's published parts are all visible."""
    read = PartRead.objects.filter(reader=reader, part=OuterRef("pk"))
    after_caught_up = Q(published_at__isnull=True) | Q(
        published_at__gt=Coalesce(OuterRef("caught_up_at"), Value(EPOCH))
    )
    unread = (
        Part.objects.unchecked("counted within a story that went through visible_to")
        .filter(story=OuterRef("story"), status=PartStatus.PUBLISHED)
        .filter(after_caught_up)
        .exclude(Exists(read))
        .order_by()
        .values("story")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))


def library_shelves(reader: User) -> list[ShelfGroup]:
    """Every shelf in order with its stories, last touched first. Two queries."""
    entries = list(
        ShelfEntry.objects.filter(reader=reader, story__in=Story.objects.visible_to(reader))
        .select_related("story__author__profile")
        .annotate(unread_parts=_unread_parts(reader))
        .order_by("-updated_at", "-pk")
    )
    positions = {
        story_id: (part_id, title, paragraph, updated_at)
        for story_id, part_id, title, paragraph, updated_at in ReadingPosition.objects.filter(
            # The stories are visible (above): their published parts are.
            reader=reader,
            story_id__in=[entry.story_id for entry in entries],
            part__status=PartStatus.PUBLISHED,
        ).values_list("story_id", "part_id", "part__title", "paragraph", "updated_at")
    }
    items: list[tuple[datetime, LibraryItem]] = []
    for entry in entries:
        unread: int = entry.unread_parts  # type: ignore[attr-defined]
        position = positions.get(entry.story_id)
        url = resume_url(*position[:3]) if position else entry.story.get_absolute_url()
        item = LibraryItem(entry, unread, shown_shelf(entry.shelf, unread), url, bool(position))
        touched = max(entry.updated_at, position[3]) if position else entry.updated_at
        items.append((touched, item))
    items.sort(key=lambda pair: pair[0], reverse=True)
    groups = {shelf: ShelfGroup(shelf) for shelf in Shelf}
    for _touched, item in items:
        groups[item.shelf].items.append(item)
    return list(groups.values())


def shelf_entry(reader: User, story: Story) -> ShelfEntry | None:
    """The reader's entry for a visible story, with its `unread_parts`. One query."""
    entries = ShelfEntry.objects.filter(reader=reader, story=story)
    return entries.annotate(unread_parts=_unread_parts(reader)).first()


def read_part_ids(reader: User, story_id: int) -> list[int]:
    """The parts of a story the reader has opened (their read marks). One query."""
    return list(
        PartRead.objects.filter(reader=reader, story_id=story_id)
        .order_by("part_id")
        .values_list("part_id", flat=True)
    )


# --- history ---------------------------------------------------------------------------------


def library_page_number(raw: object) -> int:
    return page_number(raw, MAX_HISTORY_PAGE)


def visible_history(reader: User) -> QuerySet[PartRead]:
    """The reader's history of parts they may still see, newest first."""
    return PartRead.objects.filter(
        reader=reader, part__in=Part.objects.visible_to(reader).published()
    ).order_by("-last_read_at", "-pk")


def history_page(reader: User, raw_number: object) -> Page[PartRead]:
    """A page of history in one query: one extra row says whether a next page exists."""
    reads = visible_history(reader).select_related("part", "story").only(
        "id", "last_read_at", "first_read_at", "part__id", "part__title",
        "story__id", "story__title",
    )  # fmt: skip
    return page_of(reads, library_page_number(raw_number), HISTORY_PER_PAGE)


@dataclass(frozen=True)
class HistoryRow:
    story_id: int
    story_title: str
    part_id: int
    part_title: str
    part_url: str
    first_read_at: str
    last_read_at: str

    @classmethod
    def fields(cls) -> list[str]:
        return list(cls.__dataclass_fields__)


def history_rows(reader: User, site_url: str) -> Iterator[HistoryRow]:
    """The whole visible history, streamed from the database in chunks (never all in memory)."""
    rows = visible_history(reader).values_list(
        "story_id", "story__title", "part_id", "part__title", "first_read_at", "last_read_at"
    )
    for story_id, story_title, part_id, part_title, first, last in rows.iterator(chunk_size=1000):
        url = site_url + PART_URL(part_id, part_slug(part_title))
        yield HistoryRow(
            story_id, story_title, part_id, part_title, url, first.isoformat(), last.isoformat()
        )


# --- reading lists ---------------------------------------------------------------------------


def _stories_count(viewer: Viewer) -> Count:
    """Per list: its stories the viewer may see (a public list never counts the others)."""
    visible = Story.objects.visible_to(viewer)
    return Count("entries", filter=Q(entries__story__in=visible))


def my_lists(reader: User) -> list[ReadingList]:
    """The reader's lists, last changed first, each with `stories_count`. One query."""
    return list(
        ReadingList.objects.filter(owner=reader)
        .annotate(stories_count=_stories_count(reader))
        .order_by("-updated_at", "-pk")
    )


def list_choices(reader: User, story: Story) -> list[ReadingList]:
    """The reader's lists by title, each with `has_story`: to add `story` to one. One query."""
    holds = ListEntry.objects.filter(reading_list=OuterRef("pk"), story=story)
    return list(
        ReadingList.objects.filter(owner=reader)
        .annotate(has_story=Exists(holds))
        .order_by("title", "pk")
        .only("pk", "title")
    )


def visible_list(viewer: Viewer, list_id: int) -> ReadingList:
    """A list the viewer may read (public, or their own) with its owner and `stories_count`;
    404 otherwise, as if another's private list did not exist. One query."""
    if list_id > MAX_ROW_ID:
        raise Http404
    lists = ReadingList.objects.visible_to(viewer).select_related("owner__profile")
    found = lists.annotate(stories_count=_stories_count(viewer)).filter(pk=list_id).first()
    if found is None:
        raise Http404
    return found


def list_entries_page(viewer: Viewer, reading_list: ReadingList, page: object) -> Page[ListEntry]:
    """A page of the list's entries, in the owner's order, leaving out the stories the viewer
    may not see. One query."""
    entries = (
        ListEntry.objects.filter(
            reading_list=reading_list, story__in=Story.objects.visible_to(viewer)
        )
        .select_related("story__author__profile")
        .order_by("position", "pk")
    )
    return page_of(entries, library_page_number(page), LIST_ENTRIES_PER_PAGE)


def public_lists(owner: User, viewer: Viewer) -> list[ReadingList]:
    """The owner's public lists for their profile, the latest few. One query."""
    lists = ReadingList.objects.filter(owner=owner, is_public=True)
    return list(
        lists.annotate(stories_count=_stories_count(viewer)).order_by("-updated_at", "-pk")[
            :ON_PROFILE
        ]
    )


# --- bookmarks -------------------------------------------------------------------------------


def bookmark_of(reader: User, story: Story) -> Bookmark | None:
    """The reader's bookmark of a story, if any. One query."""
    return Bookmark.objects.filter(reader=reader, story=story).first()


def tags_of(bookmark: Bookmark) -> list[str]:
    return list(bookmark.tags.order_by("pk").values_list("name", flat=True))


def my_bookmarks_page(reader: User, tag: str, page: object) -> Page[Bookmark]:
    """A page of the reader's bookmarks of stories they may see, newest first, only those
    carrying `tag` if one is given. Two queries: the page, and the page's tags."""
    bookmarks = Bookmark.objects.filter(reader=reader, story__in=Story.objects.visible_to(reader))
    if tag:
        bookmarks = bookmarks.filter(tags__name__iexact=tag)
    bookmarks = (
        bookmarks.select_related("story__author__profile")
        .prefetch_related(Prefetch("tags", queryset=BookmarkTag.objects.order_by("pk")))
        .order_by("-updated_at", "-pk")
    )
    return page_of(bookmarks, library_page_number(page), BOOKMARKS_PER_PAGE)


@dataclass(frozen=True)
class TagCount:
    name: str
    count: int


def my_bookmark_tags(reader: User) -> list[TagCount]:
    """The reader's own tags, the most used first, on the bookmarks they may see. One query."""
    rows = (
        BookmarkTag.objects.filter(
            bookmark__reader=reader, bookmark__story__in=Story.objects.visible_to(reader)
        )
        .values("name")
        .annotate(n=Count("pk"))
        .order_by("-n", "name")[:BOOKMARK_TAGS_SHOWN]
    )
    return [TagCount(row["name"], row["n"]) for row in rows]


def public_bookmarks(owner: User, viewer: Viewer) -> list[Bookmark]:
    """The owner's public bookmarks of stories the viewer may see, the latest few. One query."""
    return list(
        Bookmark.objects.filter(
            reader=owner, is_public=True, story__in=Story.objects.visible_to(viewer)
        )
        .select_related("story__author__profile")
        .order_by("-updated_at", "-pk")[:ON_PROFILE]
    )
