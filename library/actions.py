"""Writes on a reader's library. Views call these; nothing else changes a shelf, history, a
reading list or a bookmark."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from library.models import (
    MAX_BOOKMARK_TAG,
    MAX_BOOKMARK_TAGS,
    MAX_LIST_ENTRIES,
    MAX_LISTS_PER_READER,
    MAX_PARAGRAPH_ID,
    Bookmark,
    BookmarkTag,
    LibrarySettings,
    ListEntry,
    PartRead,
    ReadingList,
    ReadingPosition,
    Shelf,
    ShelfEntry,
)
from stories.models import Story
from stories.paragraphs import PARAGRAPH, PID

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from accounts.models import User
    from stories.models import Part

PARAGRAPH_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_PARAGRAPH_ID}}}")
INDEX_ID = re.compile(r"i(\d{1,6})")
MAX_ROW_ID = 2**63 - 1  # the largest BigAutoField value; the URL's <int:> has no limit


# --- access and validation ------------------------------------------------------------------


def access_story_for_shelf(user: User, story_id: int) -> Story:
    """A story the reader may see, to put on a shelf or take off one; 404 otherwise."""
    if story_id > MAX_ROW_ID:
        raise Http404(_("No such story."))
    try:
        return Story.objects.visible_to(user).select_related("author__profile").get(pk=story_id)
    except Story.DoesNotExist:
        raise Http404(_("No such story.")) from None


def check_paragraph_id(raw: object) -> str:
    """A paragraph id as the page's script sends it: a `data-pid`, or `i<index>`."""
    if not isinstance(raw, str) or not PARAGRAPH_ID.fullmatch(raw):
        raise ValidationError(_("Not a paragraph id."), code="invalid")
    return raw


def check_paragraph_in_part(part: Part, paragraph: str) -> str:
    """One of the part's paragraphs: its `data-pid`, or `i<index>` where the paragraphs carry
    no ids (library.js numbers them then). `paragraph` passed `check_paragraph_id`.

    An id the part lacks comes from a page older than the writer's last edit (an edited
    paragraph gets a fresh id): refused, not guessed at. The position already kept is the
    reader's previous paragraph (the beacon sends only when it changes), the nearest known."""
    if f' data-pid="{paragraph}"' in part.body_html:  # the id's characters need no escaping
        return paragraph
    index = INDEX_ID.fullmatch(paragraph)
    if index and not PID.search(part.body_html):
        if int(index[1]) < sum(1 for _ in PARAGRAPH.finditer(part.body_html)):
            return paragraph
    raise ValidationError(_("There is no such paragraph in this part."), code="missing")


# --- reading ---------------------------------------------------------------------------------


def is_history_paused(reader: User) -> bool:
    return LibrarySettings.objects.filter(reader=reader, history_paused=True).exists()


def do_save_position(reader: User, part: Part, paragraph: str, at: datetime | None = None) -> None:
    """Remember where `reader` is in `part` (a published part they may see, see
    stories.actions.access_published_part), mark the part read in their history unless they
    paused it, and put the story on Reading if it is on no shelf.

    Each write is one upsert on a unique constraint, so two devices sending at once cannot
    make a second row or fail: the later write wins, which is the later position.
    """
    now = at or timezone.now()
    with transaction.atomic():
        ReadingPosition.objects.bulk_create(
            [
                ReadingPosition(
                    reader=reader,
                    story_id=part.story_id,
                    part=part,
                    paragraph=paragraph,
                    updated_at=now,
                )
            ],
            update_conflicts=True,
            unique_fields=["reader", "story"],
            update_fields=["part", "paragraph", "updated_at"],
        )
        if not is_history_paused(reader):
            PartRead.objects.bulk_create(
                [
                    PartRead(
                        reader=reader,
                        part=part,
                        story_id=part.story_id,
                        first_read_at=now,
                        last_read_at=now,
                    )
                ],
                update_conflicts=True,
                unique_fields=["reader", "part"],
                update_fields=["last_read_at"],
            )
        # A story already on a shelf stays where the reader put it.
        ShelfEntry.objects.bulk_create(
            [ShelfEntry(reader=reader, story_id=part.story_id, shelf=Shelf.READING)],
            ignore_conflicts=True,
        )


# --- shelves ---------------------------------------------------------------------------------


def do_shelve(reader: User, story: Story, shelf: Shelf, note: str) -> ShelfEntry:
    """Put `story` on `shelf` with the reader's note (validated by the form: MAX_NOTE).

    Choosing Caught up counts every part published so far as read; choosing any other shelf
    takes that back, so the read marks alone say whether the reader is caught up.
    """
    caught_up_at = timezone.now() if shelf == Shelf.CAUGHT_UP else None
    entry, _created = ShelfEntry.objects.update_or_create(
        reader=reader,
        story=story,
        defaults={"shelf": shelf, "note": note, "caught_up_at": caught_up_at},
    )
    return entry


def do_unshelve(reader: User, story: Story) -> None:
    """Take the story off the reader's shelves; where they stopped and their history stay."""
    ShelfEntry.objects.filter(reader=reader, story=story).delete()


# --- history ---------------------------------------------------------------------------------


def do_set_history_paused(reader: User, paused: bool) -> None:
    LibrarySettings.objects.update_or_create(reader=reader, defaults={"history_paused": paused})


def do_clear_history(reader: User) -> int:
    """Forget every part the reader opened (and so their read marks); returns how many."""
    deleted, _by_model = PartRead.objects.filter(reader=reader).delete()
    return deleted


# --- reading lists ---------------------------------------------------------------------------


def access_list_for_edit(user: User, list_id: int) -> ReadingList:
    """One of the reader's own lists, to change; 404 for anyone else's (public or not)."""
    if list_id > MAX_ROW_ID:
        raise Http404(_("No such list."))
    try:
        return ReadingList.objects.get(pk=list_id, owner=user)
    except ReadingList.DoesNotExist:
        raise Http404(_("No such list.")) from None


def access_entry_for_edit(user: User, list_id: int, entry_id: int) -> ListEntry:
    """An entry of one of the reader's lists, whose story they may still see; 404 otherwise."""
    if list_id > MAX_ROW_ID or entry_id > MAX_ROW_ID:
        raise Http404(_("No such entry."))
    entries = ListEntry.objects.filter(
        reading_list_id=list_id,
        reading_list__owner=user,
        story__in=Story.objects.visible_to(user),
    )
    try:
        return entries.select_related("reading_list", "story").get(pk=entry_id)
    except ListEntry.DoesNotExist:
        raise Http404(_("No such entry.")) from None


def check_room_for_a_list(owner: User) -> None:
    if ReadingList.objects.filter(owner=owner).count() >= MAX_LISTS_PER_READER:
        raise ValidationError(
            _("You have %(n)s lists, the most one reader may keep: delete one to start another.")
            % {"n": MAX_LISTS_PER_READER},
            code="too_many_lists",
        )


def check_room_in_list(reading_list: ReadingList) -> None:
    """Precondition: the list's row is locked (see do_add_to_list)."""
    if ListEntry.objects.filter(reading_list=reading_list).count() >= MAX_LIST_ENTRIES:
        raise ValidationError(
            _(
                "“%(title)s” is full: a list holds at most %(n)s stories. "
                "Remove one, or start another list."
            )
            % {"title": reading_list.title, "n": f"{MAX_LIST_ENTRIES:,}"},
            code="list_full",
        )


def do_create_list(owner: User, title: str, description: str, is_public: bool) -> ReadingList:
    """A new list (fields validated by ReadingListForm). Two creates at once may both pass
    the count: the cap bounds a page and a menu, so being over by one is harmless."""
    check_room_for_a_list(owner)
    return ReadingList.objects.create(
        owner=owner, title=title, description=description, is_public=is_public
    )


def do_update_list(
    reading_list: ReadingList, title: str, description: str, is_public: bool
) -> None:
    reading_list.title, reading_list.description = title, description
    reading_list.is_public = is_public
    reading_list.save(update_fields=["title", "description", "is_public", "updated_at"])


def do_delete_list(reading_list: ReadingList) -> None:
    """Delete the list and its entries; the stories and the reader's shelves are untouched."""
    reading_list.delete()


def _lock(reading_list: ReadingList) -> ReadingList:
    # Every change to a list's entries takes its row lock first, so adds and moves on one
    # list run one after another: positions stay distinct and the size check stays true.
    return ReadingList.objects.select_for_update().get(pk=reading_list.pk)


def do_add_to_list(reading_list: ReadingList, story: Story, note: str) -> tuple[ListEntry, bool]:
    """Put `story` (one the owner may see, see access_story_for_shelf) at the end of the list.
    A story already in it stays where it is: returns its entry and False. Raises
    ValidationError, changing nothing, when the list is full."""
    with transaction.atomic():
        locked = _lock(reading_list)
        existing = ListEntry.objects.filter(reading_list=locked, story=story).first()
        if existing is not None:
            return existing, False
        check_room_in_list(locked)
        last = ListEntry.objects.filter(reading_list=locked).aggregate(last=Max("position"))
        entry = ListEntry.objects.create(
            reading_list=locked, story=story, position=(last["last"] or 0) + 1, note=note
        )
        locked.save(update_fields=["updated_at"])
    return entry, True


def do_create_list_with(
    owner: User, title: str, story: Story, note: str
) -> tuple[ReadingList, ListEntry]:
    """A new private list holding `story`: both or neither."""
    with transaction.atomic():
        reading_list = do_create_list(owner, title, "", is_public=False)
        entry, _added = do_add_to_list(reading_list, story, note)
    return reading_list, entry


def do_move_entry(entry: ListEntry, up: bool) -> bool:
    """Swap the entry with the one before (up) or after it among the stories its owner may
    see, the order they see; False when it is already first or last."""
    with transaction.atomic():
        locked = _lock(entry.reading_list)
        entries = ListEntry.objects.filter(
            reading_list=locked, story__in=Story.objects.visible_to(locked.owner)
        )
        current = entries.filter(pk=entry.pk).first()  # its position as of the lock
        if current is None:  # removed meanwhile
            return False
        if up:
            neighbour = entries.filter(position__lt=current.position).order_by("-position")
        else:
            neighbour = entries.filter(position__gt=current.position).order_by("position")
        other = neighbour.first()
        if other is None:
            return False
        # Positions are unique in a list and checked row by row: park one at 0 (never used,
        # positions start at 1) while the other takes its place.
        ListEntry.objects.filter(pk=current.pk).update(position=0)
        ListEntry.objects.filter(pk=other.pk).update(position=current.position)
        ListEntry.objects.filter(pk=current.pk).update(position=other.position)
        locked.save(update_fields=["updated_at"])
    return True


def do_set_entry_note(entry: ListEntry, note: str) -> None:
    entry.note = note
    entry.save(update_fields=["note"])


def do_remove_entry(entry: ListEntry) -> None:
    """Take the story out of the list; the others keep their order (gaps are harmless)."""
    with transaction.atomic():
        locked = _lock(entry.reading_list)
        ListEntry.objects.filter(pk=entry.pk).delete()
        locked.save(update_fields=["updated_at"])


# --- bookmarks -------------------------------------------------------------------------------


def check_bookmark_tags(raw: str) -> list[str]:
    """The reader's own tags, comma-separated: trimmed, spaces collapsed, the same tag typed
    twice (in any case) kept once, in the order given."""
    tags: dict[str, str] = {}
    for piece in raw.split(","):
        tag = " ".join(piece.split())
        if not tag:
            continue
        if len(tag) > MAX_BOOKMARK_TAG:
            raise ValidationError(
                _("“%(start)s…” is too long: a tag has at most %(n)s characters.")
                % {"start": tag[:20], "n": MAX_BOOKMARK_TAG},
                code="tag_too_long",
            )
        tags.setdefault(tag.casefold(), tag)
    if len(tags) > MAX_BOOKMARK_TAGS:
        raise ValidationError(
            _("%(count)s tags: a bookmark has at most %(n)s.")
            % {"count": len(tags), "n": MAX_BOOKMARK_TAGS},
            code="too_many_tags",
        )
    return list(tags.values())


def do_bookmark(
    reader: User, story: Story, note: str, tags: Sequence[str], is_public: bool
) -> Bookmark:
    """Bookmark a story the reader may see (or change their bookmark of it): note and tags
    validated by BookmarkForm. The bookmark and its tags change together or not at all."""
    with transaction.atomic():
        # update_or_create locks an existing row, and retries a get when a second request
        # created the row first (the unique constraint): one bookmark per reader and story.
        bookmark, _created = Bookmark.objects.update_or_create(
            reader=reader, story=story, defaults={"note": note, "is_public": is_public}
        )
        BookmarkTag.objects.filter(bookmark=bookmark).delete()
        BookmarkTag.objects.bulk_create([BookmarkTag(bookmark=bookmark, name=t) for t in tags])
    return bookmark


def do_delete_bookmark(reader: User, story: Story) -> bool:
    deleted, _by_model = Bookmark.objects.filter(reader=reader, story=story).delete()
    return deleted > 0
