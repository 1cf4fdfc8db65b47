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
from library.actions import do_add_to_list, do_create_list
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


# --- writer profiles and public reading lists ---------------------------------------------------


def test_a_writers_profile_folds_what_the_reader_hides(
    reader: User, reader_client: Client, shelf: dict[str, Story], author: User, client: Client
) -> None:
    profile_url = reverse("accounts:profile", args=[author.username])
    do_hide_tag(reader, "*/Clarke Griffin")
    assert hidden_on_profile(reader_client, profile_url) == {
        "Orbit": "",
        "Ground": "tag “*/Clarke Griffin”",
        "Plain": "",
    }
    html = reader_client.get(profile_url).content.decode()
    assert "Hidden by your filters: tag “*/Clarke Griffin”." in html and "Show anyway" in html
    assert "You hide works by" not in html  # the writer is not hidden, one work is
    assert set(hidden_on_profile(client, profile_url).values()) == {""}  # nobody else's


def test_a_writer_the_reader_hid_gets_a_note_on_their_profile_with_the_way_back(
    reader: User, reader_client: Client, shelf: dict[str, Story], author: User
) -> None:
    profile_url = reverse("accounts:profile", args=[author.username])
    post(reader_client, "hide_writer", writer=author.username)
    name = User.objects.get(pk=author.pk).display_name
    assert set(hidden_on_profile(reader_client, profile_url).values()) == {f"writer {name}"}
    html = reader_client.get(profile_url).content.decode()
    assert f"You hide works by {name} (your filters)" in html
    assert f"Stop hiding works by {name}" in html
    rule = HideRule.objects.get(reader=reader, writer=author)
    response = post(reader_client, "remove", rule=rule.pk, next=profile_url)
    assert response.status_code == 302 and response["Location"] == profile_url
    assert set(hidden_on_profile(reader_client, profile_url).values()) == {""}
    assert "You hide works by" not in reader_client.get(profile_url).content.decode()


def test_a_writer_sees_all_their_own_stories_on_their_profile_whatever_their_filters(
    author: User, author_client: Client, shelf: dict[str, Story]
) -> None:
    do_hide_tag(author, "*Clarke*")
    profile_url = reverse("accounts:profile", args=[author.username])
    assert set(hidden_on_profile(author_client, profile_url).values()) == {""}


def test_another_readers_public_list_folds_what_the_viewer_hides(
    reader: User, stranger: User, stranger_client: Client, shelf: dict[str, Story]
) -> None:
    picks = do_create_list(reader, "Picks", "", is_public=True)
    for story in shelf.values():
        do_add_to_list(picks, story, "")
    post(stranger_client, "hide_story", story=shelf["Plain"].pk)
    do_hide_tag(stranger, "Murphy/*")
    assert hidden_on_list(stranger_client, picks) == {
        "Orbit": "",
        "Ground": "tag “Murphy/*”",
        "Plain": "you hid this work",
    }
    html = stranger_client.get(picks.get_absolute_url()).content.decode()
    assert "Hidden by your filters: you hid this work." in html and "Show anyway" in html
    # The owner chose every story on their list: their own filters fold nothing there.
    do_hide_tag(reader, "Murphy/*")
    assert set(hidden_on_list(client_for(reader), picks).values()) == {""}
    assert set(hidden_on_list(Client(), picks).values()) == {""}


def hidden_on_profile(client: Client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return {
        story.title: getattr(story, "hidden_because", "") for story in response.context["stories"]
    }


def hidden_on_list(client: Client, reading_list: Any) -> dict[str, str]:
    response = client.get(reading_list.get_absolute_url())
    assert response.status_code == 200
    return {
        entry.story.title: getattr(entry.story, "hidden_because", "")
        for entry in response.context["page"].items
    }


# A signed-in reader with a tag rule on another writer's profile or reader's list: the page's
# queries for a visitor (tests/library/test_lists.py), the four of every personal page (session,
# user, reader settings, unread badge), the filter profile's rules and settings, and the page's
# tags, which a tag rule reads (the tags the rules hide are cached). Without a tag rule or a
# relationship limit, one query less.
PROFILE_QUERIES_SIGNED_IN = 5 + 4 + 3
LIST_QUERIES_SIGNED_IN_WITH_TAG_RULES = 2 + 4 + 3


@pytest.mark.parametrize("works", [3, 30])
def test_profiles_and_lists_fold_at_a_fixed_cost_whatever_the_number_of_works(
    author: User, reader: User, works: int, django_assert_num_queries: Any
) -> None:
    picks = do_create_list(author, "Picks", "", is_public=True)
    for n in range(works):
        story = make_story(author, f"Work {n}", tags={"relationship": [f"A{n}/B"]})
        make_part(story, "One", "<p>Text.</p>")
        do_add_to_list(picks, story, "")
    do_hide_tag(reader, "A1*")
    client = client_for(reader)
    profile_url = reverse("accounts:profile", args=[author.username])
    for url in (profile_url, picks.get_absolute_url()):
        client.get(url)  # the hidden tags are cached, sessions settle
    with django_assert_num_queries(PROFILE_QUERIES_SIGNED_IN):
        assert hidden_on_profile(client, profile_url)["Work 1"] == "tag “A1*”"
    with django_assert_num_queries(LIST_QUERIES_SIGNED_IN_WITH_TAG_RULES):
        assert hidden_on_list(client, picks)["Work 1"] == "tag “A1*”"
