"""The new-part page's autosave and its submit share a token; however they interleave, one page
makes one part, and the submit's notes and publication are never undone."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from stories.models import Part
from tests.factories import make_story, make_user

ROUNDS = 6
AUTOSAVES_PER_ROUND = 3


@pytest.mark.django_db(transaction=True)
def test_an_autosave_racing_the_submit_never_fails_or_loses_the_notes() -> None:
    author = make_user(username="racer")
    story = make_story(author, "Photo Finish")
    url = reverse("stories:part_create", args=[story.pk])
    statuses: list[int] = []
    errors: list[BaseException] = []

    def post(data: dict[str, str], start: threading.Barrier) -> None:
        client = Client()
        client.force_login(author)
        try:
            start.wait()
            statuses.append(client.post(url, data).status_code)
        except BaseException as error:  # noqa: B036 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    for round_number in range(ROUNDS):
        token = f"race-{round_number:02d}-0123456789abcdef0123456789"
        submit = {
            "title": f"Chapter {round_number}",
            "body": "<p>Final words.</p>",
            "notes_before": "Thanks to my beta reader.",
            "client_token": token,
            "publish": "1",
        }
        autosave = {"title": f"Chapter {round_number}", "body": "<p>Final words.</p>"}
        autosave |= {"client_token": token, "autosave": "1"}
        start = threading.Barrier(AUTOSAVES_PER_ROUND + 1)
        threads = [threading.Thread(target=post, args=(submit, start))]
        threads += [
            threading.Thread(target=post, args=(autosave, start))
            for _ in range(AUTOSAVES_PER_ROUND)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert errors == []
        parts = list(Part.objects.filter(story=story, client_token=token))
        assert len(parts) == 1, f"round {round_number}: {len(parts)} parts"
        assert parts[0].notes_before == "Thanks to my beta reader."
        assert parts[0].is_published
    # The submit redirects; an autosave that lands after the publication is refused politely
    # (400, the draft-only rule), never a server error.
    assert set(statuses) <= {200, 302, 400}
    assert statuses.count(302) == ROUNDS
