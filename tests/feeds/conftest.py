from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import feedparser
import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from stories.actions import do_unpublish_part
from stories.models import Part, Story
from tests.factories import make_part, make_story, make_user

# Every work here carries this fandom, so the tag's feeds would show any that leaked.
FANDOM = {"fandom": ["Harbour Lights"], "additional": ["Slow Burn"]}


@dataclass
class Shelf:
    """A writer's works as readers meet them: one public story with a published part and a
    draft part, and three that no feed may show."""

    writer: User
    public: Story
    published_part: Part
    draft_part: Part
    members_only: Story  # sign-in-only
    draft: Story  # never published
    taken_down: Story  # its only part unpublished again by the writer

    @property
    def unseen_titles(self) -> list[str]:
        return [
            self.members_only.title,
            self.draft.title,
            self.taken_down.title,
            self.draft_part.title,
        ]


@pytest.fixture
def shelf(db: None) -> Shelf:
    writer = make_user(username="mira")
    public = make_story(writer, "The Lamplighter", tags=FANDOM, summary="Lights & <harbours>.")
    published_part = make_part(public, "Dusk", "<p>The lamps came on.</p>")
    draft_part = make_part(public, "Unwritten Dawn", "<p>Not yet.</p>", publish=False)
    members_only = make_story(writer, "Members Lantern", tags=FANDOM, restricted=True)
    make_part(members_only, "Behind the door")
    draft = make_story(writer, "Drafty Lantern", tags=FANDOM)
    make_part(draft, "Still writing", publish=False)
    taken_down = make_story(writer, "Taken-down Lantern", tags=FANDOM)
    do_unpublish_part(make_part(taken_down, "Gone again"))
    return Shelf(writer, public, published_part, draft_part, members_only, draft, taken_down)


def parsed(response: Any) -> Any:
    """The response parsed as a feed reader would; it must be well-formed."""
    assert response.status_code == 200, response.status_code
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def path_of(url: str) -> str:
    """An absolute URL of ours as the test client's path."""
    assert url.startswith(settings.SITE_URL + "/"), url
    return url.removeprefix(settings.SITE_URL)


@pytest.fixture
def anonymous() -> Client:
    return Client()
