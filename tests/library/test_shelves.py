"""Shelves: a reader puts stories on Reading, Caught up, Paused, Dropped or Finished, with a
private note; Reading and Caught up follow what they have read."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from library.actions import do_save_position, do_shelve
from library.models import MAX_NOTE, PartRead, Shelf, ShelfEntry
from stories.actions import do_unpublish_part
from stories.models import Part, Story
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user

# session, user, their profile (name, reader settings), the unread-notifications count in the
# menu, the shelf entries with their unread counts, the reading positions
LIBRARY_PAGE_QUERIES = 6


def shelf_of(html: str, title: str) -> str:
    """The heading of the shelf section a story is listed under on the library page."""
    index = html.index(f"<strong>{title}</strong>")
    return re.findall(r'<h2 id="shelf-([a-z_]+)">', html[:index])[-1]


def library_html(client: Client) -> str:
    response = client.get(reverse("library:library"))
    assert response.status_code == 200
    return response.content.decode()


def shelve(client: Client, story: Story, shelf: str, note: str = "", **extra: str) -> Any:
    url = reverse("library:shelf", args=[story.pk])
    return client.post(url, {"shelf": shelf, "note": note, **extra})


def test_a_reader_puts_a_story_on_a_shelf_with_a_private_note(
    reader_client: Client, reader: User, part: Part
) -> None:
    response = shelve(reader_client, part.story, "paused", "Waiting for the next arc.")
    assert response.status_code == 302
    assert response["Location"] == part.story.get_absolute_url()
    entry = ShelfEntry.objects.get(reader=reader)
    assert (entry.story_id, entry.shelf, entry.note) == (
        part.story.pk,
        "paused",
        "Waiting for the next arc.",
    )
    html = library_html(reader_client)
    assert shelf_of(html, part.story.title) == "paused"
    assert "Waiting for the next arc." in html


def test_one_entry_per_reader_and_story_moving_between_shelves(
    reader_client: Client, reader: User, part: Part
) -> None:
    for shelf in ("paused", "dropped", "finished"):
        assert shelve(reader_client, part.story, shelf).status_code == 302
    assert ShelfEntry.objects.filter(reader=reader).count() == 1
    assert ShelfEntry.objects.get(reader=reader).shelf == "finished"


def test_a_note_is_private_to_its_reader(
    reader_client: Client, stranger_client: Client, part: Part
) -> None:
    shelve(reader_client, part.story, "reading", "My secret thoughts")
    assert "My secret thoughts" not in library_html(stranger_client)
    shelf_page = stranger_client.get(reverse("library:shelf", args=[part.story.pk]))
    assert "My secret thoughts" not in shelf_page.content.decode()
    assert (
        "My secret thoughts"
        not in reader_client.get(part.story.get_absolute_url()).content.decode()
    )


def test_a_note_has_a_bounded_length(reader_client: Client, reader: User, part: Part) -> None:
    response = shelve(reader_client, part.story, "reading", "x" * (MAX_NOTE + 1))
    assert response.status_code == 400
    assert not ShelfEntry.objects.filter(reader=reader).exists()
    assert shelve(reader_client, part.story, "reading", "x" * MAX_NOTE).status_code == 302


@pytest.mark.parametrize("data", [{"shelf": "favourites"}, {"shelf": ""}, {}])
def test_an_unknown_shelf_is_refused(
    reader_client: Client, reader: User, part: Part, data: dict[str, str]
) -> None:
    response = reader_client.post(reverse("library:shelf", args=[part.story.pk]), data)
    assert response.status_code == 400
    assert not ShelfEntry.objects.filter(reader=reader).exists()


def test_removing_a_story_keeps_where_the_reader_stopped(
    reader_client: Client, reader: User, part: Part
) -> None:
    do_save_position(reader, part, "i1")
    response = reader_client.post(reverse("library:shelf", args=[part.story.pk]), {"unshelve": "1"})
    assert response.status_code == 302
    assert not ShelfEntry.objects.filter(reader=reader).exists()
    assert PartRead.objects.filter(reader=reader).count() == 1


def test_after_the_form_the_reader_goes_back_only_to_a_page_of_this_site(
    reader_client: Client, part: Part
) -> None:
    library = reverse("library:library")
    assert shelve(reader_client, part.story, "paused", next=library)["Location"] == library
    for elsewhere in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = shelve(reader_client, part.story, "paused", next=elsewhere)
        assert response["Location"] == part.story.get_absolute_url(), elsewhere


def test_the_htmx_shelf_control_answers_with_itself(
    reader_client: Client, reader: User, part: Part
) -> None:
    url = reverse("library:shelf", args=[part.story.pk])
    fragment = reader_client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<html" not in html and 'id="shelf-form"' in html
    assert "Not in your library." in html
    assert "private" in fragment["Cache-Control"]
    response = reader_client.post(
        url, {"shelf": "finished", "note": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "In your library: Finished." in html
    assert 'value="finished" selected' in html
    assert "Remove from library" in html


def test_the_shelf_control_without_javascript_is_a_page(reader_client: Client, part: Part) -> None:
    response = reader_client.get(reverse("library:shelf", args=[part.story.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and f"“{part.story.title}” in your library" in html


# --- Reading and Caught up follow the reader -------------------------------------------------


def test_reading_a_part_puts_the_story_on_reading_by_itself(reader: User, part: Part) -> None:
    make_part(part.story, "Two")
    do_save_position(reader, part, "i0")
    assert ShelfEntry.objects.get(reader=reader).shelf == Shelf.READING
    html = library_html(client_for(reader))
    assert shelf_of(html, part.story.title) == "reading"
    assert "1 part you have not read" in html


def test_reading_does_not_move_a_story_the_reader_shelved(reader: User, part: Part) -> None:
    do_shelve(reader, part.story, Shelf.DROPPED, "")
    do_save_position(reader, part, "i0")
    assert ShelfEntry.objects.get(reader=reader).shelf == Shelf.DROPPED


def test_a_reader_who_read_every_part_is_caught_up_until_a_new_part_comes_out(
    reader: User, part: Part
) -> None:
    story = part.story
    two = make_part(story, "Two")
    do_save_position(reader, part, "i0")
    do_save_position(reader, two, "i0")
    client = client_for(reader)
    html = library_html(client)
    assert shelf_of(html, story.title) == "caught_up"
    assert "No unread parts" in html
    make_part(story, "Three")  # no job runs: the page computes it
    html = library_html(client)
    assert shelf_of(html, story.title) == "reading"
    assert "1 part you have not read" in html


def test_choosing_caught_up_counts_the_parts_published_so_far_as_read(
    reader: User, part: Part
) -> None:
    story = part.story
    make_part(story, "Two")
    do_shelve(reader, story, Shelf.CAUGHT_UP, "")
    client = client_for(reader)
    assert shelf_of(library_html(client), story.title) == "caught_up"
    later = make_part(story, "Three")
    Part.objects.filter(pk=later.pk).update(published_at=timezone.now() + timedelta(seconds=1))
    html = library_html(client)
    assert shelf_of(html, story.title) == "reading"
    assert "1 part you have not read" in html


def test_choosing_reading_again_takes_caught_up_back(reader: User, part: Part) -> None:
    do_shelve(reader, part.story, Shelf.CAUGHT_UP, "")
    do_shelve(reader, part.story, Shelf.READING, "")
    assert shelf_of(library_html(client_for(reader)), part.story.title) == "reading"


def test_unpublished_parts_are_not_counted_as_unread(
    reader: User, part: Part, draft_part: Part
) -> None:
    two = make_part(part.story, "Two")
    do_save_position(reader, part, "i0")
    do_unpublish_part(two)
    html = library_html(client_for(reader))
    assert shelf_of(html, part.story.title) == "caught_up"


def test_a_story_that_is_no_longer_visible_leaves_the_library_page(
    reader: User, part: Part
) -> None:
    do_save_position(reader, part, "i0")
    do_unpublish_part(part)
    assert part.story.title not in library_html(client_for(reader))
    assert ShelfEntry.objects.filter(reader=reader).exists()  # back if it is published again


def test_continue_reading_opens_the_part_at_the_paragraph(
    reader: User, author: User, part: Part
) -> None:
    story = part.story
    two = make_part(story, "Two", "<p>a</p><p>b</p>")
    do_save_position(reader, two, "3f2a91c0")
    html = library_html(client_for(reader))
    assert f'href="{two.get_absolute_url()}#p-3f2a91c0"' in html
    # A story shelved but never opened starts at its page.
    other = make_story(author, "Unopened")
    make_part(other)
    do_shelve(reader, other, Shelf.PAUSED, "")
    html = library_html(client_for(reader))
    assert f'href="{other.get_absolute_url()}"' in html and "Start reading" in html


def test_continue_reading_falls_back_when_that_part_was_unpublished(
    reader: User, part: Part
) -> None:
    two = make_part(part.story, "Two")
    do_save_position(reader, two, "i4")
    do_unpublish_part(two)
    html = library_html(client_for(reader))
    assert two.get_absolute_url() not in html
    assert f'href="{part.story.get_absolute_url()}"' in html


def test_the_library_page_query_count_does_not_grow_with_the_library(
    django_assert_num_queries: Any, author: User
) -> None:
    reader = make_user(username="bookworm")
    client = client_for(reader)
    for size in (2, 30):
        while ShelfEntry.objects.filter(reader=reader).count() < size:
            story = make_story(author, f"Story {Story.objects.count()}")
            parts = [make_part(story, f"Part {i}") for i in range(3)]
            do_save_position(reader, parts[0], "i2")
            if story.pk % 2:  # some shelved by hand, with a note; the others by reading
                do_shelve(reader, story, Shelf.PAUSED, "A note.")
        with django_assert_num_queries(LIBRARY_PAGE_QUERIES):
            html = library_html(client)
        assert html.count('class="library-item"') == size


def test_the_library_page_is_private_and_never_cached(reader_client: Client, db: None) -> None:
    response = reader_client.get(reverse("library:library"))
    assert "private" in response["Cache-Control"]
