"""Reading history: every part a reader opened, newest first; pause, clear, export."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from library.actions import do_save_position
from library.models import LibrarySettings, PartRead, ReadingPosition, ShelfEntry
from library.queries import HISTORY_PER_PAGE
from stories.actions import do_unpublish_part
from stories.models import Part, Story
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user

# session, user, their profile (name, reader settings), the unread-notifications count in the
# menu, a page of history (one row more than the page, for "Older"), whether history is paused
HISTORY_PAGE_QUERIES = 6


def read_parts(reader: User, parts: list[Part]) -> None:
    start = timezone.now() - timedelta(hours=len(parts))
    for index, part in enumerate(parts):
        do_save_position(reader, part, "i0", at=start + timedelta(hours=index))


def history_html(client: Client, page: int | None = None) -> str:
    url = reverse("library:history") + (f"?page={page}" if page else "")
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def streamed(response: Any) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_history_lists_parts_newest_first(reader: User, part: Part) -> None:
    two = make_part(part.story, "The Second Night")
    read_parts(reader, [two, part])
    html = history_html(client_for(reader))
    assert html.index("The First Night") < html.index("The Second Night")
    assert part.story.title in html


def test_reading_a_part_again_moves_it_to_the_top(reader: User, part: Part) -> None:
    two = make_part(part.story, "The Second Night")
    read_parts(reader, [part, two])
    do_save_position(reader, part, "i4")
    html = history_html(client_for(reader))
    assert html.index("The First Night") < html.index("The Second Night")
    assert PartRead.objects.filter(reader=reader).count() == 2


def test_history_is_paginated(reader: User, author: User) -> None:
    story = make_story(author, "Long")
    parts = [make_part(story, f"Chapter {i:03d}") for i in range(HISTORY_PER_PAGE + 3)]
    read_parts(reader, parts)
    client = client_for(reader)
    first, second = history_html(client), history_html(client, 2)
    assert first.count("<time") == HISTORY_PER_PAGE and second.count("<time") == 3
    assert "Chapter 052" in first and "Chapter 000" in second
    assert 'rel="next"' in first and 'rel="prev"' in second and 'rel="next"' not in second
    assert client.get(reverse("library:history") + "?page=3").status_code == 404
    assert client.get(reverse("library:history") + "?page=" + "9" * 40).status_code == 404
    assert client.get(reverse("library:history") + "?page=x").status_code == 200


def test_history_leaves_out_parts_the_reader_may_no_longer_see(reader: User, part: Part) -> None:
    two = make_part(part.story, "The Second Night")
    read_parts(reader, [part, two])
    do_unpublish_part(two)
    client = client_for(reader)
    assert "The Second Night" not in history_html(client)
    exported = json.loads(streamed(client.get(reverse("library:history_json"))))
    assert [row["part_title"] for row in exported] == ["The First Night"]


def test_each_reader_sees_only_their_own_history(reader: User, part: Part) -> None:
    read_parts(reader, [part])
    stranger = client_for(make_user(username="someone"))
    assert "The First Night" not in history_html(stranger)
    assert json.loads(streamed(stranger.get(reverse("library:history_json")))) == []


def test_the_history_page_query_count_does_not_grow(
    django_assert_num_queries: Any, reader: User, author: User
) -> None:
    client = client_for(reader)
    story = make_story(author, "Long")
    for size in (2, HISTORY_PER_PAGE + 5):
        parts = [make_part(story, f"Chapter {i}") for i in range(size - story.parts.count())]
        read_parts(reader, parts)
        with django_assert_num_queries(HISTORY_PAGE_QUERIES):
            history_html(client)


# --- pause and clear ---------------------------------------------------------------------------


def test_a_reader_pauses_and_resumes_history(
    reader_client: Client, reader: User, part: Part
) -> None:
    url = reverse("library:history_pause")
    response = reader_client.post(url, {"paused": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("library:history")
    assert LibrarySettings.objects.get(reader=reader).history_paused
    html = history_html(reader_client)
    assert "History paused" in html and "Resume history" in html
    do_save_position(reader, part, "i0")
    assert not PartRead.objects.exists()
    reader_client.post(url, {"paused": "0"})
    assert not LibrarySettings.objects.get(reader=reader).history_paused
    do_save_position(reader, part, "i0")
    assert PartRead.objects.count() == 1


@pytest.mark.parametrize("data", [{}, {"paused": "yes"}, {"paused": "2"}])
def test_pausing_needs_a_clear_choice(
    reader_client: Client, reader: User, data: dict[str, str]
) -> None:
    response = reader_client.post(reverse("library:history_pause"), data)
    assert response.status_code == 400
    assert not LibrarySettings.objects.filter(reader=reader).exists()


def test_clearing_history_asks_first_then_forgets_every_part(
    reader_client: Client, reader: User, stranger: User, part: Part
) -> None:
    read_parts(reader, [part])
    read_parts(stranger, [part])
    url = reverse("library:history_clear")
    assert reader_client.get(url).status_code == 200
    assert PartRead.objects.filter(reader=reader).count() == 1
    response = reader_client.post(url)
    assert response.status_code == 302
    assert not PartRead.objects.filter(reader=reader).exists()
    assert PartRead.objects.filter(reader=stranger).count() == 1
    # Shelves and where the reader stopped stay.
    assert ShelfEntry.objects.filter(reader=reader).exists()
    assert ReadingPosition.objects.filter(reader=reader).exists()


# --- export ------------------------------------------------------------------------------------


def test_history_exports_as_json(reader_client: Client, reader: User, part: Part) -> None:
    two = make_part(part.story, "The Second Night")
    read_parts(reader, [part, two])
    response = reader_client.get(reverse("library:history_json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = json.loads(streamed(response))
    assert [row["part_title"] for row in rows] == ["The Second Night", "The First Night"]
    assert set(rows[0]) == {
        "story_id", "story_title", "part_id", "part_title", "part_url",
        "first_read_at", "last_read_at",
    }  # fmt: skip
    assert rows[1]["part_url"] == "http://testserver" + part.get_absolute_url()


def test_history_exports_as_csv_safe_for_spreadsheets(
    reader_client: Client, reader: User, author: User
) -> None:
    story = make_story(author, '=HYPERLINK("http://evil")')
    read_parts(reader, [make_part(story, "Chapter, with a comma")])
    response = reader_client.get(reverse("library:history_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(streamed(response))))
    assert rows[0][:4] == ["story_id", "story_title", "part_id", "part_title"]
    assert rows[1][1].startswith("'=")
    assert rows[1][3] == "Chapter, with a comma"


def test_an_empty_history_exports_as_valid_documents(reader_client: Client, db: None) -> None:
    assert json.loads(streamed(reader_client.get(reverse("library:history_json")))) == []
    csv_rows = list(
        csv.reader(io.StringIO(streamed(reader_client.get(reverse("library:history_csv")))))
    )
    assert len(csv_rows) == 1


def test_the_export_streams_its_rows_in_chunks(reader: User, author: User) -> None:
    """The response is a stream over a chunked iterator: the rows are fetched as it is read,
    not loaded before the response starts."""
    story = make_story(author, "Long")
    parts = [
        Part.objects.create(story=story, position=i, title=f"P{i}", status="published")
        for i in range(2500)
    ]
    Story.objects.filter(pk=story.pk).update(published_parts_count=2500)
    now = timezone.now()
    PartRead.objects.bulk_create(
        PartRead(reader=reader, part=p, story=story, first_read_at=now, last_read_at=now)
        for p in parts
    )
    client = client_for(reader)
    response: Any = client.get(reverse("library:history_csv"))
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as before_reading:
        next(chunks)  # the header line: no history row fetched yet
    assert not any("library_partread" in q["sql"] for q in before_reading.captured_queries)
    assert sum(chunk.count(b"\n") for chunk in chunks) == 2500
