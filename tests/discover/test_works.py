"""The works listing: every filter, search and sort checked against a brute-force evaluation of
the same data, synonyms, bad input, who sees what, and a query budget that does not grow."""

from __future__ import annotations

import random
import re
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
from discover.filters import FRESH_DAYS, SORTS
from discover.models import StoryRanking
from search.indexing import index_story
from stories.actions import StoryData, do_create_story
from stories.models import Part, Story
from tags.models import Tag, TagKind
from tests.factories import make_part, make_user

WORKS = reverse("discover:works")
TAG_NAMES = {
    "fandom": ["Harbour Lights", "Salt Roads"],
    "relationship": ["Mara/Ash", "Ash/Wren"],
    "character": ["Mara"],
    "additional": ["Slow Burn", "Found Family"],
}
RATINGS = ["general", "teen", "mature", "explicit"]
WARNINGS = ["none", "chose_not", "violence", "death"]
LANGUAGES = ["en", "fr"]
NOW = datetime(2026, 11, 1, tzinfo=UTC)
# Words searched for: in some works' summaries and texts, in no tag; distinct stems in every
# language's search configuration.
WORDS = ["lantern", "gull", "storm", "tide"]


def story_with(author: User, n: int, rng: random.Random, **overrides: Any) -> Story:
    tags = {
        kind: rng.sample(names, k=rng.randint(0, len(names))) for kind, names in TAG_NAMES.items()
    }
    # Some relationships in the background: a "main pairing only" filter leaves those out.
    ships = tags.pop("relationship")
    background = [ship for ship in ships if rng.random() < 0.4 and "tags" not in overrides]
    tags["relationship"] = [ship for ship in ships if ship not in background]
    data = {
        "title": f"Work {n}",
        "summary": " ".join(rng.sample(WORDS, k=rng.randint(0, 1))),
        "rating": rng.choice(RATINGS),
        "warnings": rng.sample(WARNINGS, k=rng.randint(1, 2)),
        "language": rng.choice(LANGUAGES),
        "status": rng.choice(["in_progress", "complete"]),
        "tags": tags,
        "background_relationships": background,
    } | overrides
    story = do_create_story(author, StoryData(**data))
    words = ["word"] * rng.randint(1, 60) + rng.sample(WORDS, k=rng.randint(0, 2))
    make_part(story, "One", "<p>" + " ".join(words) + "</p>")
    Story.objects.filter(pk=story.pk).update(
        updated_at=NOW - timedelta(days=rng.randint(0, 60)),
        published_at=timezone.now() - timedelta(days=rng.randint(0, 60)),
        reads_count=rng.randint(0, 5) * 10,
        votes_count=rng.randint(0, 9),
        comments_count=rng.randint(0, 4),
    )
    if rng.random() < 0.7:  # the others have no ranking yet: "hot" puts them last
        StoryRanking.objects.create(story=story, hot=rng.choice([0, 1.5, 4.0]), computed_at=NOW)
    index_story(story.pk)  # as the task queue would after publishing
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


def tag_names_of(story: Story, main_only: bool = False) -> set[str]:
    story_tags = story.story_tags.select_related("tag")
    names = {st.tag.name for st in story_tags if not (main_only and st.background)}
    if "Slow-Burning" in names:
        names.add("Slow Burn")  # its canonical tag
    return names


def words_of(story: Story) -> set[str]:
    """Every word of the work's title, summary, tags and published text, lower-cased."""
    parts = Part.objects.unchecked("test").filter(story=story, status="published")
    text = " ".join(
        [story.title, story.summary, *tag_names_of(story), *(p.body_html for p in parts)]
    )
    return set(re.findall(r"[a-z]+", re.sub(r"<[^>]+>", " ", text).lower()))


def matches(words: set[str], q: str) -> bool:
    """The search box's syntax as far as the test uses it: words that must all be there, OR
    between alternatives, -word leaves out."""
    terms = q.split()
    if any(term.startswith("-") and term[1:] in words for term in terms):
        return False
    alternatives = " ".join(t for t in terms if not t.startswith("-")).split(" OR ")
    return any(set(alternative.split()) <= words for alternative in alternatives)


def expected(stories: list[Story], query: dict[str, Any]) -> list[int]:
    """The filter, evaluated in Python over the same works."""
    fresh_since = timezone.now() - timedelta(FRESH_DAYS)
    keep = []
    for story in Story.objects.filter(pk__in=[s.pk for s in stories]):
        names = tag_names_of(story)
        if not set(query.get("tag", [])) <= names or set(query.get("xtag", [])) & names:
            continue
        if not set(query.get("main", [])) <= tag_names_of(story, main_only=True):
            continue
        if "q" in query and not matches(words_of(story), query["q"]):
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
        published = story.published_at
        if query.get("sort") == "fresh" and (published is None or published < fresh_since):
            continue
        keep.append(story)
    hot = {r.story_id: r.hot for r in StoryRanking.objects.filter(story__in=keep)}
    key = {
        "updated": lambda s: (-s.updated_at.timestamp(), -s.pk),
        "hot": lambda s: (s.pk not in hot, -hot.get(s.pk, 0), -s.updated_at.timestamp(), -s.pk),
        "published": lambda s: (-s.published_at.timestamp(), -s.pk),
        "reads": lambda s: (-s.reads_count, -s.pk),
        "votes": lambda s: (-s.votes_count, -s.pk),
        "comments": lambda s: (-s.comments_count, -s.pk),
        "words": lambda s: (-s.word_count, -s.pk),
        "fresh": lambda s: (s.reads_count, -s.published_at.timestamp(), -s.pk),
        # The search engine's own ranking: the test checks which works, not their order.
        "relevance": lambda s: -s.pk,
    }[sort_of(query)]
    return [s.pk for s in sorted(keep, key=key)]


def sort_of(query: dict[str, Any]) -> str:
    """The listing's order: a search is by best match unless another is chosen; best match
    without a search is by last update."""
    sort = query.get("sort") or ("relevance" if "q" in query else "updated")
    return "updated" if sort == "relevance" and "q" not in query else sort


def listed(client: Client, query: dict[str, Any]) -> list[int]:
    response = client.get(WORKS, query | {"page": 1})
    assert response.status_code == 200, response.content.decode()[:2000]
    return [story.pk for story in response.context["page"].paginator.object_list]


ALL_TAGS = [name for names in TAG_NAMES.values() for name in names]
word = st.sampled_from(WORDS)
searches = st.one_of(
    st.lists(word, min_size=1, max_size=2, unique=True).map(" ".join),  # all must match
    st.tuples(word, word).map(" OR ".join),
    st.tuples(word, word).filter(lambda pair: pair[0] != pair[1]).map("{0[0]} -{0[1]}".format),
)
filters = st.fixed_dictionaries(
    {},
    optional={
        "q": searches,
        "tag": st.lists(st.sampled_from(ALL_TAGS), max_size=2, unique=True),
        "xtag": st.lists(st.sampled_from(ALL_TAGS), max_size=1),
        "main": st.lists(st.sampled_from(TAG_NAMES["relationship"]), max_size=1),
        "rating": st.lists(st.sampled_from(RATINGS), max_size=2, unique=True),
        "xwarning": st.lists(st.sampled_from(WARNINGS), max_size=2, unique=True),
        "complete": st.just("on"),
        "language": st.sampled_from(LANGUAGES),
        "words_from": st.integers(0, 40),
        "words_to": st.integers(30, 70),
        "updated_since": st.dates(date(2026, 9, 1), date(2026, 11, 1)),
        "sort": st.sampled_from(list(SORTS)),
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=filters)
def test_every_filter_search_and_sort_matches_a_brute_force_evaluation(
    archive: list[Story], query: dict[str, Any]
) -> None:
    assume(query.get("words_from", 0) <= query.get("words_to", 70))  # else a 400, tested below
    found = listed(Client(), query)
    if sort_of(query) == "relevance":
        assert sorted(found) == sorted(expected(archive, query))
    else:
        assert found == expected(archive, query)


@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize("q", [None, "lantern OR gull"])
def test_every_sort_orders_the_whole_archive_as_the_brute_force_does(
    archive: list[Story], sort: str, q: str | None
) -> None:
    """Hypothesis mostly draws narrow filters, under which few works are left to order."""
    query = {"sort": sort} | ({"q": q} if q else {})
    found = listed(Client(), query)
    assert len(found) > 3
    if sort_of(query) == "relevance":
        assert sorted(found) == sorted(expected(archive, query))
    else:
        assert found == expected(archive, query)


def test_the_brute_force_archive_has_every_shape_the_filters_tell_apart(
    archive: list[Story],
) -> None:
    """Else the test above could pass without telling anything apart."""
    background = {st.background for s in archive for st in s.story_tags.all()}
    assert background == {True, False}
    texts = [words_of(s) & set(WORDS) for s in archive]
    assert all(any(w in t for t in texts) for w in WORDS) and any(not t for t in texts)
    assert StoryRanking.objects.count() not in {0, len(archive)}
    assert len({s.comments_count for s in Story.objects.filter(pk__in=[s.pk for s in archive])}) > 2


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
