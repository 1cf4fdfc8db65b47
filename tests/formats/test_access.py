"""Who may download what: every formats URL × anonymous visitor, reader, author and stranger,
on a published story, a sign-in-only one and one of drafts only. A file is a way to read the
story, so the rule is the story page's: `visible_to`, and only published parts go in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from formats.models import Download, Format, StoryFile
from formats.urls import urlpatterns
from stories.models import Part, Story
from tests.conftest import client_for
from tests.factories import make_part, make_story

PERSONAS = ["anonymous", "reader", "author", "stranger"]


@dataclass(frozen=True)
class Endpoint:
    """One formats URL, and its status for a reader who may see the story."""

    name: str
    fmt: str
    allowed: int

    def url(self, story_id: int) -> str:
        return reverse(f"formats:{self.name}", args=[story_id, self.fmt])

    def __str__(self) -> str:
        return f"{self.name}-{self.fmt}"


ENDPOINTS = [
    *(Endpoint("download", fmt, 200) for fmt in Format.values),
    # The progress page of a build the worker has not started yet: 202, come back later.
    Endpoint("download_status", Format.EPUB, 202),
]


def test_the_table_covers_every_formats_url() -> None:
    assert {pattern.name for pattern in urlpatterns} == {e.name for e in ENDPOINTS}


@pytest.fixture
def viewers(author: User, reader: User, stranger: User) -> dict[str, Client]:
    return {
        "anonymous": Client(),
        "reader": client_for(reader),
        "author": client_for(author),
        "stranger": client_for(stranger),
    }


@pytest.fixture
def restricted_story(author: User) -> Story:
    story = make_story(author, "Members Only", restricted=True)
    make_part(story, "Behind the Door", "<p>Only for the signed in.</p>")
    return story


@pytest.fixture
def drafts_story(author: User) -> Story:
    story = make_story(author, "Not Yet")
    make_part(story, "Hidden", "<p>Hidden words.</p>", publish=False)
    return story


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anyone_may_download_a_published_story(
    viewers: dict[str, Client], part: Part, endpoint: Endpoint, who: str
) -> None:
    assert viewers[who].get(endpoint.url(part.story_id)).status_code == endpoint.allowed


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_a_sign_in_only_story_is_404_to_anonymous_visitors(
    viewers: dict[str, Client], restricted_story: Story, endpoint: Endpoint, who: str
) -> None:
    expected = 404 if who == "anonymous" else endpoint.allowed
    assert viewers[who].get(endpoint.url(restricted_story.pk)).status_code == expected


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_a_story_of_drafts_is_404_to_everyone_even_its_author(
    viewers: dict[str, Client], drafts_story: Story, endpoint: Endpoint, who: str
) -> None:
    assert viewers[who].get(endpoint.url(drafts_story.pk)).status_code == 404
    assert not StoryFile.objects.exists()  # nothing was made of it


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_a_missing_story_is_404(reader_client: Client, endpoint: Endpoint, db: None) -> None:
    assert reader_client.get(endpoint.url(999_999)).status_code == 404


@pytest.mark.parametrize("name", ["download", "download_status"])
@pytest.mark.parametrize("fmt", ["mobi", "EPUB", "epub.exe", "..", "x" * 40])
def test_an_unknown_format_is_404(reader_client: Client, part: Part, name: str, fmt: str) -> None:
    assert (
        reader_client.get(reverse(f"formats:{name}", args=[part.story_id, fmt])).status_code == 404
    )
    assert not StoryFile.objects.exists()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_a_wrong_method_is_405_and_makes_and_counts_nothing(
    reader_client: Client, part: Part, endpoint: Endpoint, method: str
) -> None:
    response = getattr(reader_client, method)(endpoint.url(part.story_id))
    assert response.status_code == 405
    assert not StoryFile.objects.exists() and not Download.objects.exists()


def test_draft_parts_never_go_into_a_file(
    author_client: Client, part: Part, draft_part: Part
) -> None:
    """Not even the author's own download: a file is the story as readers have it."""
    for fmt in ["html", "txt", "md"]:
        body = b"".join(author_client.get(reverse("formats:download", args=[part.story_id, fmt])))
        assert "Hello" in body.decode() and "Secret draft words" not in body.decode(), fmt
