"""A signed-in reader's library: shelves, where they stopped in each story, what they read,
their reading lists and bookmarks.

Every row belongs to one reader and is only ever read back by that reader, except the lists
and bookmarks they make public. Story and part
rows are reached through `visible_to` when a page shows them (library/queries.py): a story
that was unpublished stays on its reader's shelf, unseen, and comes back if it returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import Viewer

MAX_NOTE = 1000
# Paragraph ids are short: stories/paragraphs.py makes 8 hex digits, and the page's script
# falls back to "i<index>" on a part whose paragraphs have none yet.
MAX_PARAGRAPH_ID = 32


class Shelf(models.TextChoices):
    READING = "reading", _("Reading")
    CAUGHT_UP = "caught_up", _("Caught up")
    PAUSED = "paused", _("Paused")
    DROPPED = "dropped", _("Dropped")
    FINISHED = "finished", _("Finished")


# The shelves that follow the story: which of the two a story shows on is computed from the
# reader's read marks each time (see `shown_shelf`), never moved by a job when a part comes out.
FOLLOWING_SHELVES = frozenset({Shelf.READING, Shelf.CAUGHT_UP})


def shown_shelf(shelf: str, unread_parts: int) -> Shelf:
    """The shelf a story is shown on: Reading and Caught up follow the reader's progress."""
    if shelf in FOLLOWING_SHELVES:
        return Shelf.CAUGHT_UP if unread_parts == 0 else Shelf.READING
    return Shelf(shelf)


class ShelfEntry(models.Model):
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shelf_entries"
    )
    story = models.ForeignKey(
        "stories.Story", on_delete=models.CASCADE, related_name="shelf_entries"
    )
    shelf = models.CharField(_("shelf"), max_length=20, choices=Shelf.choices)
    note = models.TextField(_("private note"), max_length=MAX_NOTE, blank=True)
    # Set when the reader says they are caught up: parts published until then count as read,
    # whatever the read marks say (they may have read them elsewhere, or before history).
    caught_up_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "shelf entries"
        constraints = [
            models.UniqueConstraint(fields=["reader", "story"], name="shelf_one_entry_per_story")
        ]

    def __str__(self) -> str:
        return f"{self.reader_id} shelved {self.story_id} on {self.shelf}"


class ReadingPosition(models.Model):
    """Where a reader stopped in a story: one row per reader and story, moved by the beacon."""

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_positions"
    )
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="+")
    part = models.ForeignKey("stories.Part", on_delete=models.CASCADE, related_name="+")
    paragraph = models.CharField(max_length=MAX_PARAGRAPH_ID)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reader", "story"], name="reading_position_one_per_story"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reader_id} at {self.part_id}#{self.paragraph}"


class PartRead(models.Model):
    """A part the reader opened: their reading history, and the part's read mark."""

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="part_reads"
    )
    part = models.ForeignKey("stories.Part", on_delete=models.CASCADE, related_name="+")
    # The part's story, copied (a part never changes story): counts a story's read parts
    # without joining parts.
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="+")
    first_read_at = models.DateTimeField()
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reader", "part"], name="part_read_one_per_part")
        ]
        indexes = [
            models.Index(fields=["reader", "-last_read_at", "-id"], name="part_read_history"),
            models.Index(fields=["reader", "story"], name="part_read_by_story"),
        ]

    def __str__(self) -> str:
        return f"{self.reader_id} read {self.part_id}"


class LibrarySettings(models.Model):
    """A reader's library choices; no row means the defaults."""

    reader = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="library_settings",
    )
    history_paused = models.BooleanField(_("history paused"), default=False)

    class Meta:
        verbose_name_plural = "library settings"

    def __str__(self) -> str:
        return f"library settings of {self.reader_id}"


# --- reading lists and bookmarks -------------------------------------------------------------

MAX_LIST_TITLE = 100
MAX_LIST_DESCRIPTION = 2000
MAX_ENTRY_NOTE = 500
# A list is a page of picks, not an archive: the cap keeps every list page and reorder cheap.
MAX_LIST_ENTRIES = 1000
MAX_LISTS_PER_READER = 200  # the "Add to a list" choice shows them all
MAX_BOOKMARK_NOTE = 2000
MAX_BOOKMARK_TAG = 50
MAX_BOOKMARK_TAGS = 20


class ReadingListQuerySet(models.QuerySet["ReadingList"]):
    def visible_to(self, viewer: Viewer) -> ReadingListQuerySet:
        """Public lists, and the viewer's own (private ones too). Their stories are filtered
        separately, through Story.objects.visible_to."""
        if not viewer.is_authenticated:
            return self.filter(is_public=True)
        return self.filter(models.Q(is_public=True) | models.Q(owner=viewer))


class ReadingList(models.Model):
    """A reader's list of stories in the order they chose, shown to others if public."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_lists"
    )
    title = models.CharField(_("title"), max_length=MAX_LIST_TITLE)
    description = models.TextField(_("description"), max_length=MAX_LIST_DESCRIPTION, blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReadingListQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["owner", "-updated_at"], name="reading_list_by_owner")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:list_detail", args=[self.pk])


class ListEntry(models.Model):
    """A story in a reading list. Positions are distinct within a list (a constraint) and
    only move under the list's row lock (library.actions), so two edits cannot interleave."""

    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="entries")
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    note = models.TextField(_("note"), max_length=MAX_ENTRY_NOTE, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "list entries"
        constraints = [
            models.UniqueConstraint(
                fields=["reading_list", "story"], name="list_entry_one_per_story"
            ),
            models.UniqueConstraint(
                fields=["reading_list", "position"], name="list_entry_one_per_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.story_id} at {self.position} in list {self.reading_list_id}"


class BookmarkQuerySet(models.QuerySet["Bookmark"]):
    def visible_to(self, viewer: Viewer) -> BookmarkQuerySet:
        """Public bookmarks, and the viewer's own; their stories go through Story's filter."""
        if not viewer.is_authenticated:
            return self.filter(is_public=True)
        return self.filter(models.Q(is_public=True) | models.Q(reader=viewer))


class Bookmark(models.Model):
    """A reader's bookmark of a story: a note and their own tags, public or private."""

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="+")
    note = models.TextField(_("note"), max_length=MAX_BOOKMARK_NOTE, blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookmarkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reader", "story"], name="bookmark_one_per_story")
        ]
        indexes = [models.Index(fields=["reader", "-updated_at"], name="bookmark_by_reader")]

    def __str__(self) -> str:
        return f"{self.reader_id} bookmarked {self.story_id}"


class BookmarkTag(models.Model):
    """One of the reader's own tags on a bookmark (free text, not the archive's tags)."""

    bookmark = models.ForeignKey(Bookmark, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=MAX_BOOKMARK_TAG)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bookmark", "name"], name="bookmark_tag_once")
        ]
        indexes = [models.Index(fields=["name"], name="bookmark_tag_by_name")]

    def __str__(self) -> str:
        return self.name
