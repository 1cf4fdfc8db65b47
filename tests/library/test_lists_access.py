"""Who may reach each reading-list and bookmark URL, with which method and which input.

A reader's lists and bookmarks are theirs to change: anyone else gets 404 as if they did not
exist. A public list is readable by anyone, anonymous visitors included; a private one only
by its owner. A story the reader may not see cannot be listed or bookmarked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from library.models import Bookmark, BookmarkTag, ListEntry, ReadingList
from stories.models import Part, Story
from tests.conftest import client_for
from tests.factories import make_part, make_story

LOGIN = "login"  # the anonymous visitor is sent to sign in


@dataclass
class Library:
    """The owner's library: a private and a public list, each holding the story, a bookmark."""

    story: Story
    private: ReadingList
    public: ReadingList
    entry: ListEntry


@pytest.fixture
def library(reader: User, part: Part) -> Library:
    story = part.story
    private = ReadingList.objects.create(owner=reader, title="Secret picks")
    public = ReadingList.objects.create(owner=reader, title="Shared picks", is_public=True)
    entry = ListEntry.objects.create(reading_list=private, story=story, position=1, note="Mine")
    ListEntry.objects.create(reading_list=public, story=story, position=1)
    bookmark = Bookmark.objects.create(reader=reader, story=story, note="Keep")
    BookmarkTag.objects.create(bookmark=bookmark, name="cosy")
    return Library(story, private, public, entry)


@dataclass(frozen=True)
class Endpoint:
    name: str
    target: str  # what the URL names: "", "private", "public", "entry" or "story"
    method: str
    owner: int
    other: int  # any other signed-in reader: a stranger, the story's author
    anonymous: int | str = LOGIN
    data: dict[str, Any] = field(default_factory=dict)

    def url(self, library: Library) -> str:
        args: list[int] = {
            "": [],
            "private": [library.private.pk],
            "public": [library.public.pk],
            "entry": [library.private.pk, library.entry.pk],
            "story": [library.story.pk],
        }[self.target]
        return reverse(self.name, args=args)

    def call(self, client: Client, library: Library) -> Any:
        url = self.url(library)
        return client.post(url, self.data) if self.method == "post" else client.get(url)

    def __str__(self) -> str:
        suffix = f"-{self.target}" if self.target in {"private", "public"} else ""
        return f"{self.method.upper()}-{self.name.removeprefix('library:')}{suffix}"


ENDPOINTS = [
    Endpoint("library:lists", "", "get", 200, 200),
    Endpoint("library:list_create", "", "get", 200, 200),
    Endpoint("library:list_create", "", "post", 302, 302, data={"title": "New"}),
    Endpoint("library:list_detail", "private", "get", 200, 404, 404),
    Endpoint("library:list_detail", "public", "get", 200, 200, 200),
    Endpoint("library:list_edit", "private", "get", 200, 404),
    Endpoint("library:list_edit", "public", "post", 302, 404, data={"title": "Renamed"}),
    Endpoint("library:list_delete", "private", "get", 200, 404),
    Endpoint("library:list_delete", "public", "post", 302, 404),
    Endpoint("library:list_add", "story", "get", 200, 200),
    Endpoint("library:list_add", "story", "post", 302, 302, data={"new_title": "Later"}),
    Endpoint("library:entry_edit", "entry", "get", 200, 404),
    Endpoint("library:entry_edit", "entry", "post", 302, 404, data={"note": "Changed"}),
    Endpoint("library:entry_move", "entry", "post", 302, 404, data={"direction": "down"}),
    Endpoint("library:entry_remove", "entry", "post", 302, 404),
    Endpoint("library:bookmarks", "", "get", 200, 200),
    Endpoint("library:bookmark", "story", "get", 200, 200),
    Endpoint("library:bookmark", "story", "post", 302, 302, data={"tags": "a, b"}),
    Endpoint("library:bookmark_delete", "story", "post", 302, 302),
]


def rows() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (ReadingList, ListEntry, Bookmark, BookmarkTag))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_visitors_sign_in_or_read_a_public_list(
    client: Client, library: Library, endpoint: Endpoint
) -> None:
    before = rows()
    response = endpoint.call(client, library)
    if endpoint.anonymous == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    else:
        assert response.status_code == endpoint.anonymous
    assert rows() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_the_owner_may_use_every_url(
    reader_client: Client, library: Library, endpoint: Endpoint
) -> None:
    assert endpoint.call(reader_client, library).status_code == endpoint.owner


@pytest.mark.parametrize("persona", ["stranger", "author"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_another_reader_reaches_only_their_own_and_public_things(
    request: pytest.FixtureRequest, library: Library, endpoint: Endpoint, persona: str
) -> None:
    other: User = request.getfixturevalue(persona)
    assert endpoint.call(client_for(other), library).status_code == endpoint.other


def test_another_reader_never_changes_the_owners_lists_or_bookmark(
    stranger_client: Client, reader: User, library: Library
) -> None:
    for endpoint in ENDPOINTS:
        endpoint.call(stranger_client, library)
    mine = ReadingList.objects.filter(owner=reader)
    assert sorted(mine.values_list("title", flat=True)) == ["Secret picks", "Shared picks"]
    assert ListEntry.objects.filter(reading_list__owner=reader).count() == 2
    assert ListEntry.objects.get(pk=library.entry.pk).note == "Mine"
    bookmark = Bookmark.objects.get(reader=reader)
    assert (bookmark.note, [t.name for t in bookmark.tags.all()]) == ("Keep", ["cosy"])


STORY_WRITES = [e for e in ENDPOINTS if e.target == "story"]


@pytest.mark.parametrize("endpoint", STORY_WRITES, ids=str)
def test_a_story_the_reader_may_not_see_cannot_be_listed_or_bookmarked(
    stranger_client: Client, author: User, library: Library, endpoint: Endpoint
) -> None:
    draft = make_story(author, "Not Yet")
    make_part(draft, "Hidden", publish=False)
    before = rows()
    url = reverse(endpoint.name, args=[draft.pk])
    call = stranger_client.post if endpoint.method == "post" else stranger_client.get
    assert call(url, endpoint.data).status_code == 404
    assert rows() == before


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.target == "entry"], ids=str)
def test_an_entry_whose_story_was_hidden_is_404_to_its_owner_too(
    reader_client: Client, library: Library, endpoint: Endpoint
) -> None:
    Story.objects.filter(pk=library.story.pk).update(published_parts_count=0)
    assert endpoint.call(reader_client, library).status_code == 404
    assert ListEntry.objects.get(pk=library.entry.pk).note == "Mine"


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.target], ids=str)
def test_missing_objects_are_404(
    reader_client: Client, library: Library, endpoint: Endpoint
) -> None:
    for missing in (999_999, 2**63, 10**30):
        args = [missing, missing] if endpoint.target == "entry" else [missing]
        url = reverse(endpoint.name, args=args)
        call = reader_client.post if endpoint.method == "post" else reader_client.get
        assert call(url, endpoint.data).status_code == 404, missing


def test_an_entry_is_reached_only_through_its_own_list(
    reader_client: Client, library: Library
) -> None:
    url = reverse("library:entry_edit", args=[library.public.pk, library.entry.pk])
    assert reader_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "target", "method"),
    [
        ("library:lists", "", "post"),
        ("library:list_create", "", "delete"),
        ("library:list_detail", "public", "post"),
        ("library:list_edit", "private", "put"),
        ("library:list_delete", "private", "delete"),
        ("library:list_add", "story", "put"),
        ("library:entry_edit", "entry", "delete"),
        ("library:entry_move", "entry", "get"),
        ("library:entry_remove", "entry", "get"),
        ("library:bookmarks", "", "post"),
        ("library:bookmark", "story", "delete"),
        ("library:bookmark_delete", "story", "get"),
    ],
)
def test_a_wrong_method_is_405_and_changes_nothing(
    reader_client: Client, library: Library, name: str, target: str, method: str
) -> None:
    before = rows()
    url = Endpoint(name, target, method, 405, 405).url(library)
    assert getattr(reader_client, method)(url).status_code == 405
    assert rows() == before


WRITES = [e for e in ENDPOINTS if e.method == "post"]


@pytest.mark.parametrize("endpoint", WRITES, ids=str)
def test_list_and_bookmark_writes_are_rate_limited_per_reader(
    reader_client: Client, stranger_client: Client, library: Library, settings: Any,
    endpoint: Endpoint,
) -> None:  # fmt: skip
    settings.TALEHOUSE_RATE_LIMITS = {**settings.TALEHOUSE_RATE_LIMITS, "library_edit": (0, 60)}
    reader_client.post(reverse("library:list_create"), {"title": "Spend the one hit"})
    before = rows()
    response = endpoint.call(reader_client, library)
    assert response.status_code == 429
    assert "Wait a minute" in response.content.decode()
    assert rows() == before
    other = reverse("library:list_create")
    assert stranger_client.post(other, {"title": "Mine"}).status_code == 302
