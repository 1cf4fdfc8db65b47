"""Atom feeds of a story's new parts, a writer's new parts and a tag's new works."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from stories.actions import do_publish_part
from stories.models import Part, Story
from tags.actions import do_make_canonical, do_make_synonym
from tags.models import Tag
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user
from tests.feeds.conftest import FANDOM, Shelf, parsed

ATOM = "application/atom+xml; charset=utf-8"


def feed_urls(shelf: Shelf) -> dict[str, str]:
    return {
        "story": reverse("feeds:story", args=[shelf.public.pk]),
        "writer": reverse("feeds:writer", args=[shelf.writer.username]),
        "tag": reverse("feeds:tag", args=["fandom", "harbour-lights"]),
    }


def test_a_story_feed_lists_its_published_parts_newest_first(
    shelf: Shelf, anonymous: Client
) -> None:
    later = make_part(shelf.public, "Midnight", "<p>Later.</p>", publish=False)
    do_publish_part(later, at=timezone.now() + timedelta(minutes=5))
    response = anonymous.get(feed_urls(shelf)["story"])
    assert response["Content-Type"] == ATOM
    feed = parsed(response)
    assert feed.version == "atom10"
    assert feed.feed.title == "The Lamplighter: new parts"
    assert [entry.title for entry in feed.entries] == ["Midnight", "Dusk"]
    dusk = feed.entries[1]
    assert dusk.link == settings.SITE_URL + shelf.published_part.get_absolute_url()
    assert dusk.id.startswith("tag:") and f"/parts/{shelf.published_part.pk}/" in dusk.id
    assert dusk.author == "Mira"
    published = shelf.published_part.published_at
    assert published is not None
    assert dusk.published == published.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    assert dusk.updated == dusk.published  # a part's publication, not its last edit
    assert feed.feed.updated == feed.entries[0].updated
    assert "Unwritten Dawn" not in response.content.decode()


def test_an_entry_keeps_its_id_when_the_part_is_renamed(shelf: Shelf, anonymous: Client) -> None:
    from stories.actions import do_save_part

    before = parsed(anonymous.get(feed_urls(shelf)["story"])).entries[0]
    do_save_part(shelf.published_part, "Evening", shelf.published_part.body_html)
    after = parsed(anonymous.get(feed_urls(shelf)["story"])).entries[0]
    assert (before.title, after.title) == ("Dusk", "Evening")
    assert before.id == after.id and before.link != after.link


def test_a_writer_feed_lists_new_parts_of_all_their_public_stories(
    shelf: Shelf, anonymous: Client
) -> None:
    second = make_story(shelf.writer, "Second Light", tags=FANDOM)
    make_part(second, "Spark")
    feed = parsed(anonymous.get(feed_urls(shelf)["writer"]))
    assert feed.feed.title == "New parts by Mira"
    assert [entry.title for entry in feed.entries] == [
        "Second Light: Spark",
        "The Lamplighter: Dusk",
    ]
    assert feed.feed.link == settings.SITE_URL + "/@mira/"


def test_a_tag_feed_lists_works_with_the_tag_and_its_synonyms(
    shelf: Shelf, anonymous: Client
) -> None:
    canonical = do_make_canonical(Tag.objects.get(name="Harbour Lights"))
    other = make_story(make_user(username="jon"), "Lights Elsewhere", tags={"fandom": ["HL"]})
    make_part(other, "One")
    do_make_synonym(Tag.objects.get(name="HL"), canonical.name)
    feed = parsed(anonymous.get(feed_urls(shelf)["tag"]))
    assert feed.feed.title == "New works in Harbour Lights"
    assert [entry.title for entry in feed.entries] == ["Lights Elsewhere", "The Lamplighter"]
    lamplighter = feed.entries[1]
    assert {tag.term for tag in lamplighter.tags} >= {"Harbour Lights", "Slow Burn", "teen"}
    assert lamplighter.summary.startswith("<p>Lights &amp; &lt;harbours&gt;.</p>")
    assert lamplighter.author == "Mira"
    # The synonym's feed is its canonical tag's, as the synonym's page is.
    synonym = anonymous.get(reverse("feeds:tag", args=["fandom", "hl"]))
    assert synonym.status_code == 302 and synonym["Location"] == feed_urls(shelf)["tag"]


def test_no_feed_shows_sign_in_only_draft_or_taken_down_work(shelf: Shelf) -> None:
    for client in (Client(), client_for(shelf.writer), client_for(make_user())):
        for url in feed_urls(shelf).values():
            body = parsed(client.get(url)).entries
            titles = " ".join(entry.title for entry in body)
            assert all(title not in titles for title in shelf.unseen_titles), url


@pytest.mark.parametrize("story", ["members_only", "draft", "taken_down"])
def test_the_feed_of_a_story_no_stranger_may_see_is_404_even_to_its_writer(
    shelf: Shelf, story: str
) -> None:
    url = reverse("feeds:story", args=[getattr(shelf, story).pk])
    assert Client().get(url).status_code == 404
    assert client_for(shelf.writer).get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/stories/999999/",
        "/feeds/writers/nobody/",
        "/feeds/tags/fandom/no-such-fandom/",
        "/feeds/tags/planet/harbour-lights/",
    ],
)
def test_a_feed_of_nothing_is_404(shelf: Shelf, anonymous: Client, url: str) -> None:
    assert anonymous.get(url).status_code == 404


def test_an_inactive_writer_has_no_feed(shelf: Shelf, anonymous: Client) -> None:
    User.objects.filter(pk=shelf.writer.pk).update(is_active=False)
    assert anonymous.get(feed_urls(shelf)["writer"]).status_code == 404


def test_feeds_refuse_posts(shelf: Shelf, anonymous: Client) -> None:
    for url in feed_urls(shelf).values():
        assert anonymous.post(url).status_code == 405


def test_a_tag_with_no_public_work_has_an_empty_feed(shelf: Shelf, anonymous: Client) -> None:
    url = reverse("feeds:tag", args=["character", "nobody-yet"])
    Tag.objects.create(kind="character", name="Nobody Yet", slug="nobody-yet")
    assert parsed(anonymous.get(url)).entries == []


def test_control_characters_in_a_title_do_not_break_the_feed(
    shelf: Shelf, anonymous: Client
) -> None:
    Story.objects.filter(pk=shelf.public.pk).update(title="Bell\x07 Tower", summary="A\x0bB")
    Part.objects.filter(pk=shelf.published_part.pk).update(title="Chime\x1b")
    urls = feed_urls(shelf)
    assert parsed(anonymous.get(urls["story"])).entries[0].title == "Chime"
    assert parsed(anonymous.get(urls["writer"])).entries[0].title == "Bell Tower: Chime"
    assert parsed(anonymous.get(urls["tag"])).entries[0].title == "Bell Tower"


# --- linked from their pages -------------------------------------------------------------------


def alternate_links(html: str) -> list[str]:
    return re.findall(
        r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="([^"]+)"', html
    )


def test_the_story_writer_and_tag_pages_link_their_feeds(shelf: Shelf, anonymous: Client) -> None:
    urls = feed_urls(shelf)
    story_page = anonymous.get(shelf.public.get_absolute_url()).content.decode()
    assert alternate_links(story_page) == [urls["story"]]
    assert 'title="New parts of The Lamplighter"' in story_page
    profile = anonymous.get(reverse("accounts:profile", args=["mira"])).content.decode()
    assert alternate_links(profile) == [urls["writer"]]
    tag_page = anonymous.get(Tag.objects.get(name="Harbour Lights").get_absolute_url())
    assert alternate_links(tag_page.content.decode()) == [urls["tag"]]


def test_a_story_only_members_may_read_links_no_feed(shelf: Shelf) -> None:
    page = client_for(make_user()).get(shelf.members_only.get_absolute_url())
    assert page.status_code == 200 and alternate_links(page.content.decode()) == []
    own_draft = client_for(shelf.writer).get(shelf.draft.get_absolute_url())
    assert own_draft.status_code == 200 and alternate_links(own_draft.content.decode()) == []


# --- shared, cached, answered with 304 -----------------------------------------------------------


def test_a_feed_is_shared_and_answers_304_until_the_listings_change(
    shelf: Shelf, anonymous: Client, django_assert_num_queries: Any
) -> None:
    url = feed_urls(shelf)["story"]
    first = anonymous.get(url)
    assert "s-maxage=60" in first["Cache-Control"] and "public" in first["Cache-Control"]
    assert "Vary" not in first or "Cookie" not in first["Vary"]
    with django_assert_num_queries(1):  # the listing version
        again = anonymous.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    with django_assert_num_queries(1):  # the listing version; the feed from the cache
        cached = anonymous.get(url)
    assert cached.content == first.content and cached["ETag"] == first["ETag"]
    make_part(shelf.public, "Nightfall")
    fresh = anonymous.get(url, headers={"If-None-Match": first["ETag"]})
    assert fresh.status_code == 200 and fresh["ETag"] != first["ETag"]
    assert parsed(fresh).entries[0].title == "Nightfall"


def test_a_signed_in_reader_gets_the_anonymous_feed(shelf: Shelf) -> None:
    member = client_for(make_user())
    url = feed_urls(shelf)["writer"]
    assert member.get(url).content == Client().get(url).content


def test_taking_a_story_down_removes_it_from_the_cached_feeds(
    shelf: Shelf, anonymous: Client
) -> None:
    from stories.actions import do_unpublish_part

    urls = feed_urls(shelf)
    assert all(parsed(anonymous.get(url)).entries for url in urls.values())
    do_unpublish_part(Part.objects.get(pk=shelf.published_part.pk))
    assert anonymous.get(urls["story"]).status_code == 404
    assert parsed(anonymous.get(urls["writer"])).entries == []
    assert parsed(anonymous.get(urls["tag"])).entries == []


# --- query budgets -------------------------------------------------------------------------------

# The listing version, then: the story and its parts; the writer and their parts; the tag
# with its synonyms, the works, their writers and their tags.
FEED_QUERIES = {"story": 3, "writer": 3, "tag": 5}


@pytest.mark.parametrize("which", sorted(FEED_QUERIES))
def test_feed_query_counts_do_not_grow(
    db: None, settings: Any, django_assert_num_queries: Any, which: str
) -> None:
    settings.TALEHOUSE_PAGE_CACHE = False  # measure the database path, not the cache
    writer = make_user(username="mira")
    story = make_story(writer, "Story 0", tags=FANDOM)
    urls = {
        "story": reverse("feeds:story", args=[story.pk]),
        "writer": reverse("feeds:writer", args=["mira"]),
        "tag": reverse("feeds:tag", args=["fandom", "harbour-lights"]),
    }
    client = Client()
    for size in (3, 30):
        while Part.objects.filter(story=story).count() < size:
            make_part(story, f"Part {Part.objects.count()}")
        while Story.objects.count() < size:
            other_writer = make_user()
            make_part(make_story(other_writer, f"Story {Story.objects.count()}", tags=FANDOM))
        with django_assert_num_queries(FEED_QUERIES[which]):
            feed = parsed(client.get(urls[which]))
        assert len(feed.entries) == min(size, 20)
