"""Full-text search on both backends (the suite runs on SQLite and on PostgreSQL): kept in step
with the stories through the task queue, ranked, with escaped and highlighted snippets,
combined with the works filters, limited to what the reader may see, never a 500."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from discover.profile import do_hide_tag
from search.indexing import index_story
from search.models import SearchDocument
from stories.actions import do_delete_story, do_save_part, do_unpublish_part
from stories.models import Story
from tags.models import Tag
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user, run_task_worker

WORKS = reverse("discover:works")


def found(client: Client, q: str, **filters: Any) -> list[str]:
    response = client.get(WORKS, {"q": q, **filters})
    assert response.status_code == 200, response.content.decode()[:3000]
    return [story.title for story in response.context["page"].object_list]


def indexed(story: Story) -> Story:
    index_story(story.pk)
    return story


@pytest.fixture
def shelf(author: User) -> dict[str, Story]:
    """Three works: one with the word in its title, one in its text only, one without."""
    lantern = make_story(author, "The Lantern Keeper", summary="A keeper and her light.")
    make_part(lantern, "One", "<p>The harbour was dark that night.</p>")
    tide = make_story(author, "Low Tide", summary="Two sisters wait for the sea.")
    make_part(tide, "One", "<p>She lit the old lantern by the door &amp; waited.</p>")
    make_part(tide, "Two", "<p>Draft words: moonstone.</p>", publish=False)
    other = make_story(author, "Salt Roads", summary="A road trip.")
    make_part(other, "One", "<p>Nothing glows here.</p>")
    return {s.title: indexed(s) for s in (lantern, tide, other)}


def test_search_finds_title_and_text_and_ranks_the_title_first(
    client: Client, shelf: dict[str, Story]
) -> None:
    assert found(client, "lantern") == ["The Lantern Keeper", "Low Tide"]
    assert found(client, "lanterns") == ["The Lantern Keeper", "Low Tide"]  # stemmed
    assert found(client, "lantern -harbour") == ["Low Tide"]
    assert found(client, '"lit the old lantern"') == ["Low Tide"]
    assert found(client, "lantern road") == []
    assert sorted(found(client, "lantern OR road")) == sorted(shelf)
    assert found(client, "moonstone") == []  # a draft part's words are not searchable


def test_snippets_mark_the_match_and_escape_the_text(
    client: Client, author: User, shelf: dict[str, Story]
) -> None:
    sneaky = make_story(author, "Markup", summary="")
    make_part(sneaky, "One", "<p>Tom &amp; Jerry lit the beacon &lt;b&gt;twice&lt;/b&gt;.</p>")
    indexed(sneaky)
    html = client.get(WORKS, {"q": "beacon"}).content.decode()
    snippet = html.split('class="work-snippet"')[1].split("</p>")[0]
    assert "<mark>beacon</mark>" in snippet
    assert "Jerry lit the <mark>beacon</mark>" in snippet
    # The story's text, escaped: no tag of its own, no bare ampersand.
    assert "<b>" not in snippet and not re.search(r"&(?!amp;|lt;|gt;|quot;|#)", snippet)
    tide = client.get(WORKS, {"q": "lantern door"}).content.decode()
    assert "<mark>lantern</mark>" in tide


def test_search_combines_with_filters_and_sorts(client: Client, shelf: dict[str, Story]) -> None:
    Story.objects.filter(title="Low Tide").update(rating="mature", reads_count=50)
    assert found(client, "lantern", rating="mature") == ["Low Tide"]
    assert found(client, "lantern", sort="reads") == ["Low Tide", "The Lantern Keeper"]
    # Without a search, "best match" falls back to the newest update.
    response = client.get(WORKS, {"sort": "relevance"})
    assert response.status_code == 200


def test_a_canonical_tag_name_finds_works_tagged_with_a_synonym(
    client: Client, author: User
) -> None:
    story = make_story(author, "Embers", tags={"additional": ["Slowest Burn"]})
    make_part(story, "One", "<p>Warm.</p>")
    canonical = Tag.objects.create(kind="additional", name="Glacial Romance", slug="glacial")
    Tag.objects.filter(name="Slowest Burn").update(canonical=canonical)
    indexed(story)
    assert found(client, "glacial romance") == ["Embers"]


def test_search_shows_only_what_the_reader_may_see(
    client: Client, author: User, reader: User
) -> None:
    member_only = make_story(author, "Quiet Room", restricted=True)
    make_part(member_only, "One", "<p>A whisper of willow.</p>")
    draft = make_story(author, "Unfinished Willow")
    make_part(draft, "One", "<p>willow</p>", publish=False)
    indexed(member_only), indexed(draft)
    assert found(client, "willow") == []
    assert found(client_for(reader), "willow") == ["Quiet Room"]
    assert not SearchDocument.objects.filter(story=draft).exists()


@pytest.mark.parametrize(
    "q",
    [
        '"unclosed phrase',
        "lantern AND (",
        "NEAR(lantern harbour)",
        "^lantern*",
        "lantern:title",
        "- -- OR OR",
        "'; DROP TABLE stories_story; --",
        "\\x00\u202e",
    ],
)
def test_no_query_is_a_server_error(client: Client, shelf: dict[str, Story], q: str) -> None:
    response = client.get(WORKS, {"q": q})
    assert response.status_code in {200, 400}
    assert Story.objects.count() == 3


def test_a_query_with_nothing_to_look_for_gets_a_clear_answer(
    client: Client, shelf: dict[str, Story]
) -> None:
    response = client.get(WORKS, {"q": "-lantern"})
    assert response.status_code == 400
    assert "Say what to look for, not only what to leave out." in response.content.decode()
    response = client.get(WORKS, {"q": " ".join(f"w{n}" for n in range(21))})
    assert response.status_code == 400
    assert "at most 20 words or phrases" in response.content.decode()


@pytest.mark.parametrize("works", [3, 30])
def test_a_search_page_costs_the_same_queries_whatever_the_number_of_works(
    author: User, works: int
) -> None:
    for n in range(works):
        story = make_story(author, f"Lantern {n}")
        make_part(story, "One", "<p>A lantern glows.</p>")
        indexed(story)
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(WORKS, {"q": "lantern"}).status_code == 200
    # The best matches, the count, the page, its writers, its tags, the snippets, the facets.
    assert len(queries) == 7, [q["sql"][:150] for q in queries]


# A signed-in reader: the visitor's seven, the four of every personal page (session, user,
# reader settings, unread badge) and the reader's filter profile (rules, settings; the page's
# tags are loaded for the blurbs anyway, the tags its rules hide are cached).
SEARCH_QUERIES_SIGNED_IN = 7 + 4 + 2


@pytest.mark.parametrize("works", [3, 30])
def test_a_search_page_costs_a_signed_in_reader_the_same_whatever_the_number_of_works(
    author: User, works: int
) -> None:
    for n in range(works):
        story = make_story(author, f"Lantern {n}")
        make_part(story, "One", "<p>A lantern glows.</p>")
        indexed(story)
    reader = make_user(username="picky")
    do_hide_tag(reader, "Slow*")
    client = client_for(reader)
    client.get(WORKS, {"q": "lantern"})  # the hidden tags are cached, sessions settle
    with CaptureQueriesContext(connection) as queries:
        response = client.get(WORKS, {"q": "lantern"})
    assert response.status_code == 200
    assert all(story.hidden_because for story in response.context["page"].object_list)
    assert len(queries) == SEARCH_QUERIES_SIGNED_IN, [q["sql"][:150] for q in queries]


def test_the_rebuild_command_indexes_everything_and_drops_what_went_private(
    client: Client, shelf: dict[str, Story]
) -> None:
    SearchDocument.objects.all().delete()
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "3 stories indexed." in out.getvalue()
    assert found(client, "lantern") == ["The Lantern Keeper", "Low Tide"]


@pytest.mark.django_db(transaction=True)
def test_the_index_follows_publishing_editing_unpublishing_and_deleting() -> None:
    author = make_user(username="writer")
    story = make_story(author, "Driftwood")
    part = make_part(story, "One", "<p>A gull called.</p>")
    run_task_worker()
    client = Client()
    assert found(client, "gull") == ["Driftwood"]

    do_save_part(part, "One", "<p>A heron called.</p>")
    run_task_worker()
    assert found(client, "heron") == ["Driftwood"] and found(client, "gull") == []

    do_unpublish_part(part)
    run_task_worker()
    assert found(client, "heron") == []
    assert not SearchDocument.objects.filter(story=story).exists()

    make_part(story, "Two", "<p>An osprey dived.</p>")
    run_task_worker()
    assert found(client, "osprey") == ["Driftwood"]
    do_delete_story(story)
    run_task_worker()
    assert found(client, "osprey") == []
    assert not SearchDocument.objects.exists()
    other = make_story(author, "Osprey Bay")
    make_part(other, "One", "<p>Wings.</p>")
    run_task_worker()
    assert found(client, "osprey") == ["Osprey Bay"]  # the index stayed consistent
