"""Bookmarks: a reader bookmarks a story with a note and tags of their own, public or private;
one bookmark per reader and story; their bookmarks page filters by one of their tags."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from library.actions import do_bookmark
from library.models import MAX_BOOKMARK_NOTE, MAX_BOOKMARK_TAG, MAX_BOOKMARK_TAGS, Bookmark
from library.queries import BOOKMARKS_PER_PAGE
from stories.models import Part, Story
from tests.conftest import client_for
from tests.factories import make_user

# session, user, their profile (name, reader settings), the unread-notifications count in the
# menu, a page of bookmarks (one row more, for "Older"), the page's tags, the reader's tag list
BOOKMARKS_PAGE_QUERIES = 7


def bookmark(client: Client, story: Story, **data: str) -> Any:
    return client.post(reverse("library:bookmark", args=[story.pk]), data)


def bookmarks_html(client: Client, query: str = "") -> str:
    response = client.get(reverse("library:bookmarks") + query)
    assert response.status_code == 200
    return response.content.decode()


def titles_in(html: str) -> list[str]:
    return re.findall(r'<li class="bookmark-item">\s*<div[^>]*>\s*<a [^>]*><strong>([^<]+)', html)


def tags_of(reader: User, story: Story) -> list[str]:
    found = Bookmark.objects.get(reader=reader, story=story)
    return list(found.tags.order_by("pk").values_list("name", flat=True))


def test_a_reader_bookmarks_a_story_with_a_note_and_tags(
    reader_client: Client, reader: User, part: Part
) -> None:
    response = bookmark(
        reader_client, part.story, note="The harbour scene!", tags=" slow  burn, Cosy,cosy ,, "
    )
    assert response.status_code == 302 and response["Location"] == reverse("library:bookmarks")
    saved = Bookmark.objects.get(reader=reader)
    assert (saved.story_id, saved.note, saved.is_public) == (
        part.story.pk,
        "The harbour scene!",
        False,
    )
    assert tags_of(reader, part.story) == ["slow burn", "Cosy"]
    html = bookmarks_html(reader_client)
    assert titles_in(html) == [part.story.title] and "The harbour scene!" in html
    assert "Private" in html


def test_one_bookmark_per_reader_and_story_edited_in_place(
    reader_client: Client, reader: User, part: Part
) -> None:
    bookmark(reader_client, part.story, note="First", tags="a, b")
    page = reader_client.get(reverse("library:bookmark", args=[part.story.pk])).content.decode()
    assert "First" in page and 'value="a, b"' in page and "Delete bookmark" in page
    bookmark(reader_client, part.story, note="Second", tags="c", is_public="on")
    saved = Bookmark.objects.get(reader=reader)
    assert (saved.note, saved.is_public) == ("Second", True)
    assert tags_of(reader, part.story) == ["c"]


def test_a_reader_deletes_a_bookmark(reader_client: Client, reader: User, part: Part) -> None:
    do_bookmark(reader, part.story, "", ["x"], is_public=False)
    url = reverse("library:bookmark_delete", args=[part.story.pk])
    assert reader_client.post(url).status_code == 302
    assert not Bookmark.objects.exists()
    assert "No bookmarks yet" in bookmarks_html(reader_client)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "x" * (MAX_BOOKMARK_NOTE + 1)}, "at most 2000 characters"),
        ({"tags": "fine, " + "y" * (MAX_BOOKMARK_TAG + 1)}, "a tag has at most 50 characters"),
        ({"tags": ", ".join(f"t{i}" for i in range(MAX_BOOKMARK_TAGS + 1))}, "at most 20"),
        ({"tags": "z" * 5000}, "at most"),
    ],
    ids=["long-note", "long-tag", "too-many-tags", "huge-tags"],
)
def test_bad_input_is_refused_clearly_and_changes_nothing(
    reader_client: Client, reader: User, part: Part, data: dict[str, str], message: str
) -> None:
    do_bookmark(reader, part.story, "Kept", ["kept"], is_public=False)
    response = bookmark(reader_client, part.story, **data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="field-errors"' in html and message in html
    saved = Bookmark.objects.get(reader=reader)
    assert saved.note == "Kept" and tags_of(reader, part.story) == ["kept"]


def test_twenty_tags_of_the_longest_length_are_fine(
    reader_client: Client, reader: User, part: Part
) -> None:
    tags = [f"{i:02d}" + "t" * (MAX_BOOKMARK_TAG - 2) for i in range(MAX_BOOKMARK_TAGS)]
    assert bookmark(reader_client, part.story, tags=", ".join(tags)).status_code == 302
    assert tags_of(reader, part.story) == tags


def test_the_bookmarks_page_filters_by_one_of_the_readers_tags(reader: User, author: User) -> None:
    stories = Story.objects.bulk_create(
        Story(author=author, title=title, published_parts_count=1)
        for title in ("Fluffy", "Angsty", "Both")
    )
    do_bookmark(reader, stories[0], "", ["fluff"], is_public=False)
    do_bookmark(reader, stories[1], "", ["angst"], is_public=False)
    do_bookmark(reader, stories[2], "", ["Fluff", "angst"], is_public=False)
    client = client_for(reader)
    assert sorted(titles_in(bookmarks_html(client, "?tag=fluff"))) == ["Both", "Fluffy"]
    assert titles_in(bookmarks_html(client, "?tag=angst")) == ["Both", "Angsty"]
    html = bookmarks_html(client, "?tag=nothing")
    assert titles_in(html) == [] and "None of your bookmarks has this tag." in html
    assert len(titles_in(bookmarks_html(client, "?tag=" + "x" * 5000))) == 0
    assert len(titles_in(bookmarks_html(client))) == 3


def test_bookmarks_are_private_to_their_reader_unless_public(
    reader: User, stranger_client: Client, client: Client, part: Part
) -> None:
    do_bookmark(reader, part.story, "Secret reason", ["hidden-tag"], is_public=False)
    assert "Secret reason" not in bookmarks_html(stranger_client)
    profile = reverse("accounts:profile", args=["reader"])
    assert "Secret reason" not in client.get(profile).content.decode()
    do_bookmark(reader, part.story, "Open reason", [], is_public=True)
    assert "Open reason" in client.get(profile).content.decode()


def test_a_bookmark_of_a_story_no_longer_visible_leaves_the_pages(
    reader: User, client: Client, part: Part
) -> None:
    do_bookmark(reader, part.story, "Gone", ["t"], is_public=True)
    Story.objects.filter(pk=part.story.pk).update(published_parts_count=0)
    assert titles_in(bookmarks_html(client_for(reader))) == []
    profile = reverse("accounts:profile", args=["reader"])
    assert "Gone" not in client.get(profile).content.decode()
    assert Bookmark.objects.exists()  # back if the story is published again


def test_the_bookmarks_page_is_paginated(reader: User, author: User) -> None:
    stories = Story.objects.bulk_create(
        Story(author=author, title=f"Story {i:03d}", published_parts_count=1)
        for i in range(BOOKMARKS_PER_PAGE + 2)
    )
    for story in stories:
        do_bookmark(reader, story, "", [], is_public=False)
    client = client_for(reader)
    first, second = bookmarks_html(client), bookmarks_html(client, "?page=2")
    assert len(titles_in(first)) == BOOKMARKS_PER_PAGE and len(titles_in(second)) == 2
    assert client.get(reverse("library:bookmarks") + "?page=3").status_code == 404


def test_the_bookmarks_page_query_count_does_not_grow(
    django_assert_num_queries: Any, author: User
) -> None:
    reader = make_user(username="bookmarker")
    client = client_for(reader)
    stories = Story.objects.bulk_create(
        Story(author=author, title=f"Story {i:03d}", published_parts_count=1)
        for i in range(BOOKMARKS_PER_PAGE + 5)
    )
    for size in (2, BOOKMARKS_PER_PAGE + 5):
        for story in stories[Bookmark.objects.count() : size]:
            do_bookmark(reader, story, "Note", [f"tag {story.pk % 7}", "all"], is_public=True)
        for query in ("", "?tag=all"):
            with django_assert_num_queries(BOOKMARKS_PAGE_QUERIES):
                html = bookmarks_html(client, query)
            assert len(titles_in(html)) == min(size, BOOKMARKS_PER_PAGE)
