"""The works listing: every filter and sort checked against a brute-force evaluation of the
same data, synonyms, bad input, who sees what, and a query budget that does not grow."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from accounts.models import User
from stories.actions import StoryData, do_create_story
from stories.models import Story
from tags.models import Tag, TagKind
from tests.factories import make_part, make_user

WORKS = reverse("discover:works")
TAG_NAMES = {
    "fandom": ["Harbour Lights", "Salt Roads"],
    "relationship": ["Mara/Ash"],
    "character": ["Mara"],
    "additional": ["Slow Burn", "Found Family"],
}
RATINGS = ["general", "teen", "mature", "explicit"]
WARNINGS = ["none", "chose_not", "violence", "death"]
LANGUAGES = ["en", "fr"]
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def story_with(author: User, n: int, rng: random.Random, **overrides: Any) -> Story:
    tags = {
        kind: rng.sample(names, k=rng.randint(0, len(names))) for kind, names in TAG_NAMES.items()
    }
    data = {
        "title": f"Work {n}",
        "rating": rng.choice(RATINGS),
        "warnings": rng.sample(WARNINGS, k=rng.randint(1, 2)),
        "language": rng.choice(LANGUAGES),
        "status": rng.choice(["in_progress", "complete"]),
        "tags": tags,
    } | overrides
    story = do_create_story(author, StoryData(**data))
    make_part(story, "One", "<p>" + " ".join(["word"] * rng.randint(1, 60)) + "</p>")
    Story.objects.filter(pk=story.pk).update(
        updated_at=NOW - timedelta(days=rng.randint(0, 60)),
        published_at=timezone.now() - timedelta(days=rng.randint(0, 60)),
        reads_count=rng.randint(0, 5) * 10,
        votes_count=rng.randint(0, 9),
    )
    return story


@pytest.fixture
def archive(db: None) -> list[Story]:
    """Twenty public works of varied shape, one draft, and "Slow-Burning" as a synonym of
    "Slow Burn" carried by one work only."""
    rng = random.Random(7)
    author = make_user(username="teller")
    stories = [story_with(author, n, rng) for n in range(20)]
    do_create_story(author, StoryData(title="Unpublished", tags={"fandom": ["Harbour Lights"]}))
    synonym_story = story_with(author, 99, rng, tags={"additional": ["Slow-Burning"]})
    canonical = Tag.objects.get(kind="additional", name="Slow Burn")
    Tag.objects.filter(name="Slow-Burning").update(canonical=canonical)
    return [*stories, synonym_story]


def tag_names_of(story: Story) -> set[str]:
    names = {st.tag.name for st in story.story_tags.select_related("tag")}
    if "Slow-Burning" in names:
        names.add("Slow Burn")  # its canonical tag
    return names


def expected(stories: list[Story], query: dict[str, Any]) -> list[int]:
    """The filter, evaluated in Python over the same works."""
    keep = []
    for story in Story.objects.filter(pk__in=[s.pk for s in stories]):
        names = tag_names_of(story)
        if not set(query.get("tag", [])) <= names or set(query.get("xtag", [])) & names:
            continue
        if query.get("rating") and story.rating not in query["rating"]:
            continue
        if set(query.get("xwarning", [])) & set(story.warnings):
            continue
        if query.get("complete") and story.status != "complete":
            continue
        if query.get("language") and story.language != query["language"]:
            continue
        if "words_from" in query and story.word_count < query["words_from"]:
            continue
        if "words_to" in query and story.word_count > query["words_to"]:
            continue
        updated = story.updated_at or NOW
        if "updated_since" in query and updated.date() < query["updated_since"]:
            continue
        keep.append(story)
    key = {
        "updated": lambda s: (-s.updated_at.timestamp(), -s.pk),
        "reads": lambda s: (-s.reads_count, -s.pk),
        "votes": lambda s: (-s.votes_count, -s.pk),
        "words": lambda s: (-s.word_count, -s.pk),
    }[query.get("sort", "updated")]
    return [s.pk for s in sorted(keep, key=key)]


def listed(client: Client, query: dict[str, Any]) -> list[int]:
    response = client.get(WORKS, query | {"page": 1})
    assert response.status_code == 200, response.content.decode()[:2000]
    return [story.pk for story in response.context["page"].paginator.object_list]


ALL_TAGS = [name for names in TAG_NAMES.values() for name in names]
filters = st.fixed_dictionaries(
    {},
    optional={
        "tag": st.lists(st.sampled_from(ALL_TAGS), max_size=2, unique=True),
        "xtag": st.lists(st.sampled_from(ALL_TAGS), max_size=1),
        "rating": st.lists(st.sampled_from(RATINGS), max_size=2, unique=True),
        "xwarning": st.lists(st.sampled_from(WARNINGS), max_size=2, unique=True),
        "complete": st.just("on"),
        "language": st.sampled_from(LANGUAGES),
        "words_from": st.integers(0, 40),
        "words_to": st.integers(30, 70),
        "updated_since": st.dates(date(2026, 9, 1), date(2026, 11, 1)),
        "sort": st.sampled_from(["updated", "reads", "votes", "words"]),
    },
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=filters)
def test_every_filter_and_sort_matches_a_brute_force_evaluation(
    archive: list[Story], query: dict[str, Any]
) -> None:
    assume(query.get("words_from", 0) <= query.get("words_to", 70))  # else a 400, tested below
    assert listed(Client(), query) == expected(archive, query)


def test_a_tag_finds_works_tagged_with_its_synonyms_and_the_other_way_round(
    client: Client, archive: list[Story]
) -> None:
    synonym_story = archive[-1]
    assert synonym_story.pk in listed(client, {"tag": ["Slow Burn"]})
    assert synonym_story.pk in listed(client, {"tag": ["additional:slow-burning"]})
    plain = [s.pk for s in archive if "Slow Burn" in tag_names_of(s) and s != synonym_story]
    assert set(plain) <= set(listed(client, {"tag": ["Slow-Burning"]}))
    assert synonym_story.pk not in listed(client, {"xtag": ["Slow Burn"]})


def test_the_listing_counts_tags_in_the_result_and_keeps_filters_in_its_links(
    client: Client, archive: list[Story]
) -> None:
    response = client.get(WORKS, {"tag": "Mara", "sort": "reads"})
    works = response.context["page"].paginator.count
    counts = {row["tag__name"]: row["works"] for row in response.context["counts"]}
    assert counts["Mara"] == works  # every work in the result carries it
    html = response.content.decode()
    assert 'value="character:mara" checked' in html
    assert 'name="tag" value="fandom:harbour-lights"' in html  # include a counted tag


def test_drafts_and_sign_in_only_works_are_listed_only_for_who_may_see_them(
    client: Client, archive: list[Story]
) -> None:
    member_only = archive[0]
    Story.objects.filter(pk=member_only.pk).update(restricted=True)
    anonymous = listed(client, {})
    assert member_only.pk not in anonymous
    assert not Story.objects.filter(pk__in=anonymous, published_parts_count=0).exists()
    reader = Client()
    reader.force_login(make_user(username="member"))
    assert member_only.pk in listed(reader, {})


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"tag": "No Such Tag"}, "No tag is called No Such Tag."),
        ({"words_from": "50", "words_to": "10"}, "must not be below"),
        ({"words_from": "lots"}, "Enter a whole number."),
        ({"updated_since": "yesterday"}, "Enter a valid date."),
        ({"sort": "random"}, "Select a valid choice."),
        ({"rating": "nc17"}, "Select a valid choice."),
        ({"tag": ",".join(f"t{n}" for n in range(21))}, "at most 20 tags"),
    ],
)
def test_bad_filters_get_a_clear_answer_and_no_wrong_works(
    client: Client, archive: list[Story], query: dict[str, str], message: str
) -> None:
    response = client.get(WORKS, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "work-blurb" not in response.content.decode()


def test_no_match_says_so_and_offers_the_filters(client: Client, archive: list[Story]) -> None:
    response = client.get(WORKS, {"words_from": "100000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "0 works" in html and "No works match these filters." in html
    assert "make sense" not in html


def test_fresh_and_under_read_lists_recent_works_with_the_fewest_reads_first(
    client: Client, archive: list[Story]
) -> None:
    Story.objects.filter(pk=archive[0].pk).update(published_at=timezone.now() - timedelta(90))
    fresh = listed(client, {"sort": "fresh"})
    assert archive[0].pk not in fresh
    reads = list(Story.objects.filter(pk__in=fresh).values_list("pk", "reads_count"))
    by_pk = dict(reads)
    assert [by_pk[pk] for pk in fresh] == sorted(by_pk[pk] for pk in fresh)


@pytest.mark.parametrize("works", [3, 30])
def test_the_listing_query_count_does_not_grow_with_the_works(db: None, works: int) -> None:
    rng = random.Random(works)
    author = make_user(username="many")
    for n in range(works):
        extra = ["Slow Burn"] if n == 0 else []
        tags = {"fandom": ["Harbour Lights"], "character": ["Mara"], "additional": extra}
        story_with(author, n, rng, tags=tags)
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(WORKS, {"tag": "Harbour Lights", "xtag": "Slow Burn"})
    assert response.status_code == 200
    # Tags named, the synonyms of the chosen tags, the count, the page, its writers, its tags,
    # the facets.
    assert len(queries) == 7, [q["sql"] for q in queries]


def test_every_kind_of_tag_can_be_named_by_kind_and_slug(
    client: Client, archive: list[Story]
) -> None:
    for kind in TagKind.values:
        tag = Tag.objects.filter(kind=kind).first()
        if tag is not None:
            assert client.get(WORKS, {"tag": f"{kind}:{tag.slug}"}).status_code == 200


def test_a_big_result_is_counted_only_so_far_and_its_tags_from_its_first_works(
    client: Client, archive: list[Story], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("talehouse.lib.paging.COUNT_CAP", 5)
    monkeypatch.setattr("discover.views.COUNT_CAP", 5)
    monkeypatch.setattr("discover.filters.FACET_SAMPLE", 4)
    monkeypatch.setattr("discover.views.FACET_SAMPLE", 4)
    response = client.get(WORKS, {"sort": "votes"})
    html = response.content.decode()
    assert "More than 5 works" in html and "Tags in the first 4 of these works" in html
    first_four = response.context["page"].object_list[:4]
    counted = sum(row["works"] for row in response.context["counts"])
    assert counted == sum(story.story_tags.count() for story in first_four)
    assert len(response.context["page"].object_list) == 20  # the page itself is whole
