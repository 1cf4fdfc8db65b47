from __future__ import annotations

import json
import re

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse

from discover.models import SimilarStory
from discover.similar import compute_similar
from social.actions.comments import do_add_comment
from social.actions.votes import do_set_vote
from stories.models import Part, Story
from stories.queries import DISCOVER_COUNT
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user


def jsonld_of(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "page has no JSON-LD"
    return json.loads(match.group(1))


def test_a_reader_sees_the_part_page_anatomy(client: Client, part: Part) -> None:
    response = client.get(part.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="part-title">The First Night</h1>' in html
    assert "“Hello,” she said." in html
    assert part.story.title in html
    assert "Discover more stories" in html
    assert 'class="stats-line"' in html


def test_the_part_url_without_slug_redirects_to_the_canonical_one(
    client: Client, part: Part
) -> None:
    response = client.get(f"/parts/{part.pk}/")
    assert response.status_code == 301
    assert response["Location"] == part.get_absolute_url()


def test_stats_line_is_compact_with_the_exact_number_for_screen_readers(
    client: Client, part: Part
) -> None:
    Part.objects.filter(pk=part.pk).update(reads_count=1532, votes_count=40, comments_count=4)
    html = client.get(part.get_absolute_url()).content.decode()
    stats = html[html.index('id="part-stats"') :][:1500]
    assert re.search(r'aria-hidden="true" class="stat-value">1\.5K<', stats)
    assert "1,532 reads" in stats
    assert re.search(r'class="stat-value">40<', stats)
    assert re.search(r'class="stat-value">4<', stats)
    assert "4 comments" in stats


def test_part_jsonld_counts_equal_the_page(client: Client, part: Part, reader) -> None:  # type: ignore[no-untyped-def]
    do_set_vote(reader, part, True)
    do_add_comment(reader, part, "Loved it")
    part.refresh_from_db()
    html = client.get(part.get_absolute_url()).content.decode()
    data = jsonld_of(html)
    assert data["@type"] == "Chapter"
    assert data["isPartOf"]["name"] == part.story.title
    counts = {
        s["interactionType"].rsplit("/", 1)[1]: s["userInteractionCount"]
        for s in data["interactionStatistic"]
    }
    assert counts == {"ReadAction": 0, "LikeAction": 1, "CommentAction": 1}
    assert data["wordCount"] == part.word_count
    assert data["author"]["name"] == part.story.author.display_name


def test_story_page_lists_tags_by_kind_and_the_table_of_contents(
    client: Client, story: Story, part: Part, draft_part: Part
) -> None:
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Original Work" in html and "Slow Burn" in html
    assert "The First Night" in html
    assert "Unfinished" not in html
    assert jsonld_of(html)["@type"] == "Book"


def test_a_tag_page_lists_works_newest_update_first(client: Client, author) -> None:  # type: ignore[no-untyped-def]
    older = make_story(author, "Older", tags={"fandom": ["Starfall"]})
    make_part(older)
    newer = make_story(author, "Newer", tags={"fandom": ["Starfall"]})
    make_part(newer)
    hidden = make_story(author, "Draft only", tags={"fandom": ["Starfall"]})
    make_part(hidden, publish=False)
    html = client.get("/tags/fandom/starfall/").content.decode()
    assert html.index("Newer") < html.index("Older")
    assert "Draft only" not in html


def test_whole_story_on_one_page(client: Client, story: Story) -> None:
    make_part(story, "One", "<p>First text.</p>")
    make_part(story, "Two", "<p>Second text.</p>")
    make_part(story, "Three", "<p>Draft text.</p>", publish=False)
    html = client.get(f"/stories/{story.pk}/full/").content.decode()
    assert "First text." in html and "Second text." in html
    assert "Draft text." not in html


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_reading_pages_refuse_writes(client: Client, part: Part, method: str) -> None:
    response = getattr(client, method)(part.get_absolute_url())
    assert response.status_code == 405


def test_sitemap_lists_public_stories_and_parts_only(
    client: Client, part: Part, draft_part: Part
) -> None:
    xml = client.get("/sitemap.xml").content.decode()
    assert part.get_absolute_url() in xml
    assert part.story.get_absolute_url() in xml
    assert draft_part.get_absolute_url() not in xml


def test_robots_txt_points_at_the_sitemap(client: Client) -> None:
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap:" in text and "Disallow: /write/" in text


def test_unknown_pages_get_a_friendly_404(client: Client, db: None) -> None:
    response = client.get("/parts/999999-nothing/")
    assert response.status_code == 404
    assert "This page isn’t here" in response.content.decode()


# Fixed budgets: session and user for a member; the part, its table of contents, a page of
# comment threads, the story's tags and "more like this" (discover.similar; a story whose list
# is not computed yet, or is short, costs one more query: the newest works fill it). The page
# is shared by every member: their vote, name and controls come from the per-reader fragment
# (session, user, profile, the part, their vote, their own comments on the page).
PART_PAGE_QUERIES = {"anonymous": 5, "member": 7}
# A paragraph's comments (social:paragraph_comments, per reader): the part with its story and
# one query for a page of the paragraph's threads; a member adds session and user.
PARAGRAPH_THREAD_QUERIES = {"anonymous": 2, "member": 4}
# +1 since the writer's announcements show on the story page; +1 "more like this".
STORY_PAGE_QUERIES = {"anonymous": 5, "member": 7}
# +1: the reader's read marks in this story, for the table of contents (library app).
# +1: the unread-notifications count in the personal menu the fragment swaps in.
PART_READER_QUERIES = 9  # +1: is the reader subscribed (the offer under the part)


@pytest.mark.django_db
def test_page_query_counts_do_not_grow_with_parts_or_comments(
    django_assert_num_queries,  # type: ignore[no-untyped-def]
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.TALEHOUSE_PAGE_CACHE = False  # measure the database path, not the cache
    settings.TALEHOUSE_FRAME_CACHE = False
    writer = make_user(username="prolific")
    readers = [make_user() for _ in range(5)]
    small = make_story(writer, "Small")
    small_part = make_part(small)
    big = make_story(writer, "Big")
    parts = [
        Part.objects.create(story=big, position=i, title=f"Part {i}", body_html="<p>x</p>")
        for i in range(200)
    ]
    Part.objects.filter(story=big).update(status="published")
    Story.objects.filter(pk=big.pk).update(published_parts_count=200)
    for n in range(DISCOVER_COUNT):
        make_part(make_story(make_user(), f"Alike {n}"))  # the same tags as Small and Big
    for story in (small, big):
        compute_similar(story.pk)
    target = Part.objects.get(pk=parts[100].pk)
    parent = None
    for i in range(500):
        # Threads five deep: every fifth comment starts a new thread.
        parent = do_add_comment(readers[i % 5], target, f"Comment {i}", parent=parent)
        parent = None if i % 5 == 4 else parent
    assert target.comments.count() == 500
    for who, page_client in (("anonymous", Client()), ("member", client_for(readers[0]))):
        for page in (small_part, target):
            with django_assert_num_queries(PART_PAGE_QUERIES[who]):
                assert page_client.get(page.get_absolute_url()).status_code == 200
        for story_page in (small, big):
            with django_assert_num_queries(STORY_PAGE_QUERIES[who]):
                assert page_client.get(story_page.get_absolute_url()).status_code == 200
    # Before its list is computed, the newest works stand in: one more query.
    SimilarStory.objects.filter(story=small).delete()
    Story.objects.filter(pk=small.pk).update(page_version=F("page_version") + 1)
    with django_assert_num_queries(PART_PAGE_QUERIES["anonymous"] + 1):
        assert Client().get(small_part.get_absolute_url()).status_code == 200
    member = client_for(readers[0])
    for page in (small_part, target):
        fragment_url = reverse("stories:part_reader", args=[page.pk])
        with django_assert_num_queries(PART_READER_QUERIES):
            response = member.get(fragment_url, headers={"HX-Request": "true"})
            assert response.status_code == 200


def test_a_tag_page_for_an_unknown_kind_or_tag_is_404(client: Client, part: Part) -> None:
    assert client.get("/tags/planet/original-work/").status_code == 404
    assert client.get("/tags/fandom/no-such-fandom/").status_code == 404
    assert client.get("/tags/fandom/original-work/").status_code == 200


@pytest.mark.parametrize("url", ["/", "/tags/fandom/original-work/", "/sitemap.xml", "/robots.txt"])
def test_listing_pages_refuse_posts(client: Client, part: Part, url: str) -> None:
    assert client.post(url).status_code == 405


def test_a_tag_page_is_paginated(client: Client, author) -> None:  # type: ignore[no-untyped-def]
    for i in range(25):
        make_part(make_story(author, f"Story {i:02d}", tags={"fandom": ["Busy Fandom"]}))
    first = client.get("/tags/fandom/busy-fandom/").content.decode()
    second = client.get("/tags/fandom/busy-fandom/?page=2").content.decode()
    assert "25 stories" in first
    assert first.count('class="story-card"') == 20 and second.count('class="story-card"') == 5
    assert "Story 24" in first and "Story 00" in second


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/", 2),
        # The tag, the count, the page, its writers; +2: its synonyms and the tags often on
        # the same works.
        ("/tags/fandom/original-work/", 6),
        # +2: the writer's public reading lists and public bookmarks, a few of each, one query
        # apiece (library_tags.public_library; tests/library/test_lists.py measures them).
        ("/@prolific/", 5),
        ("/sitemap.xml", 4),
    ],
)
@pytest.mark.django_db
def test_listing_pages_run_a_fixed_number_of_queries(
    client: Client,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
    url: str,
    queries: int,
) -> None:
    writer = make_user(username="prolific")
    for count in (2, 15):  # the same budget for a few stories and for more than a page
        while Story.objects.count() < count:
            make_part(make_story(writer, f"Story {Story.objects.count()}"))
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


def test_a_comment_page_past_the_last_is_404_even_when_absurd(client: Client, part: Part) -> None:
    assert client.get(part.get_absolute_url() + "?comments=2").status_code == 404
    assert client.get(part.get_absolute_url() + "?comments=" + "9" * 30).status_code == 404
    assert client.get(part.get_absolute_url() + "?comments=x").status_code == 200


def test_reading_pages_answer_head_requests(client: Client, part: Part) -> None:
    for url in (part.get_absolute_url(), part.story.get_absolute_url(), "/", "/sitemap.xml"):
        assert client.head(url).status_code == 200, url
