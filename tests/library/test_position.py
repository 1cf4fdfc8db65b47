"""Resume at the paragraph on any device: the position beacon, and what it records."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.models import User
from library.actions import do_set_history_paused
from library.models import MAX_PARAGRAPH_ID, PartRead, ReadingPosition, ShelfEntry
from stories.models import Part
from stories.paragraphs import paragraphs
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user

DEVICES = 4


def beacon(client: Client, part_id: int, at: Any = "3f2a91c0", **kwargs: Any) -> Any:
    """The beacon's POST; `at` the paragraph (None: no paragraph). The default is well formed
    and in no part: for answers that come before the paragraph is looked at."""
    data = {} if at is None else {"at": at}
    return client.post(reverse("library:position", args=[part_id]), data, **kwargs)


def pid(part: Part, n: int = 0) -> str:
    """The id of the part's `n`th paragraph, as the page carries it."""
    return paragraphs(part.body_html)[n][0]


def test_the_beacon_remembers_the_part_and_paragraph(
    reader_client: Client, reader: User, part: Part
) -> None:
    response = beacon(reader_client, part.pk, pid(part, 1))
    assert response.status_code == 204
    assert response["Cache-Control"] == "no-store"
    position = ReadingPosition.objects.get(reader=reader)
    assert (position.story_id, position.part_id, position.paragraph) == (
        part.story_id,
        part.pk,
        pid(part, 1),
    )


def test_a_later_position_replaces_the_earlier_one_across_parts(
    reader_client: Client, reader: User, part: Part
) -> None:
    two = make_part(part.story, "Two", "<p>Dawn.</p><p>Noon.</p>")
    beacon(reader_client, part.pk, pid(part, 1))
    beacon(reader_client, two.pk, pid(two, 0))
    beacon(reader_client, two.pk, pid(two, 1))
    position = ReadingPosition.objects.get(reader=reader)
    assert (position.part_id, position.paragraph) == (two.pk, pid(two, 1))


def test_each_reader_has_their_own_position(
    reader_client: Client, stranger_client: Client, reader: User, part: Part
) -> None:
    beacon(reader_client, part.pk, pid(part, 0))
    beacon(stranger_client, part.pk, pid(part, 1))
    assert ReadingPosition.objects.get(reader=reader).paragraph == pid(part, 0)
    assert ReadingPosition.objects.count() == 2


def test_the_first_position_on_a_part_records_it_in_history(
    reader_client: Client, reader: User, part: Part
) -> None:
    beacon(reader_client, part.pk, pid(part, 0))
    first = PartRead.objects.get(reader=reader, part=part)
    assert first.first_read_at == first.last_read_at
    beacon(reader_client, part.pk, pid(part, 1))
    again = PartRead.objects.get(reader=reader, part=part)
    assert again.first_read_at == first.first_read_at
    assert again.last_read_at > first.last_read_at
    assert ShelfEntry.objects.get(reader=reader).shelf == "reading"


def test_while_history_is_paused_no_part_is_recorded(
    reader_client: Client, reader: User, part: Part
) -> None:
    do_set_history_paused(reader, True)
    assert beacon(reader_client, part.pk, pid(part)).status_code == 204
    assert not PartRead.objects.filter(reader=reader).exists()
    # Where they stopped is still kept, so "Continue" works on another device.
    assert ReadingPosition.objects.filter(reader=reader).exists()


# --- refused -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "at",
    [None, "", "x" * (MAX_PARAGRAPH_ID + 1), "p 1", "<b>", "i1;drop", "ab/cd", "é"],
    ids=["missing", "empty", "too-long", "space", "markup", "semicolon", "slash", "non-ascii"],
)
def test_a_bad_paragraph_id_is_refused(
    reader_client: Client, reader: User, part: Part, at: str | None
) -> None:
    assert beacon(reader_client, part.pk, at).status_code == 400
    assert not ReadingPosition.objects.exists()


def test_the_longest_paragraph_id_is_well_formed(reader_client: Client, part: Part) -> None:
    response = beacon(reader_client, part.pk, "a" * MAX_PARAGRAPH_ID)
    assert response.content.decode() == "There is no such paragraph in this part."


def test_a_paragraph_the_part_does_not_have_is_refused_and_the_last_position_kept(
    reader_client: Client, reader: User, part: Part
) -> None:
    assert beacon(reader_client, part.pk, pid(part, 1)).status_code == 204
    # A page older than the writer's last edit, or a made-up id: refused, with the reason.
    for missing in ("0badc0de", "i0", "i99"):
        response = beacon(reader_client, part.pk, missing)
        assert response.status_code == 400, missing
        assert response.content.decode() == "There is no such paragraph in this part."
    position = ReadingPosition.objects.get(reader=reader)
    assert (position.part_id, position.paragraph) == (part.pk, pid(part, 1))


def test_a_part_whose_paragraphs_have_no_ids_is_counted_by_index(
    reader_client: Client, reader: User, part: Part
) -> None:
    # Paragraphs without ids (the page's script numbers them): only the part's own numbers.
    Part.objects.filter(pk=part.pk).update(body_html="<p>One.</p><p>Two.</p>")
    assert beacon(reader_client, part.pk, "i1").status_code == 204
    assert beacon(reader_client, part.pk, "i2").status_code == 400
    assert ReadingPosition.objects.get(reader=reader).paragraph == "i1"


def test_positions_on_parts_the_reader_may_not_see_are_refused(
    reader_client: Client, author: User, part: Part, draft_part: Part
) -> None:
    hidden_story = make_story(author, "Not yet")
    hidden = make_part(hidden_story, "Hidden", publish=False)
    for target in (draft_part.pk, hidden.pk, 999_999, 2**63, 10**30):
        assert beacon(reader_client, target).status_code == 404, target
    assert not ReadingPosition.objects.exists()
    assert not PartRead.objects.exists()
    assert not ShelfEntry.objects.exists()


def test_a_sign_in_only_story_is_open_to_members(reader_client: Client, author: User) -> None:
    restricted = make_part(make_story(author, "Members", restricted=True))
    assert beacon(reader_client, restricted.pk, pid(restricted)).status_code == 204


def test_anonymous_readers_are_not_recorded(client: Client, part: Part) -> None:
    response = beacon(client, part.pk)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not ReadingPosition.objects.exists()


def test_the_beacon_needs_the_csrf_token(reader: User, part: Part) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert beacon(client, part.pk).status_code == 403
    client.get(reverse("library:shelf", args=[part.story_id]))  # a page that sets the cookie
    token = client.cookies["csrftoken"].value
    assert beacon(client, part.pk, pid(part), headers={"X-CSRFToken": token}).status_code == 204


def test_the_beacon_is_rate_limited_per_reader(
    reader_client: Client, stranger_client: Client, part: Part, settings: Any
) -> None:
    settings.TALEHOUSE_RATE_LIMITS = {**settings.TALEHOUSE_RATE_LIMITS, "library_position": (3, 60)}
    statuses = [beacon(reader_client, part.pk, pid(part, i % 2)).status_code for i in range(5)]
    assert statuses == [204, 204, 204, 429, 429]
    assert beacon(stranger_client, part.pk, pid(part)).status_code == 204
    assert ReadingPosition.objects.get(reader__username="reader").paragraph == pid(part, 0)


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_the_beacon_answers_post_only(reader_client: Client, part: Part, method: str) -> None:
    response = getattr(reader_client, method)(reverse("library:position", args=[part.pk]))
    assert response.status_code == 405


# --- the shared part page ----------------------------------------------------------------------


def test_the_shared_part_page_carries_the_beacon_url_and_nothing_of_the_reader(
    reader: User, stranger: User, part: Part
) -> None:
    beacon(client_for(reader), part.pk, pid(part, 1))
    pages = [client_for(user).get(part.get_absolute_url()) for user in (reader, stranger)]
    assert pages[0].content == pages[1].content  # the same bytes for every member
    html = pages[0].content.decode()
    assert f'data-position-url="{reverse("library:position", args=[part.pk])}"' in html
    assert "library/library.js" in html
    assert f"#p-{pid(part, 1)}" not in html


def test_the_authors_own_page_sends_no_position(author_client: Client, part: Part) -> None:
    html = author_client.get(part.get_absolute_url()).content.decode()
    assert "data-position-url" not in html


@pytest.mark.django_db(transaction=True)
def test_two_devices_sending_at_once_never_fail_or_make_a_second_row() -> None:
    """Each write is an upsert on a unique constraint: no read-then-insert race."""
    author = make_user(username="writer")
    reader = make_user(username="racer")
    story = make_story(author, "Photo Finish")
    parts = [make_part(story, f"Part {i}") for i in range(2)]
    errors: list[BaseException] = []
    statuses: list[int] = []

    def send(part: Part, paragraph: str, start: threading.Barrier) -> None:
        client = Client()
        client.force_login(reader)
        try:
            start.wait()
            statuses.append(beacon(client, part.pk, paragraph).status_code)
        except BaseException as error:  # noqa: B036 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    for _round in range(4):
        start = threading.Barrier(DEVICES)
        threads = [
            threading.Thread(target=send, args=(parts[n % 2], pid(parts[n % 2]), start))
            for n in range(DEVICES)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert statuses == [204] * DEVICES * 4
    assert ReadingPosition.objects.filter(reader=reader).count() == 1
    assert PartRead.objects.filter(reader=reader).count() == 2
    assert ShelfEntry.objects.filter(reader=reader).count() == 1
