"""Rankings: hot scores from recent engagement, ranks within tags on the story page, the
Discover page, all computed off the request path."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from discover.models import StoryRanking, TagRank
from discover.profile import do_hide_tag
from discover.rankings import compute_rankings
from social.actions.comments import do_add_comment
from social.actions.votes import do_set_vote
from social.models import Comment, Read, Vote
from stories.models import Part, Story
from tags.actions import do_make_canonical, do_make_synonym
from tags.models import Tag
from talehouse.schedule import periodic_tasks
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user

NOW = timezone.now()


def reads(part: Part, count: int, days_ago: float) -> None:
    Read.objects.bulk_create(
        Read(
            part=part,
            reader_key=f"v:{part.pk}-{days_ago}-{n}",
            counted_at=NOW - timedelta(days_ago),
        )
        for n in range(count)
    )


def votes(part: Part, count: int, days_ago: float) -> None:
    for n in range(count):
        do_set_vote(make_user(username=f"voter{part.pk}x{n}x{int(days_ago)}"), part, True)
    Vote.objects.filter(part=part, created_at__gte=NOW - timedelta(minutes=5)).update(
        created_at=NOW - timedelta(days_ago)
    )


@pytest.fixture
def ranked(author: User) -> dict[str, Part]:
    """Four works tagged Slow Burn; one more tagged with its synonym."""
    parts = {}
    for title in ["Ember", "Frost", "Gale", "Haze"]:
        story = make_story(author, title, tags={"additional": ["Slow Burn"]})
        parts[title] = make_part(story, "One", "<p>Text.</p>")
    synonym = make_story(author, "Iris", tags={"additional": ["Slowburn"]})
    parts["Iris"] = make_part(synonym, "One", "<p>Text.</p>")
    do_make_synonym(
        Tag.objects.get(name="Slowburn"), do_make_canonical(Tag.objects.get(name="Slow Burn")).name
    )
    reads(parts["Ember"], 30, days_ago=20)  # many reads, long ago: 30 x 0.1 = 3
    votes(parts["Frost"], 2, days_ago=0.5)  # two votes today: 2 x 4 = 8
    reads(parts["Gale"], 5, days_ago=2)  # five reads this week: 5 x 0.6 = 3... plus a comment
    do_add_comment(make_user(username="talker"), parts["Gale"], "Lovely")  # 6 today
    reads(parts["Iris"], 1, days_ago=0.1)  # one read today: 1
    return parts


def hot_of(title: str) -> float:
    return StoryRanking.objects.get(story__title=title).hot


def test_hot_weighs_recent_engagement_more(ranked: dict[str, Part]) -> None:
    assert compute_rankings(NOW) == 4  # Haze has no engagement: no ranking row
    assert hot_of("Ember") == pytest.approx(3.0)
    assert hot_of("Frost") == pytest.approx(8.0)
    assert hot_of("Gale") == pytest.approx(5 * 0.6 + 6)
    assert hot_of("Iris") == pytest.approx(1.0)
    order = Story.objects.filter(ranking__isnull=False).order_by("-ranking__hot")
    assert [s.title for s in order] == ["Gale", "Frost", "Ember", "Iris"]


def test_the_story_page_shows_its_rank_in_a_tag_counting_synonyms(
    ranked: dict[str, Part], client: Client
) -> None:
    gale = ranked["Gale"].story
    page = client.get(gale.get_absolute_url())
    assert "#1 in" not in page.content.decode()
    compute_rankings(NOW)
    canonical = Tag.objects.get(name="Slow Burn")
    assert list(
        TagRank.objects.filter(tag=canonical)
        .order_by("rank")
        .values_list("story__title", flat=True)
    ) == ["Gale", "Frost", "Ember", "Iris"]  # Iris is tagged with the synonym
    html = client.get(gale.get_absolute_url()).content.decode()  # the cached page moved on
    assert f'#1 in <a href="{canonical.get_absolute_url()}">Slow Burn</a>' in html
    iris = client.get(ranked["Iris"].story.get_absolute_url()).content.decode()
    assert "#4 in" in iris


def test_a_rank_that_did_not_move_leaves_the_cached_page_alone(ranked: dict[str, Part]) -> None:
    compute_rankings(NOW)
    before = Story.objects.get(title="Gale").page_version
    compute_rankings(NOW)
    assert Story.objects.get(title="Gale").page_version == before


def test_deleted_comments_and_month_old_engagement_do_not_count(author: User) -> None:
    story = make_story(author, "Quiet")
    part = make_part(story, "One", "<p>Text.</p>")
    reads(part, 10, days_ago=45)
    comment = do_add_comment(make_user(username="gone"), part, "Bye")
    Comment.objects.filter(pk=comment.pk).update(is_deleted=True)
    compute_rankings(NOW)
    assert not StoryRanking.objects.filter(story=story).exists()


def test_the_discover_page_shows_hot_new_completed_and_fresh_works(
    ranked: dict[str, Part], client: Client
) -> None:
    Story.objects.filter(title="Haze").update(status="complete")
    compute_rankings(NOW)
    response = client.get(reverse("discover:discover"))
    shelves = {
        shelf["key"]: [s.title for s in shelf["stories"]] for shelf in response.context["shelves"]
    }
    assert shelves["hot"] == ["Gale", "Frost", "Ember", "Iris"]
    assert shelves["completed"] == ["Haze"]
    assert set(shelves["new"]) == {"Ember", "Frost", "Gale", "Haze", "Iris"}
    assert set(shelves["fresh"]) == set(shelves["new"])
    html = response.content.decode()
    assert 'href="/works/?sort=hot"' in html
    assert "Discover now" in client.get("/").content.decode()
    works = client.get(reverse("discover:works"), {"sort": "hot"})
    assert [s.title for s in works.context["page"].object_list][:4] == shelves["hot"]


@pytest.mark.parametrize("stories", [3, 20])
def test_the_discover_page_costs_the_same_queries_whatever_the_number_of_works(
    author: User, stories: int
) -> None:
    for n in range(stories):
        make_part(make_story(author, f"Work {n}"), "One", "<p>Text.</p>")
    compute_rankings()
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(reverse("discover:discover")).status_code == 200
    assert len(queries) == 5  # one a shelf, and the writers of them all


# A signed-in reader: the visitor's five, the four of every personal page (session, user,
# reader settings, unread badge), the tags of every shelf's works at once and the reader's
# filter profile (rules, settings; the tags its rules hide are cached).
DISCOVER_QUERIES_SIGNED_IN = 5 + 4 + 3


@pytest.mark.parametrize("stories", [3, 20])
def test_the_discover_page_costs_a_signed_in_reader_the_same_whatever_the_number_of_works(
    author: User, stories: int
) -> None:
    for n in range(stories):
        make_part(make_story(author, f"Work {n}"), "One", "<p>Text.</p>")
    compute_rankings()
    reader = make_user(username="picky")
    do_hide_tag(reader, "Slow*")
    client = client_for(reader)
    client.get(reverse("discover:discover"))  # the hidden tags are cached, sessions settle
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("discover:discover"))
    assert response.status_code == 200
    shown = [story for shelf in response.context["shelves"] for story in shelf["stories"]]
    assert shown and all(story.hidden_because == "tag “Slow*”" for story in shown)
    assert len(queries) == DISCOVER_QUERIES_SIGNED_IN, [q["sql"][:100] for q in queries]


def test_rankings_are_recomputed_by_a_periodic_task() -> None:
    names = {periodic.name for periodic in periodic_tasks()}
    assert "discover.tasks.compute_rankings_task" in names
