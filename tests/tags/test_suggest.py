"""Tag suggestions while typing: existing tags starting with what is typed, of one kind or any,
canonical names first, synonyms saying what they stand for; never a tag that only drafts or
sign-in-only works carry; two queries at most, whatever the number of tags."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from stories.models import Story
from tags.models import Tag, TagKind, get_or_create_tags
from tags.queries import SUGGESTIONS
from tests.conftest import client_for
from tests.factories import make_part, make_story

SUGGEST = reverse("tags:suggest")


def published(author: User, title: str, **tags: list[str]) -> Story:
    story = make_story(author, title, tags=tags)
    make_part(story)
    return story


def suggested(client: Client, q: str, kind: str = "") -> list[dict[str, Any]]:
    response = client.get(SUGGEST, {"q": q, "kind": kind})
    assert response.status_code == 200, response.content
    tags: list[dict[str, Any]] = response.json()["tags"]
    return tags


def names(client: Client, q: str, kind: str = "") -> list[str]:
    return [tag["name"] for tag in suggested(client, q, kind)]


@pytest.fixture
def shelf(author: User) -> None:
    published(author, "One", additional=["Slow Burn", "slowly does it", "Sleepy"])
    published(author, "Two", fandom=["Slow Horses"], character=["Sloane"])


def test_tags_starting_with_what_is_typed_are_suggested_whatever_the_case(
    client: Client, shelf: None
) -> None:
    assert set(names(client, "slo")) == {"Slow Burn", "slowly does it", "Slow Horses", "Sloane"}
    assert set(names(client, "SLOW ")) == {"Slow Burn", "slowly does it", "Slow Horses"}
    assert names(client, "  slow   burn ") == ["Slow Burn"]  # spaces as in a tag's name
    assert names(client, "burn") == []  # the start of a name, not any part of it


def test_suggestions_can_be_of_one_kind(client: Client, shelf: None) -> None:
    assert names(client, "slo", "fandom") == ["Slow Horses"]
    assert names(client, "slo", "character") == ["Sloane"]
    assert set(names(client, "slo", "additional")) == {"Slow Burn", "slowly does it"}
    fandom = suggested(client, "slow h")[0]
    assert fandom["kind"] == "fandom" and fandom["kind_label"] == "Fandom"


def test_canonical_tags_come_first_then_the_others_by_name(client: Client, author: User) -> None:
    published(author, "Mixed", additional=["Slowburn", "Slow Build", "Slow Burn", "Slow Dance"])
    Tag.objects.filter(name__in=["Slow Dance", "Slow Burn"]).update(is_canonical=True)
    Tag.objects.filter(name="Slowburn").update(canonical=Tag.objects.get(name="Slow Burn"))
    assert names(client, "slow") == ["Slow Burn", "Slow Dance", "Slow Build", "Slowburn"]
    flags = [(tag["canonical"], tag["synonym_of"]) for tag in suggested(client, "slow")]
    assert flags == [(True, ""), (True, ""), (False, ""), (False, "Slow Burn")]


def test_a_synonym_says_which_tag_it_stands_for(client: Client, author: User) -> None:
    published(author, "Typed As Synonym", additional=["Slowburn"])
    canonical = get_or_create_tags(TagKind.ADDITIONAL, ["Slow Burn"])[0]
    Tag.objects.filter(pk=canonical.pk).update(is_canonical=True)
    Tag.objects.filter(name="Slowburn").update(canonical=canonical)
    assert suggested(client, "slowb") == [
        {
            "name": "Slowburn",
            "kind": "additional",
            "kind_label": "Additional tag",
            "canonical": False,
            "synonym_of": "Slow Burn",
        }
    ]


def test_tags_only_drafts_or_sign_in_only_works_carry_are_never_suggested(
    author: User, reader: User
) -> None:
    make_story(author, "Draft", tags={"relationship": ["Secret/Ship"]})  # no published part
    members_only = published(author, "Members", relationship=["Quiet/Pair"])
    Story.objects.filter(pk=members_only.pk).update(restricted=True)
    published(author, "Open", relationship=["Open/Pair"])
    # The answer is the same for everyone, the writer and members included.
    for client in (Client(), client_for(reader), client_for(author)):
        assert names(client, "secret") == [] and names(client, "quiet") == []
        assert names(client, "open") == ["Open/Pair"]
    # Once a gardener marks it canonical, a tag is anyone's to see.
    Tag.objects.filter(name="Secret/Ship").update(is_canonical=True)
    assert names(Client(), "secret") == ["Secret/Ship"]
    # And a tag also on one public work is known already.
    published(author, "Now Open", relationship=["Quiet/Pair"])
    assert names(Client(), "quiet") == ["Quiet/Pair"]


def test_a_tag_no_work_carries_any_more_is_not_suggested(client: Client, author: User) -> None:
    get_or_create_tags(TagKind.ADDITIONAL, ["Orphaned Tag"])
    assert names(client, "orph") == []


def test_wildcards_typed_are_plain_characters(client: Client, author: User) -> None:
    published(author, "Percent", additional=["100% Fluff", "1000 Words", "a_b", "axb"])
    assert names(client, "100%") == ["100% Fluff"]
    assert names(client, "a_") == ["a_b"]


def test_the_answer_is_bounded(client: Client, author: User) -> None:
    published(author, "Many", additional=[f"Harbour {n:02d}" for n in range(SUGGESTIONS + 5)])
    found = names(client, "harb")
    assert found == [f"Harbour {n:02d}" for n in range(SUGGESTIONS)]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"q": "slow", "kind": "planet"}, "There is no such kind of tag."),
        ({"q": "x" * 151}, "A tag is at most 150 characters."),
    ],
)
def test_bad_input_gets_a_clear_answer(
    client: Client, shelf: None, query: dict[str, str], message: str
) -> None:
    response = client.get(SUGGEST, query)
    assert response.status_code == 400
    assert response.json() == {"error": message}


def test_nothing_typed_asks_the_database_nothing(
    client: Client, shelf: None, django_assert_num_queries: Any
) -> None:
    for query in ({}, {"q": "   "}, {"q": "", "kind": "fandom"}):
        with django_assert_num_queries(0):
            response = client.get(SUGGEST, query)
        assert response.status_code == 200 and response.json() == {"tags": []}


def test_only_get_and_head_are_answered(client: Client, reader_client: Client) -> None:
    assert client.post(SUGGEST, {"q": "slow"}).status_code == 405
    assert reader_client.put(SUGGEST).status_code == 405
    assert client.head(SUGGEST, {"q": "slow"}).status_code == 200


def test_one_address_asking_too_fast_is_told_to_wait(
    client: Client, shelf: None, settings: Any
) -> None:
    settings.TALEHOUSE_RATE_LIMITS = settings.TALEHOUSE_RATE_LIMITS | {"tag_suggest": (3, 60)}
    assert [client.get(SUGGEST, {"q": "slo"}).status_code for _ in range(4)] == [200] * 3 + [429]
    other_address = client.get(SUGGEST, {"q": "slo"}, REMOTE_ADDR="192.0.2.7")
    assert other_address.status_code == 200


def test_the_answer_is_the_same_for_everyone_and_may_be_kept_a_minute(
    reader_client: Client, shelf: None
) -> None:
    response = reader_client.get(SUGGEST, {"q": "slo"})
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "") and not response.cookies


@pytest.mark.parametrize("tags", [3, 30])
def test_suggesting_costs_two_queries_whatever_the_number_of_tags(
    client: Client, author: User, tags: int, django_assert_num_queries: Any
) -> None:
    published(author, "Tagged", additional=[f"Lantern {n}" for n in range(tags)])
    Tag.objects.filter(name="Lantern 1").update(is_canonical=True)
    # The canonical tags, then the others that are in public use.
    with django_assert_num_queries(2):
        assert len(names(client, "lantern")) == min(tags, SUGGESTIONS)
    # Enough canonical tags to fill the answer: the others are not asked for.
    Tag.objects.update(is_canonical=True)
    with django_assert_num_queries(1 if tags >= SUGGESTIONS else 2):
        assert len(names(client, "lantern")) == min(tags, SUGGESTIONS)


# --- where the suggestions are offered -------------------------------------------------------


def test_the_story_forms_tag_boxes_ask_for_suggestions_of_their_kind(
    author_client: Client,
) -> None:
    html = author_client.get(reverse("stories:story_create")).content.decode()
    assert "tags/tag-suggest.js" in html
    for field_name, kind in [
        ("fandoms", "fandom"),
        ("relationships", "relationship"),
        ("background_relationships", "relationship"),
        ("characters", "character"),
        ("additional_tags", "additional"),
    ]:
        # A plain text box without JavaScript: any tag can still be typed.
        assert (
            f'<input type="text" name="{field_name}" data-tag-suggest="{SUGGEST}?kind={kind}"'
            in html
        )


def test_the_works_filters_tag_boxes_ask_for_suggestions(client: Client, db: None) -> None:
    html = client.get(reverse("discover:works")).content.decode()
    assert "tags/tag-suggest.js" in html
    assert f'name="tag" data-tag-suggest="{SUGGEST}"' in html
    assert f'name="xtag" data-tag-suggest="{SUGGEST}"' in html
    assert f'name="main" data-tag-suggest="{SUGGEST}?kind=relationship"' in html
