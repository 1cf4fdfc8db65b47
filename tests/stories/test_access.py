"""The safety baseline: who may reach each writing and reading URL, and with which method."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from stories.models import Part, PartStatus, Story
from stories.urls import urlpatterns
from tests.conftest import client_for
from tests.factories import make_part, make_story

STORY_FORM = {
    "title": "Taken over",
    "rating": "general",
    "warnings": ["none"],
    "language": "en",
    "status": "in_progress",
}
PART_FORM = {"title": "Taken over", "body": "<p>x</p>"}
SCHEDULE_FORM = {"publish_at": "2099-01-01T09:00", "time_zone": "Europe/Paris"}


@dataclass(frozen=True)
class Endpoint:
    """One writing URL and how to call it; `author_gets` is the status on the author's draft."""

    name: str
    target: str | None  # "story", "part", or None for URLs that name no object
    method: str
    author_gets: int
    data: dict[str, Any] = field(default_factory=dict)

    def url(self, story: Story, part: Part) -> str:
        if self.target is None:
            return reverse(self.name)
        return reverse(self.name, args=[story.pk if self.target == "story" else part.pk])

    def call(self, client: Client, story: Story, part: Part) -> Any:
        url = self.url(story, part)
        return client.post(url, self.data) if self.method == "post" else client.get(url)

    def __str__(self) -> str:
        suffix = "-autosave" if "autosave" in self.data else ""
        return f"{self.method.upper()}-{self.name.removeprefix('stories:')}{suffix}"


# Every URL in stories/urls.py under /write/, with each method it accepts.
STORY_ENDPOINTS = [
    Endpoint("stories:story_manage", "story", "get", 200),
    Endpoint("stories:story_edit", "story", "get", 200),
    Endpoint("stories:story_edit", "story", "post", 302, STORY_FORM),
    Endpoint("stories:story_delete", "story", "get", 200),
    Endpoint("stories:story_delete", "story", "post", 302, {"confirm_title": "The Quiet Harbour"}),
    Endpoint("stories:part_create", "story", "get", 200),
    Endpoint("stories:part_create", "story", "post", 302, PART_FORM),
    Endpoint("stories:part_create", "story", "post", 200, {"autosave": "1", **PART_FORM}),
]
PART_ENDPOINTS = [
    Endpoint("stories:part_edit", "part", "get", 200),
    Endpoint("stories:part_edit", "part", "post", 302, PART_FORM),
    Endpoint("stories:part_delete", "part", "get", 200),
    Endpoint("stories:part_delete", "part", "post", 302),
    Endpoint("stories:part_autosave", "part", "post", 200, PART_FORM),
    Endpoint("stories:part_publish", "part", "post", 302),
    Endpoint("stories:part_unpublish", "part", "post", 302),
    Endpoint("stories:part_move", "part", "post", 302, {"direction": "up"}),
    Endpoint("stories:part_schedule", "part", "post", 302, SCHEDULE_FORM),
    Endpoint("stories:part_unschedule", "part", "post", 302),
]
DESK_ENDPOINTS = [
    Endpoint("stories:my_stories", None, "get", 200),
    Endpoint("stories:story_create", None, "get", 200),
    Endpoint("stories:story_create", None, "post", 302, STORY_FORM),
]
OBJECT_ENDPOINTS = STORY_ENDPOINTS + PART_ENDPOINTS
ALL_ENDPOINTS = OBJECT_ENDPOINTS + DESK_ENDPOINTS


def test_the_table_covers_every_writing_url() -> None:
    writing = {
        f"stories:{pattern.name}"
        for pattern in urlpatterns
        if str(pattern.pattern).startswith("write/")
    }
    assert writing == {endpoint.name for endpoint in ALL_ENDPOINTS}


@pytest.fixture
def draft_story(author: User) -> Story:
    """A story with only a draft part: nobody but its author knows it exists."""
    story = make_story(author, "Not Yet")
    make_part(story, "Hidden", "<p>Hidden words.</p>", publish=False)
    return story


def snapshot(story: Story) -> tuple[Any, ...]:
    parts = Part.objects.filter(story=story).order_by("pk")
    return (
        Story.objects.filter(pk=story.pk).values_list("title", "edited_at").first(),
        list(parts.values_list("pk", "title", "body_html", "status", "position", "edited_at")),
    )


# --- anonymous visitors -------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS, ids=str)
def test_anonymous_visitors_are_sent_to_sign_in(
    client: Client, part: Part, endpoint: Endpoint
) -> None:
    before = snapshot(part.story)
    response = endpoint.call(client, part.story, part)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert snapshot(part.story) == before
    assert Story.objects.count() == 1


# --- the author ---------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS, ids=str)
def test_the_author_may_use_every_writing_url(
    author_client: Client, draft_part: Part, endpoint: Endpoint
) -> None:
    response = endpoint.call(author_client, draft_part.story, draft_part)
    assert response.status_code == endpoint.author_gets


# --- strangers ----------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=str)
def test_a_stranger_cannot_change_a_published_story(
    stranger_client: Client, part: Part, endpoint: Endpoint
) -> None:
    before = snapshot(part.story)
    response = endpoint.call(stranger_client, part.story, part)
    assert response.status_code == 403
    assert snapshot(part.story) == before


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=str)
def test_a_stranger_cannot_see_a_draft_story(
    stranger_client: Client, draft_story: Story, endpoint: Endpoint
) -> None:
    before = snapshot(draft_story)
    response = endpoint.call(stranger_client, draft_story, draft_story.parts.get())
    assert response.status_code == 404
    assert snapshot(draft_story) == before


@pytest.mark.parametrize("endpoint", PART_ENDPOINTS, ids=str)
def test_a_stranger_cannot_see_a_draft_part_of_a_published_story(
    stranger_client: Client, part: Part, draft_part: Part, endpoint: Endpoint
) -> None:
    before = snapshot(part.story)
    response = endpoint.call(stranger_client, part.story, draft_part)
    assert response.status_code == 404
    assert snapshot(part.story) == before


def test_a_stranger_sees_only_their_own_stories(
    stranger_client: Client, stranger: User, part: Part
) -> None:
    make_story(stranger, "My Own Work")
    html = stranger_client.get(reverse("stories:my_stories")).content.decode()
    assert "My Own Work" in html
    assert part.story.title not in html


def test_missing_objects_are_404(author_client: Client, db: None) -> None:
    assert author_client.get(reverse("stories:story_edit", args=[999_999])).status_code == 404
    assert author_client.get(reverse("stories:part_edit", args=[999_999])).status_code == 404


# --- wrong methods ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "method"),
    [
        ("stories:part_publish", "part", "get"),
        ("stories:part_unpublish", "part", "get"),
        ("stories:part_move", "part", "get"),
        ("stories:part_autosave", "part", "get"),
        ("stories:part_edit", "part", "put"),
        ("stories:part_delete", "part", "delete"),
        ("stories:story_delete", "story", "delete"),
        ("stories:story_edit", "story", "patch"),
        ("stories:story_manage", "story", "post"),
        ("stories:part_create", "story", "put"),
        ("stories:my_stories", None, "post"),
        ("stories:story_create", None, "delete"),
    ],
)
def test_a_wrong_method_is_405_and_changes_nothing(
    author_client: Client, draft_part: Part, name: str, kind: str | None, method: str
) -> None:
    before = snapshot(draft_part.story)
    url = Endpoint(name, kind, method, 405).url(draft_part.story, draft_part)
    response = getattr(author_client, method)(url)
    assert response.status_code == 405
    assert snapshot(draft_part.story) == before
    assert Part.objects.get(pk=draft_part.pk).status == PartStatus.DRAFT


# --- reading ------------------------------------------------------------------------------


@pytest.fixture
def reading_cases(draft_story: Story, story: Story, part: Part, draft_part: Part) -> list[str]:
    """A draft story with its part, and a draft part inside a published story."""
    hidden_part = draft_story.parts.get()
    return [
        draft_story.get_absolute_url(),
        reverse("stories:full", args=[draft_story.pk]),
        hidden_part.get_absolute_url(),
        draft_part.get_absolute_url(),
    ]


@pytest.mark.parametrize("who", ["anonymous", "stranger", "reader"])
def test_drafts_are_404_to_everyone_but_the_author(
    reading_cases: list[str], stranger: User, reader: User, who: str
) -> None:
    viewer = client_for({"anonymous": None, "stranger": stranger, "reader": reader}[who])
    for url in reading_cases:
        assert viewer.get(url).status_code == 404, url


def test_the_author_can_read_their_own_drafts(
    reading_cases: list[str], author_client: Client
) -> None:
    for url in reading_cases:
        assert author_client.get(url).status_code == 200, url


def test_a_draft_part_is_not_linked_for_readers(
    reader_client: Client, story: Story, part: Part, draft_part: Part
) -> None:
    html = reader_client.get(story.get_absolute_url()).content.decode()
    assert draft_part.get_absolute_url() not in html
    assert part.get_absolute_url() in html


@pytest.fixture
def restricted_part(author: User) -> Part:
    story = make_story(author, "Members Only", restricted=True)
    return make_part(story, "Behind the Door", "<p>Only for the signed in.</p>")


def test_a_restricted_story_is_404_to_anonymous_visitors(
    client: Client, restricted_part: Part
) -> None:
    story = restricted_part.story
    assert client.get(story.get_absolute_url()).status_code == 404
    assert client.get(reverse("stories:full", args=[story.pk])).status_code == 404
    assert client.get(restricted_part.get_absolute_url()).status_code == 404


def test_a_restricted_story_is_open_to_signed_in_readers(
    reader_client: Client, restricted_part: Part
) -> None:
    story = restricted_part.story
    assert reader_client.get(story.get_absolute_url()).status_code == 200
    assert reader_client.get(reverse("stories:full", args=[story.pk])).status_code == 200
    response = reader_client.get(restricted_part.get_absolute_url())
    assert response.status_code == 200
    assert "Only for the signed in." in response.content.decode()


def test_a_restricted_story_is_left_out_of_the_public_home_page(
    client: Client, reader_client: Client, restricted_part: Part
) -> None:
    assert "Members Only" not in client.get(reverse("home")).content.decode()
    assert "Members Only" in reader_client.get(reverse("home")).content.decode()
