"""Anonymous story and part pages are cached whole, and never show stale privacy or counts."""

from __future__ import annotations

from django.test import Client

from accounts.models import User
from social.actions import do_add_comment, do_set_vote
from stories.actions import do_unpublish_part, do_update_story
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


def test_signed_in_readers_always_get_a_fresh_page(reader_client: Client, part: Part) -> None:
    reader_client.get(part.get_absolute_url())
    assert "X-Talehouse-Cache" not in reader_client.get(part.get_absolute_url())


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
    from social.actions import do_queue_read, flush_pending_reads

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
