"""Per-part read marks, and the story page's shelf control: both per reader, never in the
shared pages."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from accounts.models import User
from library.actions import do_save_position
from stories.models import Part
from tests.conftest import client_for
from tests.factories import make_part
from tests.test_visibility import unchecked_queries  # noqa: F401 - a fixture


def fragment(client: Client, part: Part) -> str:
    response = client.get(reverse("stories:part_reader", args=[part.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_per_reader_fragment_lists_the_parts_read_in_this_story(
    reader: User, part: Part, draft_part: Part
) -> None:
    two = make_part(part.story, "Two")
    three = make_part(part.story, "Three")
    do_save_position(reader, part, "i0")
    do_save_position(reader, three, "i0")
    html = fragment(client_for(reader), two)
    assert f'data-read-parts="{part.pk} {three.pk}"' in html
    assert 'data-read-label="read"' in html


def test_a_reader_with_no_history_gets_no_marks(reader_client: Client, part: Part) -> None:
    assert 'data-read-parts=""' in fragment(reader_client, part)


def test_the_story_pages_shelf_control_brings_the_read_marks_of_its_contents(
    reader_client: Client, reader: User, part: Part
) -> None:
    two = make_part(part.story, "Two")
    do_save_position(reader, two, "i0")
    page = reader_client.get(part.story.get_absolute_url()).content.decode()
    assert "library/library.js" in page and "data-read-parts" not in page  # shared page
    shelf = reader_client.get(
        reverse("library:shelf", args=[part.story.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert f'data-read-parts="{two.pk}"' in shelf


def test_the_shared_story_page_loads_the_shelf_control_for_members_only(
    client: Client, reader_client: Client, reader: User, part: Part
) -> None:
    do_save_position(reader, part, "i0")
    shelf_url = reverse("library:shelf", args=[part.story.pk])
    member_page = reader_client.get(part.story.get_absolute_url()).content.decode()
    assert f'data-hx-get="{shelf_url}"' in member_page and f'href="{shelf_url}"' in member_page
    assert "In your library" not in member_page  # the state comes with the fragment
    anonymous_page = client.get(part.story.get_absolute_url()).content.decode()
    assert shelf_url not in anonymous_page


def test_library_pages_query_stories_and_parts_through_visible_to(
    reader: User,
    part: Part,
    draft_part: Part,
    unchecked_queries: list[str],  # noqa: F811
    settings: Any,
) -> None:
    settings.TALEHOUSE_PAGE_CACHE = False
    do_save_position(reader, part, "i0")
    client = client_for(reader)
    for url in (
        reverse("library:library"),
        reverse("library:history"),
        reverse("library:shelf", args=[part.story.pk]),
        reverse("stories:part_reader", args=[part.pk]),
    ):
        assert client.get(url).status_code == 200
    for url in (reverse("library:history_json"), reverse("library:history_csv")):
        export: Any = client.get(url)
        b"".join(export.streaming_content)
    client.post(reverse("library:position", args=[part.pk]), {"at": "i1"})
    assert unchecked_queries == []
