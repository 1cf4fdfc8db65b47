"""Anonymous story and part pages are cached whole, and never show stale privacy or counts."""

from __future__ import annotations

import json
import re
from typing import Any

from django.test import Client
from django.urls import reverse

from accounts.models import User
from social.actions.comments import do_add_comment
from social.actions.votes import do_set_vote
from stories import pagecache
from stories.actions import StoryData, do_unpublish_part, do_update_story
from stories.forms import StoryForm
from stories.models import Part, Story


def test_a_second_anonymous_visit_is_served_from_the_cache(
    client: Client, part: Part, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    first = client.get(part.get_absolute_url())
    assert "X-Talehouse-Cache" not in first
    with django_assert_num_queries(1):  # the story's page_version, nothing else
        second = client.get(part.get_absolute_url())
    assert second["X-Talehouse-Cache"] == "hit"
    assert second.content == first.content
    assert "csrfmiddlewaretoken" not in first.content.decode()


def test_members_share_one_cached_page_that_names_nobody(
    reader_client: Client, stranger_client: Client, reader: User, part: Part
) -> None:
    from accounts.actions import do_update_profile

    do_update_profile(reader, "Marigold Vance", "")
    first = reader_client.get(part.get_absolute_url())
    second = stranger_client.get(part.get_absolute_url())
    assert second["X-Talehouse-Cache"] == "hit" and second.content == first.content
    html = first.content.decode()
    assert "csrfmiddlewaretoken" not in html and "Marigold Vance" not in html
    assert reverse("stories:part_reader", args=[part.pk]) in html  # the fragment loader
    assert "private" in first["Cache-Control"]


def test_the_author_always_gets_a_fresh_personal_page(
    author_client: Client, reader_client: Client, part: Part
) -> None:
    reader_client.get(part.get_absolute_url())  # the members' copy is cached
    response = author_client.get(part.get_absolute_url())
    assert "X-Talehouse-Cache" not in response
    assert reverse("stories:part_edit", args=[part.pk]) in response.content.decode()


def test_an_anonymous_page_can_be_kept_by_a_proxy(client: Client, part: Part) -> None:
    for response in (client.get(part.get_absolute_url()), client.get(part.get_absolute_url())):
        assert "public" in response["Cache-Control"] and "s-maxage=60" in response["Cache-Control"]
        assert not response.cookies
        assert "cookie" not in response.get("Vary", "").lower()


def test_a_members_cached_copy_of_a_sign_in_only_story_never_reaches_anonymous_readers(
    client: Client, reader_client: Client, author: User
) -> None:
    from tests.factories import make_part, make_story

    secret = make_part(make_story(author, "Members Only"), "Inside")
    do_update_story(secret.story, _restricted_data(secret.story))
    assert reader_client.get(secret.get_absolute_url()).status_code == 200
    assert reader_client.get(secret.get_absolute_url())["X-Talehouse-Cache"] == "hit"
    assert client.get(secret.get_absolute_url()).status_code == 404


def _restricted_data(story: Story) -> StoryData:
    form = StoryForm(StoryForm.initial_for(story) | {"restricted": True})
    assert form.is_valid(), form.errors
    return form.story_data()


def test_a_member_with_a_message_waiting_gets_a_fresh_page_with_it(
    reader_client: Client, reader: User, part: Part
) -> None:
    comment = do_add_comment(reader, part, "Second thoughts.")
    reader_client.get(part.get_absolute_url())
    response = reader_client.post(reverse("social:comment_delete", args=[comment.pk]), follow=True)
    assert "X-Talehouse-Cache" not in response
    assert "Comment deleted." in response.content.decode()


def test_an_unpublished_part_disappears_from_the_cache_at_once(client: Client, part: Part) -> None:
    assert client.get(part.get_absolute_url()).status_code == 200
    do_unpublish_part(part)
    assert client.get(part.get_absolute_url()).status_code == 404


def test_a_story_made_sign_in_only_disappears_at_once(
    client: Client, story: Story, part: Part
) -> None:
    assert client.get(story.get_absolute_url()).status_code == 200
    data = StoryForm(StoryForm.initial_for(story) | {"restricted": True})
    assert data.is_valid(), data.errors
    do_update_story(story, data.story_data())
    assert client.get(story.get_absolute_url()).status_code == 404
    assert client.get(part.get_absolute_url()).status_code == 404


def test_votes_and_comments_show_at_once_on_cached_pages(
    client: Client, part: Part, reader: User
) -> None:
    client.get(part.get_absolute_url())
    do_set_vote(reader, part, True)
    do_add_comment(reader, part, "Still thinking about this one.")
    html = client.get(part.get_absolute_url()).content.decode()
    assert "1 vote" in html and "Still thinking about this one." in html


def test_counted_reads_show_at_once_on_cached_pages(client: Client, part: Part) -> None:
    from social.actions.reads import do_queue_read
    from social.jobs import flush_pending_reads

    client.get(part.get_absolute_url())
    do_queue_read(part.pk, "v:someone-new-0001", None)
    flush_pending_reads()
    html = client.get(part.get_absolute_url()).content.decode()
    assert 'data-stat="reads" data-exact="1"' in html


def test_a_story_hidden_by_its_writer_leaves_other_cached_pages_at_once(
    client: Client, part: Part, stranger: User
) -> None:
    from stories.actions import do_unpublish_part
    from tests.factories import make_part, make_story

    restricted = make_story(stranger, "Secret Garden Zeta")
    make_part(restricted)
    withdrawn = make_story(stranger, "Withdrawn Tale Omega")
    withdrawn_part = make_part(withdrawn)
    first = client.get(part.get_absolute_url()).content.decode()
    assert "Secret Garden Zeta" in first and "Withdrawn Tale Omega" in first

    form = StoryForm(StoryForm.initial_for(restricted) | {"restricted": True})
    assert form.is_valid(), form.errors
    do_update_story(restricted, form.story_data())
    do_unpublish_part(withdrawn_part)
    html = client.get(part.get_absolute_url()).content.decode()
    assert "Secret Garden Zeta" not in html and "Withdrawn Tale Omega" not in html


def _jsonld_counts(html: str) -> list[int]:
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html)[1])  # type: ignore[index]
    return [counter["userInteractionCount"] for counter in data["interactionStatistic"]]


def test_a_counted_read_or_vote_costs_filling_in_the_numbers_not_a_render(
    client: Client, part: Part, reader: User, settings, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from social.actions.reads import do_queue_read
    from social.jobs import flush_pending_reads

    client.get(part.get_absolute_url())
    do_set_vote(reader, part, True)
    do_queue_read(part.pk, "v:someone-new-0002", None)
    flush_pending_reads()
    with django_assert_num_queries(1):  # versions and numbers; the frame waits in the cache
        filled = client.get(part.get_absolute_url())
    assert filled["X-Talehouse-Cache"] == "frame"
    html = filled.content.decode()
    assert 'data-stat="reads" data-exact="1"' in html and 'data-stat="votes" data-exact="1"' in html
    assert _jsonld_counts(html) == [1, 1, 0]
    assert pagecache._MARK not in html

    settings.TALEHOUSE_PAGE_CACHE = settings.TALEHOUSE_FRAME_CACHE = False
    assert client.get(part.get_absolute_url()).content == filled.content  # as a fresh render
    settings.TALEHOUSE_PAGE_CACHE = settings.TALEHOUSE_FRAME_CACHE = True
    assert client.get(part.get_absolute_url())["X-Talehouse-Cache"] == "hit"


def test_a_new_comment_renders_the_page_afresh(
    client: Client, reader_client: Client, part: Part, reader: User
) -> None:
    for reader_of_page in (client, reader_client):
        reader_of_page.get(part.get_absolute_url())
    do_add_comment(reader, part, "The lighthouse scene!")
    for reader_of_page in (client, reader_client):
        response = reader_of_page.get(part.get_absolute_url())
        assert "X-Talehouse-Cache" not in response  # a frame would miss the comment
        assert "The lighthouse scene!" in response.content.decode()


def test_an_anonymous_hit_is_answered_before_sessions_with_the_same_headers(
    client: Client, part: Part
) -> None:
    rendered = client.get(part.get_absolute_url())
    cached = client.get(part.get_absolute_url())
    assert cached["X-Talehouse-Cache"] == "hit"
    assert not hasattr(cached.wsgi_request, "user")  # auth and sessions never ran

    def headers(response: Any) -> dict[str, str]:
        return {k.lower(): v for k, v in response.items() if k != "X-Talehouse-Cache"}

    assert headers(cached) == headers(rendered)
    assert "content-security-policy" in headers(cached)


def test_an_id_past_the_largest_row_is_not_found_not_a_server_error(client: Client) -> None:
    too_big = 2**64
    for url in (f"/stories/{too_big}/", f"/parts/{too_big}/", f"/stories/{too_big}-a-slug/"):
        assert client.get(url).status_code == 404, url
