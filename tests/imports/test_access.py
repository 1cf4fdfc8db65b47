"""Who may reach each import URL, and with which method: a writer's imports are theirs alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from imports.actions import do_start_import
from imports.models import ImportPreview
from imports.urls import urlpatterns
from stories.models import Part, Story
from tests.conftest import client_for
from tests.factories import make_part, make_story

MARKDOWN = b"# Ferry Crossing\n\n## Outward\n\nThe gulls came with us.\n\n## Back\n\nThey stayed.\n"


@dataclass(frozen=True)
class Endpoint:
    """One import URL and how to call it; `owner_gets` is the status its writer gets."""

    name: str
    target: str | None  # "import", "story", or None
    method: str
    owner_gets: int
    sends_file: bool = False

    def url(self, story: Story, preview: ImportPreview) -> str:
        if self.target is None:
            return reverse(self.name)
        return reverse(self.name, args=[story.pk if self.target == "story" else preview.pk])

    def call(self, client: Client, story: Story, preview: ImportPreview) -> Any:
        url = self.url(story, preview)
        if self.method == "get":
            return client.get(url)
        data = {"file": SimpleUploadedFile("ferry.md", MARKDOWN)} if self.sends_file else {}
        return client.post(url, data)

    def __str__(self) -> str:
        return f"{self.method.upper()}-{self.name.removeprefix('imports:')}"


IMPORT_ENDPOINTS = [
    Endpoint("imports:preview", "import", "get", 200),
    Endpoint("imports:status", "import", "get", 302),  # without htmx: to the preview page
    Endpoint("imports:confirm", "import", "post", 302),
    Endpoint("imports:cancel", "import", "post", 302),
]
STORY_ENDPOINTS = [
    Endpoint("imports:start_parts", "story", "get", 200),
    Endpoint("imports:start_parts", "story", "post", 302, sends_file=True),
]
DESK_ENDPOINTS = [
    Endpoint("imports:start", None, "get", 200),
    Endpoint("imports:start", None, "post", 302, sends_file=True),
]
ALL_ENDPOINTS = IMPORT_ENDPOINTS + STORY_ENDPOINTS + DESK_ENDPOINTS


def test_the_table_covers_every_import_url() -> None:
    assert {f"imports:{pattern.name}" for pattern in urlpatterns} == {
        endpoint.name for endpoint in ALL_ENDPOINTS
    }


@pytest.fixture
def published(author: User) -> Story:
    story = make_story(author, "Open Water")
    make_part(story, "Launch", "<p>Out past the buoy.</p>")
    return story


@pytest.fixture
def draft_story(author: User) -> Story:
    story = make_story(author, "Still Docked")
    make_part(story, "Moored", "<p>Not yet.</p>", publish=False)
    return story


@pytest.fixture
def preview(author: User, published: Story) -> ImportPreview:
    """The author's import of parts into their published story, read and waiting."""
    return do_start_import(author, "ferry.md", MARKDOWN, published)


def snapshot() -> tuple[Any, ...]:
    return (
        list(Story.objects.unchecked("test").values_list("pk", "title", "edited_at")),
        list(Part.objects.unchecked("test").values_list("pk", "title", "body_html", "status")),
        list(ImportPreview.objects.values_list("pk", "status")),
    )


@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS, ids=str)
def test_anonymous_visitors_are_sent_to_sign_in(
    client: Client, published: Story, preview: ImportPreview, endpoint: Endpoint
) -> None:
    before = snapshot()
    response = endpoint.call(client, published, preview)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS, ids=str)
def test_the_writer_may_use_every_import_url(
    author_client: Client, published: Story, preview: ImportPreview, endpoint: Endpoint
) -> None:
    response = endpoint.call(author_client, published, preview)
    assert response.status_code == endpoint.owner_gets


@pytest.mark.parametrize("who", ["reader", "stranger"])
@pytest.mark.parametrize("endpoint", IMPORT_ENDPOINTS, ids=str)
def test_another_member_cannot_see_or_touch_a_writers_import(
    published: Story,
    preview: ImportPreview,
    reader: User,
    stranger: User,
    who: str,
    endpoint: Endpoint,
) -> None:
    before = snapshot()
    response = endpoint.call(
        client_for({"reader": reader, "stranger": stranger}[who]), published, preview
    )
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", STORY_ENDPOINTS, ids=str)
def test_a_stranger_cannot_import_into_someone_elses_story(
    stranger_client: Client, published: Story, preview: ImportPreview, endpoint: Endpoint
) -> None:
    before = snapshot()
    assert endpoint.call(stranger_client, published, preview).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", STORY_ENDPOINTS, ids=str)
def test_a_stranger_cannot_find_a_draft_story_to_import_into(
    stranger_client: Client, draft_story: Story, preview: ImportPreview, endpoint: Endpoint
) -> None:
    before = snapshot()
    assert endpoint.call(stranger_client, draft_story, preview).status_code == 404
    assert snapshot() == before


def test_an_expired_preview_is_gone(
    author_client: Client, preview: ImportPreview, settings: Any
) -> None:
    settings.TALEHOUSE_IMPORT_PREVIEW_HOURS = 0
    assert author_client.get(reverse("imports:preview", args=[preview.pk])).status_code == 404
    assert author_client.post(reverse("imports:confirm", args=[preview.pk])).status_code == 404
    assert not Part.objects.unchecked("test").filter(title="Outward").exists()


def test_a_missing_import_is_404(author_client: Client, db: None) -> None:
    assert author_client.get(reverse("imports:preview", args=[999_999])).status_code == 404


@pytest.mark.parametrize(
    ("name", "target", "method"),
    [
        ("imports:start", None, "put"),
        ("imports:start_parts", "story", "delete"),
        ("imports:preview", "import", "post"),
        ("imports:status", "import", "post"),
        ("imports:confirm", "import", "get"),
        ("imports:cancel", "import", "get"),
        ("imports:confirm", "import", "put"),
        ("imports:cancel", "import", "delete"),
    ],
)
def test_a_wrong_method_is_405_and_changes_nothing(
    author_client: Client,
    published: Story,
    preview: ImportPreview,
    name: str,
    target: str | None,
    method: str,
) -> None:
    before = snapshot()
    url = Endpoint(name, target, method, 405).url(published, preview)
    assert getattr(author_client, method)(url).status_code == 405
    assert snapshot() == before
