"""The personal filter profile: hidden tags (with * wildcards and synonyms), writers, works
and a cap on relationship tags fold works away in every listing and search, saying why."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from discover.models import MAX_HIDE_RULES, HideRule
from discover.profile import do_hide_tag
from search.indexing import rebuild_index
from stories.models import Story
from tags.actions import do_make_canonical, do_make_synonym
from tags.models import Tag
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user

WORKS = reverse("discover:works")
FILTERS = reverse("discover:filters")


@pytest.fixture
def shelf(author: User) -> dict[str, Story]:
    stories = {}
    for title, ships in [
        ("Orbit", ["Clarke Griffin/Bellamy Blake"]),
        ("Ground", ["Raven Reyes/Clarke Griffin", "Octavia Blake/Lincoln", "Murphy/Emori"]),
        ("Plain", []),
    ]:
        story = make_story(author, title, tags={"relationship": ships, "fandom": ["The 100"]})
        make_part(story, "One", "<p>Text.</p>")
        stories[title] = story
    return stories


def hidden(client: Client, url: str = WORKS, **query: str) -> dict[str, str]:
    """Each listed work's title, and why it is hidden ("" if shown)."""
    response = client.get(url, query)
    assert response.status_code == 200
    items = response.context["page"].object_list
    return {story.title: story.hidden_because for story in items}


def post(client: Client, action: str, **data: Any) -> Any:
    return client.post(FILTERS, {"action": action, **data})


def test_a_wildcard_tag_rule_folds_matching_works_and_says_why(
    reader_client: Client, shelf: dict[str, Story], client: Client
) -> None:
    response = post(reader_client, "hide_tag", pattern="*/Clarke   Griffin")
    assert response.status_code == 302
    assert hidden(reader_client) == {
        "Orbit": "",  # Clarke Griffin/Bellamy Blake: Clarke is not second
        "Ground": "tag “*/Clarke Griffin”",
        "Plain": "",
    }
    html = reader_client.get(WORKS).content.decode()
    assert "Hidden by your filters: tag “*/Clarke Griffin”." in html and "Show anyway" in html
    assert 'href="' + shelf["Ground"].get_absolute_url() + '"' in html  # one click away
    # Everywhere: search, the home page and tag pages; never for anybody else.
    rebuild_index()
    assert hidden(reader_client, q="text")["Ground"]
    assert "Hidden by your filters" in reader_client.get("/").content.decode()
    tag_page = Tag.objects.get(name="The 100").get_absolute_url()
    assert "Hidden by your filters" in reader_client.get(tag_page).content.decode()
    assert "Hidden by your filters" not in client.get(WORKS).content.decode()


def test_hiding_a_canonical_tag_hides_its_synonyms(
    reader: User, reader_client: Client, shelf: dict[str, Story]
) -> None:
    canonical = do_make_canonical(Tag.objects.get(name="Clarke Griffin/Bellamy Blake"))
    story = make_story(shelf["Plain"].author, "Variant", tags={"relationship": ["Bellarke"]})
    make_part(story, "One", "<p>Text.</p>")
    do_make_synonym(Tag.objects.get(name="Bellarke"), canonical.name)
    do_hide_tag(reader, "clarke griffin/bellamy blake")
    result = hidden(reader_client)
    assert result["Orbit"] and result["Variant"] and not result["Plain"]


def test_writers_works_and_crowded_ships_are_hidden_from_the_blurbs_buttons(
    reader_client: Client, shelf: dict[str, Story], author: User
) -> None:
    back = WORKS + "?sort=words"
    response = post(reader_client, "hide_story", story=shelf["Plain"].pk, next=back)
    assert response.status_code == 302 and response["Location"] == back
    assert hidden(reader_client)["Plain"] == "you hid this work"
    post(reader_client, "max_relationships", max_relationships="2")
    assert hidden(reader_client)["Ground"] == "more than 2 relationship tags"
    post(reader_client, "hide_writer", writer=author.username, next="https://evil.example/")
    by_author = f"writer {User.objects.get(pk=author.pk).display_name}"
    assert set(hidden(reader_client).values()) == {"you hid this work", by_author}

    rule = HideRule.objects.get(story=shelf["Plain"])
    post(reader_client, "remove", rule=rule.pk)
    post(reader_client, "max_relationships", max_relationships="")
    assert hidden(reader_client)["Plain"] == by_author


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("hide_tag", {"pattern": " *** "}, "A tag pattern needs some letters, not only *."),
        ("hide_tag", {"pattern": "x" * 151}, "at most 150 characters"),
        ("hide_writer", {"writer": "nobody"}, "There is no writer called “nobody”."),
        ("hide_writer", {"writer": "reader"}, "You cannot hide yourself."),
        ("max_relationships", {"max_relationships": "51"}, "from 0 to 50"),
        ("max_relationships", {"max_relationships": "two"}, "from 0 to 50"),
    ],
)
def test_bad_rules_get_a_clear_answer_and_change_nothing(
    reader_client: Client, shelf: dict[str, Story], action: str, data: dict[str, str], message: str
) -> None:
    response = post(reader_client, action, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not HideRule.objects.exists()


def test_the_profile_is_the_readers_own_and_bounded(
    reader: User, reader_client: Client, shelf: dict[str, Story], author: User
) -> None:
    anonymous = Client()
    for response in (anonymous.get(FILTERS), post(anonymous, "hide_tag", pattern="x")):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert post(reader_client, "burn").status_code == 400
    assert reader_client.put(FILTERS).status_code == 405
    draft = make_story(author, "Secret")
    assert post(reader_client, "hide_story", story=draft.pk).status_code == 404
    theirs = HideRule.objects.create(reader=author, tag_pattern="x")
    post(reader_client, "remove", rule=theirs.pk)
    assert HideRule.objects.filter(pk=theirs.pk).exists()
    HideRule.objects.bulk_create(
        HideRule(reader=reader, tag_pattern=f"tag {n}") for n in range(MAX_HIDE_RULES)
    )
    response = post(reader_client, "hide_tag", pattern="one more")
    assert response.status_code == 400 and "at most 200 rules" in response.content.decode()


def test_a_second_identical_rule_is_not_added(
    reader: User, reader_client: Client, shelf: dict[str, Story]
) -> None:
    post(reader_client, "hide_tag", pattern="Murphy/*")
    post(reader_client, "hide_tag", pattern="murphy/*")
    assert HideRule.objects.filter(reader=reader).count() == 2  # case kept as typed
    post(reader_client, "hide_tag", pattern="Murphy/*")
    assert HideRule.objects.filter(reader=reader).count() == 2


@pytest.mark.parametrize("works", [3, 30])
def test_the_profile_costs_the_same_queries_whatever_the_number_of_works(
    author: User, works: int
) -> None:
    for n in range(works):
        story = make_story(author, f"Work {n}", tags={"relationship": [f"A{n}/B"]})
        make_part(story, "One", "<p>Text.</p>")
    reader = make_user(username="picky")
    do_hide_tag(reader, "A1*")
    client = client_for(reader)
    client.get(WORKS)  # sessions and such settle
    with CaptureQueriesContext(connection) as queries:
        assert client.get(WORKS).status_code == 200
    # Session, user, the member's profile (reading settings) and unread badge; count, page,
    # writers, tags, facets; the rules, the settings (the tags the rules hide are cached).
    assert len(queries) == 11, [q["sql"][:120] for q in queries]
