"""Reading lists: a reader gathers stories in lists of their own, in the order they choose,
with a note on each; a public list can be read by anyone, each seeing only the stories they
may see; a private one is the owner's alone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from library.actions import do_add_to_list, do_bookmark, do_create_list
from library.models import (
    MAX_ENTRY_NOTE,
    MAX_LIST_DESCRIPTION,
    MAX_LIST_ENTRIES,
    MAX_LIST_TITLE,
    MAX_LISTS_PER_READER,
    Bookmark,
    ListEntry,
    ReadingList,
)
from library.queries import LIST_ENTRIES_PER_PAGE, ON_PROFILE
from stories.models import Story
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user

# session, user, their profile (name, reader settings), the unread-notifications count in the
# menu, the reader's lists with the number of stories in each they may see
LISTS_PAGE_QUERIES = 5
# the list with its owner and its number of visible stories, a page of its entries (one row
# more than the page, for "Next"); a signed-in viewer adds the four of every personal page;
# +2 on another reader's list: the viewer's filter profile (its rules, its settings), which
# folds what it hides (+1 more, the page's tags, once a rule reads tags: test_filter_profile)
LIST_PAGE_QUERIES = {"anonymous": 2, "member": 8, "owner": 6}
# the profile's own three (tests/stories/test_reading.py), its public lists, its bookmarks
PROFILE_QUERIES = 5


def stories(author: User, count: int, prefix: str = "Story") -> list[Story]:
    """Published stories, made in bulk: only their published-part count makes them visible."""
    return Story.objects.bulk_create(
        Story(author=author, title=f"{prefix} {i:04d}", published_parts_count=1)
        for i in range(count)
    )


def html_of(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def titles_in(html: str) -> list[str]:
    return re.findall(r'<li class="list-entry"[^>]*>\s*<div[^>]*>\s*<a [^>]*><strong>([^<]+)', html)


def add(client: Client, story: Story, **data: Any) -> Any:
    return client.post(reverse("library:list_add", args=[story.pk]), data)


def new_list(owner: User, title: str = "Favourites", public: bool = False) -> ReadingList:
    return do_create_list(owner, title, "", public)


# --- making lists ------------------------------------------------------------------------------


def test_a_reader_creates_a_list_and_sees_it_on_their_lists_page(
    reader_client: Client, reader: User
) -> None:
    response = reader_client.post(
        reverse("library:list_create"),
        {"title": "  Rainy days ", "description": "Cosy reads.", "is_public": "on"},
    )
    reading_list = ReadingList.objects.get(owner=reader)
    assert response.status_code == 302 and response["Location"] == reading_list.get_absolute_url()
    assert (reading_list.title, reading_list.description, reading_list.is_public) == (
        "Rainy days",
        "Cosy reads.",
        True,
    )
    html = html_of(reader_client, reverse("library:lists"))
    assert "Rainy days" in html and "0 stories" in html and "Public" in html


@pytest.mark.parametrize(
    "data",
    [
        {"title": ""},
        {"title": "   "},
        {"title": "x" * (MAX_LIST_TITLE + 1)},
        {"title": "Fine", "description": "x" * (MAX_LIST_DESCRIPTION + 1)},
        {},
    ],
    ids=["empty", "blank", "long-title", "long-description", "nothing"],
)
def test_a_list_needs_a_title_and_bounded_text(
    reader_client: Client, reader: User, data: dict[str, str]
) -> None:
    response = reader_client.post(reverse("library:list_create"), data)
    assert response.status_code == 400
    assert 'class="field-errors"' in response.content.decode()
    assert not ReadingList.objects.exists()


def test_a_reader_keeps_a_bounded_number_of_lists(reader_client: Client, reader: User) -> None:
    ReadingList.objects.bulk_create(
        ReadingList(owner=reader, title=f"List {i}") for i in range(MAX_LISTS_PER_READER)
    )
    response = reader_client.post(reverse("library:list_create"), {"title": "One more"})
    assert response.status_code == 400
    assert "delete one to start another" in response.content.decode()
    assert ReadingList.objects.filter(owner=reader).count() == MAX_LISTS_PER_READER


def test_the_owner_renames_describes_and_publishes_a_list(
    reader_client: Client, reader: User
) -> None:
    reading_list = new_list(reader)
    url = reverse("library:list_edit", args=[reading_list.pk])
    assert 'value="Favourites"' in html_of(reader_client, url)
    data = {"title": "Best of the year", "description": "In order.", "is_public": "on"}
    assert reader_client.post(url, data).status_code == 302
    reading_list.refresh_from_db()
    assert (reading_list.title, reading_list.description, reading_list.is_public) == (
        "Best of the year",
        "In order.",
        True,
    )
    response = reader_client.post(url, {"title": "x" * (MAX_LIST_TITLE + 1)})
    assert response.status_code == 400
    reading_list.refresh_from_db()
    assert reading_list.title == "Best of the year"


def test_deleting_a_list_asks_first_and_keeps_the_stories(
    reader_client: Client, reader: User, part: Any
) -> None:
    reading_list = new_list(reader)
    do_add_to_list(reading_list, part.story, "")
    url = reverse("library:list_delete", args=[reading_list.pk])
    assert "Delete “Favourites”?" in html_of(reader_client, url)
    response = reader_client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("library:lists")
    assert not ReadingList.objects.exists() and not ListEntry.objects.exists()
    assert Story.objects.unchecked("the test's own check").filter(pk=part.story.pk).exists()


# --- adding stories ----------------------------------------------------------------------------


def test_a_reader_adds_a_story_to_a_new_list_from_its_page(
    reader_client: Client, reader: User, part: Any
) -> None:
    response = add(reader_client, part.story, new_title="Summer", note="For the beach.")
    reading_list = ReadingList.objects.get(owner=reader)
    assert response.status_code == 302 and response["Location"] == reading_list.get_absolute_url()
    assert not reading_list.is_public  # new lists are private until made public
    html = html_of(reader_client, response["Location"])
    assert titles_in(html) == [part.story.title]
    assert "For the beach." in html and "Added to your new list “Summer”." in html


def test_a_story_is_in_a_list_once(reader_client: Client, reader: User, part: Any) -> None:
    reading_list = new_list(reader)
    for _ in range(2):
        response = add(reader_client, part.story, reading_list=str(reading_list.pk))
        assert response.status_code == 302
    assert ListEntry.objects.filter(reading_list=reading_list).count() == 1
    html = html_of(reader_client, reading_list.get_absolute_url())
    assert "Already in “Favourites”." in html
    add_page = html_of(reader_client, reverse("library:list_add", args=[part.story.pk]))
    assert "Already in" in add_page and reading_list.get_absolute_url() in add_page


def test_stories_are_added_at_the_end(reader_client: Client, reader: User, author: User) -> None:
    reading_list = new_list(reader)
    picks = stories(author, 3)
    for story in picks:
        add(reader_client, story, reading_list=str(reading_list.pk))
    html = html_of(reader_client, reading_list.get_absolute_url())
    assert titles_in(html) == [story.title for story in picks]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"new_title": "   "},
        {"new_title": "x" * (MAX_LIST_TITLE + 1)},
        {"new_title": "Fine", "note": "x" * (MAX_ENTRY_NOTE + 1)},
        {"reading_list": "banana"},
        {"reading_list": "99999999999999999999999"},
    ],
    ids=["nothing", "blank", "long-title", "long-note", "not-a-list", "huge-id"],
)
def test_adding_refuses_bad_input_and_half_saves_nothing(
    reader_client: Client, part: Any, data: dict[str, str]
) -> None:
    response = add(reader_client, part.story, **data)
    assert response.status_code == 400
    assert 'class="field-errors' in response.content.decode()
    assert not ReadingList.objects.exists() and not ListEntry.objects.exists()


def test_a_reader_cannot_add_to_someone_elses_list(
    reader_client: Client, stranger: User, part: Any
) -> None:
    theirs = new_list(stranger, public=True)
    response = add(reader_client, part.story, reading_list=str(theirs.pk))
    assert response.status_code == 400
    assert not ListEntry.objects.exists()


def test_a_full_list_says_so_and_loses_nothing(
    reader_client: Client, reader: User, author: User
) -> None:
    """A reader building a list of 10,000 stories is stopped, clearly, at MAX_LIST_ENTRIES."""
    reading_list = new_list(reader)
    picks = stories(author, MAX_LIST_ENTRIES + 3)
    ListEntry.objects.bulk_create(
        ListEntry(reading_list=reading_list, story=story, position=i + 1)
        for i, story in enumerate(picks[:MAX_LIST_ENTRIES])
    )
    for story in picks[MAX_LIST_ENTRIES:]:
        response = add(reader_client, story, reading_list=str(reading_list.pk))
        assert response.status_code == 400
        assert "“Favourites” is full: a list holds at most 1,000 stories." in (
            response.content.decode()
        )
    response = add(reader_client, picks[-1], new_title="Overflow")  # another list is fine
    assert response.status_code == 302
    entries = ListEntry.objects.filter(reading_list=reading_list).order_by("position")
    assert list(entries.values_list("story_id", flat=True)) == [
        story.pk for story in picks[:MAX_LIST_ENTRIES]
    ]
    # Every one of them can still be read, page by page.
    last = MAX_LIST_ENTRIES // LIST_ENTRIES_PER_PAGE
    html = html_of(reader_client, reading_list.get_absolute_url() + f"?page={last}")
    assert titles_in(html)[-1] == picks[MAX_LIST_ENTRIES - 1].title
    assert "1000 stories" in html and 'rel="next"' not in html
    html_of(reader_client, reading_list.get_absolute_url() + f"?page={last + 1}", 404)


# --- order, notes, removal ---------------------------------------------------------------------


def move(client: Client, entry: ListEntry, direction: str, **extra: str) -> Any:
    url = reverse("library:entry_move", args=[entry.reading_list_id, entry.pk])
    return client.post(url, {"direction": direction, **extra})


def order_of(reading_list: ReadingList) -> list[str]:
    entries = ListEntry.objects.filter(reading_list=reading_list).order_by("position")
    return list(entries.values_list("story__title", flat=True))


def test_the_owner_moves_stories_up_and_down(
    reader_client: Client, reader: User, author: User
) -> None:
    reading_list = new_list(reader)
    a, b, c = stories(author, 3)
    entries = [do_add_to_list(reading_list, story, "")[0] for story in (a, b, c)]
    response = move(reader_client, entries[2], "up")
    assert response.status_code == 302
    assert response["Location"] == reading_list.get_absolute_url()
    assert order_of(reading_list) == [a.title, c.title, b.title]
    move(reader_client, entries[0], "down")
    assert order_of(reading_list) == [c.title, a.title, b.title]
    # The first cannot go up, nor the last down: nothing moves.
    move(reader_client, entries[2], "up")
    move(reader_client, entries[1], "down")
    assert order_of(reading_list) == [c.title, a.title, b.title]


def test_the_list_page_offers_only_the_moves_that_exist(
    reader_client: Client, reader: User, author: User
) -> None:
    reading_list = new_list(reader)
    for story in stories(author, 3):
        do_add_to_list(reading_list, story, "")
    html = html_of(reader_client, reading_list.get_absolute_url())
    assert html.count(">Move up<") == 2 and html.count(">Move down<") == 2


def test_moving_skips_stories_the_owner_can_no_longer_see(
    reader_client: Client, reader: User, author: User
) -> None:
    reading_list = new_list(reader)
    a, hidden, c = stories(author, 3)
    entries = [do_add_to_list(reading_list, story, "")[0] for story in (a, hidden, c)]
    Story.objects.filter(pk=hidden.pk).update(published_parts_count=0)
    move(reader_client, entries[2], "up")
    assert order_of(reading_list) == [c.title, hidden.title, a.title]
    assert titles_in(html_of(reader_client, reading_list.get_absolute_url())) == [c.title, a.title]


def test_after_moving_the_owner_returns_to_the_same_page_of_this_site_only(
    reader_client: Client, reader: User, author: User
) -> None:
    reading_list = new_list(reader)
    entry = do_add_to_list(reading_list, stories(author, 1)[0], "")[0]
    do_add_to_list(reading_list, stories(author, 1, "Other")[0], "")
    here = f"{reading_list.get_absolute_url()}?page=1#entry-{entry.pk}"
    assert move(reader_client, entry, "down", next=here)["Location"] == here
    response = move(reader_client, entry, "up", next="https://evil.example/")
    assert response["Location"] == reading_list.get_absolute_url()


@pytest.mark.parametrize("data", [{}, {"direction": "sideways"}])
def test_a_move_needs_a_direction(
    reader_client: Client, reader: User, author: User, data: dict[str, str]
) -> None:
    reading_list = new_list(reader)
    entry = do_add_to_list(reading_list, stories(author, 1)[0], "")[0]
    url = reverse("library:entry_move", args=[reading_list.pk, entry.pk])
    assert reader_client.post(url, data).status_code == 400


def test_the_owner_writes_a_note_on_an_entry_and_removes_it(
    reader_client: Client, reader: User, part: Any
) -> None:
    reading_list = new_list(reader)
    entry = do_add_to_list(reading_list, part.story, "")[0]
    url = reverse("library:entry_edit", args=[reading_list.pk, entry.pk])
    assert reader_client.post(url, {"note": "Start here."}).status_code == 302
    assert "Start here." in html_of(reader_client, reading_list.get_absolute_url())
    response = reader_client.post(url, {"note": "x" * (MAX_ENTRY_NOTE + 1)})
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.note == "Start here."
    remove = reverse("library:entry_remove", args=[reading_list.pk, entry.pk])
    assert reader_client.post(remove).status_code == 302
    assert not ListEntry.objects.exists()


# --- who sees what -----------------------------------------------------------------------------


def test_a_public_list_shows_each_viewer_only_the_stories_they_may_see(
    reader: User, author: User, stranger_client: Client, client: Client
) -> None:
    reading_list = new_list(reader, "Shared", public=True)
    open_story = make_story(author, "Open Book")
    make_part(open_story)
    members = make_story(author, "Members Only", restricted=True)
    make_part(members)
    own_draft = make_story(author, "Work in Progress")
    make_part(own_draft, publish=False)
    for story in (open_story, members, own_draft):
        ListEntry.objects.create(
            reading_list=reading_list, story=story, position=reading_list.entries.count() + 1
        )
    url = reading_list.get_absolute_url()
    assert titles_in(html_of(client, url)) == ["Open Book"]
    assert "1 story" in html_of(client, url)
    assert titles_in(html_of(stranger_client, url)) == ["Open Book", "Members Only"]
    writer = titles_in(html_of(client_for(author), url))
    assert writer == ["Open Book", "Members Only", "Work in Progress"]


def test_a_private_list_is_the_owners_alone(
    reader_client: Client, reader: User, stranger_client: Client, client: Client, part: Any
) -> None:
    reading_list = new_list(reader, "Guilty pleasures")
    do_add_to_list(reading_list, part.story, "Do not tell.")
    url = reading_list.get_absolute_url()
    assert "Do not tell." in html_of(reader_client, url)
    for other in (stranger_client, client):
        assert "Do not tell." not in html_of(other, url, 404)
        assert "Guilty pleasures" not in html_of(
            other, reverse("accounts:profile", args=["reader"])
        )


def test_only_the_owner_sees_the_edit_controls(
    reader_client: Client, reader: User, stranger_client: Client, part: Any
) -> None:
    reading_list = new_list(reader, public=True)
    do_add_to_list(reading_list, part.story, "")
    url = reading_list.get_absolute_url()
    assert "Edit list" in html_of(reader_client, url)
    other = html_of(stranger_client, url)
    assert "Edit list" not in other and "Remove" not in other and "Favourites" in other


def test_the_profile_shows_public_lists_and_bookmarks_only(
    reader: User, client: Client, author: User, part: Any
) -> None:
    shared = new_list(reader, "Shared picks", public=True)
    do_add_to_list(shared, part.story, "")
    new_list(reader, "Private picks")
    do_bookmark(reader, part.story, "Public thoughts", ["cosy"], is_public=True)
    other = make_story(author, "Another")
    make_part(other)
    do_bookmark(reader, other, "Private thoughts", [], is_public=False)
    html = html_of(client, reverse("accounts:profile", args=["reader"]))
    assert "Shared picks" in html and "1 story" in html and "Private picks" not in html
    assert "Public thoughts" in html and "Private thoughts" not in html


# --- the story page's control ------------------------------------------------------------------


def test_the_shelf_control_offers_the_readers_lists_and_a_bookmark(
    reader_client: Client, reader: User, part: Any
) -> None:
    holding = new_list(reader, "Holding it")
    do_add_to_list(holding, part.story, "")
    new_list(reader, "Room for it")
    url = reverse("library:shelf", args=[part.story.pk])
    html = html_of(reader_client, url)
    assert "Add to a list" in html and ">Bookmark<" in html
    assert f'value="{holding.pk}" disabled>Holding it (already in it)' in html
    assert "Room for it" in html
    fragment = reader_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'class="shelf-control"' in fragment and "Add to a list" in fragment
    assert 'data-hx-target="closest .shelf-control"' in fragment
    story_page = html_of(reader_client, part.story.get_absolute_url())
    assert "Room for it" not in story_page and "Add to a list" not in story_page


# --- query budgets -----------------------------------------------------------------------------


def test_the_lists_page_query_count_does_not_grow(
    django_assert_num_queries: Any, reader: User, author: User
) -> None:
    client = client_for(reader)
    picks = stories(author, 5)
    for size in (2, 30):
        while ReadingList.objects.filter(owner=reader).count() < size:
            reading_list = new_list(reader, f"List {ReadingList.objects.count()}")
            for story in picks[: size % 5 + 1]:
                do_add_to_list(reading_list, story, "")
        with django_assert_num_queries(LISTS_PAGE_QUERIES):
            html = html_of(client, reverse("library:lists"))
        assert html.count('class="reading-list-item"') == size


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_a_list_page_query_count_does_not_grow(
    django_assert_num_queries: Any, reader: User, author: User, who: str
) -> None:
    reading_list = new_list(reader, public=True)
    picks = stories(author, LIST_ENTRIES_PER_PAGE + 10)
    client = client_for(None if who == "anonymous" else make_user(username="visitor"))
    for size in (2, LIST_ENTRIES_PER_PAGE + 10):
        for story in picks[reading_list.entries.count() : size]:
            do_add_to_list(reading_list, story, "A note.")
        with django_assert_num_queries(LIST_PAGE_QUERIES[who]):
            html = html_of(client, reading_list.get_absolute_url())
        assert len(titles_in(html)) == min(size, LIST_ENTRIES_PER_PAGE)


def test_the_owners_list_page_costs_the_same(
    django_assert_num_queries: Any, reader: User, author: User
) -> None:
    reading_list = new_list(reader)
    client = client_for(reader)
    for size in (2, LIST_ENTRIES_PER_PAGE + 3):
        for story in stories(author, size - reading_list.entries.count(), f"S{size}"):
            do_add_to_list(reading_list, story, "")
        with django_assert_num_queries(LIST_PAGE_QUERIES["owner"]):
            html_of(client, reading_list.get_absolute_url())


def test_the_profile_query_count_does_not_grow_with_lists_or_bookmarks(
    django_assert_num_queries: Any, client: Client, reader: User, author: User
) -> None:
    picks = stories(author, ON_PROFILE + 5)
    url = reverse("accounts:profile", args=["reader"])
    for size in (1, ON_PROFILE + 5):
        for story in picks[Bookmark.objects.count() : size]:
            shared = new_list(reader, f"About {story.title}", public=True)
            do_add_to_list(shared, story, "")
            do_bookmark(reader, story, "Note", ["tag"], is_public=True)
        with django_assert_num_queries(PROFILE_QUERIES):
            html = html_of(client, url)
        shown = min(size, ON_PROFILE)
        assert html.count('class="reading-list-item"') == shown
        assert html.count('class="bookmark-item"') == shown
