"""Who may reach each library URL, with which method and which input.

Reading lists and bookmarks have their own table, in test_lists_access.py.
Everything else in the library belongs to one signed-in reader: anonymous visitors are sent to
sign in, and a story or part the reader may not see is 404 as everywhere else."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from library.models import LibrarySettings, PartRead, ReadingPosition, ShelfEntry
from library.urls import urlpatterns
from stories.models import Part, Story
from stories.paragraphs import paragraphs
from tests.conftest import client_for
from tests.factories import make_part, make_story
from tests.library.test_lists_access import ENDPOINTS as LIST_ENDPOINTS

# Stands for the id of the part's first paragraph (a well-formed id, in no part itself).
FIRST_PARAGRAPH = "the-parts-first-paragraph"


def first_paragraph(part: Part) -> str:
    return paragraphs(part.body_html)[0][0]


@dataclass(frozen=True)
class Endpoint:
    name: str
    target: str | None  # "story", "part", or None
    method: str
    reader_gets: int
    data: dict[str, Any] = field(default_factory=dict)

    def url(self, story: Story, part: Part) -> str:
        if self.target is None:
            return reverse(self.name)
        return reverse(self.name, args=[story.pk if self.target == "story" else part.pk])

    def call(self, client: Client, story: Story, part: Part) -> Any:
        url = self.url(story, part)
        data = {
            k: first_paragraph(part) if v == FIRST_PARAGRAPH else v for k, v in self.data.items()
        }
        return client.post(url, data) if self.method == "post" else client.get(url)

    def __str__(self) -> str:
        return f"{self.method.upper()}-{self.name.removeprefix('library:')}"


OBJECT_ENDPOINTS = [
    Endpoint("library:shelf", "story", "get", 200),
    Endpoint("library:shelf", "story", "post", 302, {"shelf": "paused", "note": "Hm."}),
    Endpoint("library:position", "part", "post", 204, {"at": FIRST_PARAGRAPH}),
]
OWN_ENDPOINTS = [
    Endpoint("library:library", None, "get", 200),
    Endpoint("library:history", None, "get", 200),
    Endpoint("library:history_pause", None, "post", 302, {"paused": "1"}),
    Endpoint("library:history_clear", None, "get", 200),
    Endpoint("library:history_clear", None, "post", 302),
    Endpoint("library:history_json", None, "get", 200),
    Endpoint("library:history_csv", None, "get", 200),
]
ALL_ENDPOINTS = OBJECT_ENDPOINTS + OWN_ENDPOINTS


def test_the_table_covers_every_library_url() -> None:
    tables = {e.name for e in ALL_ENDPOINTS} | {e.name for e in LIST_ENDPOINTS}
    assert {f"library:{p.name}" for p in urlpatterns} == tables


def library_rows() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (ShelfEntry, ReadingPosition, PartRead, LibrarySettings)
    )


@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS, ids=str)
def test_anonymous_visitors_are_sent_to_sign_in(
    client: Client, part: Part, endpoint: Endpoint
) -> None:
    response = endpoint.call(client, part.story, part)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert library_rows() == (0, 0, 0, 0)


@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS, ids=str)
def test_a_reader_may_use_every_library_url(
    reader_client: Client, part: Part, endpoint: Endpoint
) -> None:
    assert endpoint.call(reader_client, part.story, part).status_code == endpoint.reader_gets


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=str)
def test_a_stranger_cannot_shelve_or_read_a_draft_story(
    stranger_client: Client, author: User, endpoint: Endpoint
) -> None:
    story = make_story(author, "Not Yet")
    hidden = make_part(story, "Hidden", publish=False)
    assert endpoint.call(stranger_client, story, hidden).status_code == 404
    assert library_rows() == (0, 0, 0, 0)


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=str)
def test_a_restricted_story_is_open_to_a_stranger_who_is_signed_in(
    stranger_client: Client, author: User, endpoint: Endpoint
) -> None:
    story = make_story(author, "Members Only", restricted=True)
    part = make_part(story, "Inside")
    assert endpoint.call(stranger_client, story, part).status_code == endpoint.reader_gets


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=str)
def test_missing_objects_are_404(reader_client: Client, part: Part, endpoint: Endpoint) -> None:
    for missing in (999_999, 2**63, 10**30):
        url = reverse(endpoint.name, args=[missing])
        response = (
            reader_client.post(url, endpoint.data)
            if endpoint.method == "post"
            else reader_client.get(url)
        )
        assert response.status_code == 404, missing


def test_a_stranger_never_sees_or_changes_a_readers_library(
    reader: User, stranger_client: Client, part: Part
) -> None:
    reader_client = client_for(reader)
    reader_client.post(reverse("library:shelf", args=[part.story.pk]), {"shelf": "paused"})
    reader_client.post(reverse("library:position", args=[part.pk]), {"at": first_paragraph(part)})
    before = library_rows()
    for endpoint in OWN_ENDPOINTS:
        endpoint.call(stranger_client, part.story, part)
    assert ShelfEntry.objects.get(reader=reader).shelf == "paused"
    assert PartRead.objects.filter(reader=reader).count() == 1
    assert library_rows()[:3] == before[:3]


@pytest.mark.parametrize(
    ("name", "kind", "method"),
    [
        ("library:library", None, "post"),
        ("library:shelf", "story", "put"),
        ("library:shelf", "story", "delete"),
        ("library:position", "part", "get"),
        ("library:history", None, "post"),
        ("library:history_pause", None, "get"),
        ("library:history_clear", None, "delete"),
        ("library:history_json", None, "post"),
        ("library:history_csv", None, "post"),
    ],
)
def test_a_wrong_method_is_405_and_changes_nothing(
    reader_client: Client, reader: User, part: Part, name: str, kind: str | None, method: str
) -> None:
    now = timezone.now()
    PartRead.objects.create(
        reader=reader, part=part, story=part.story, first_read_at=now, last_read_at=now
    )
    url = Endpoint(name, kind, method, 405).url(part.story, part)
    assert getattr(reader_client, method)(url).status_code == 405
    assert library_rows() == (0, 0, 1, 0)
