"""Many readers comment on one paragraph at the same moment: its count, the part's and the
story's stay exact (the story row is locked first, then the part's counts move), and
`recount_counters` finds nothing to correct. Run on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.test import Client

from social.counters import find_drift
from social.models import Comment
from stories.models import Part, Story
from stories.paragraphs import paragraphs
from tests.factories import make_part, make_story, make_user

READERS = 12
ROUNDS = 2


@pytest.mark.django_db(transaction=True)
def test_readers_commenting_on_one_paragraph_at_once_keep_every_count_exact() -> None:
    writer = make_user(username="crowded")
    part = make_part(make_story(writer, "Crowded"), "One", "<p>The line.</p><p>Another.</p>")
    pid = paragraphs(part.body_html)[0][0]
    readers = [make_user() for _ in range(READERS)]
    url = f"/parts/{part.pk}/paragraphs/{pid}/comments/"
    statuses: list[int] = []
    errors: list[BaseException] = []

    def post(reader_index: int, round_number: int, start: threading.Barrier) -> None:
        client = Client()
        client.force_login(readers[reader_index])
        try:
            start.wait()
            body = {"body": f"Reader {reader_index}, round {round_number}"}
            statuses.append(client.post(url, body).status_code)
        except BaseException as error:  # noqa: B036 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    for round_number in range(ROUNDS):
        start = threading.Barrier(READERS)
        threads = [
            threading.Thread(target=post, args=(index, round_number, start))
            for index in range(READERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    assert statuses == [302] * READERS * ROUNDS
    expected = READERS * ROUNDS
    assert Comment.objects.filter(paragraph_id=pid).count() == expected
    part.refresh_from_db()
    story = Story.objects.get(pk=part.story_id)
    assert part.paragraph_comments == {pid: expected}
    assert part.comments_count == story.comments_count == expected
    assert find_drift() == []
    assert Part.objects.get(pk=part.pk).paragraph_comments == {pid: expected}
