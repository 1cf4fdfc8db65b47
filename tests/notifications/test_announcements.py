"""A writer posts a short note to a story's readers from the story's manage page: it shows on
the story page (cached or not) and reaches the subscribers."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from accounts.models import User
from notifications.actions import ANNOUNCEMENT_MAX_CHARS
from notifications.models import Announcement
from stories.models import Part, Story
from tests.factories import make_story

NOTE = "Back in two weeks: moving house."


def manage_url(story: Story) -> str:
    return reverse("stories:story_manage", args=[story.pk])


def announcement_form(page: str) -> tuple[str, str]:
    """The announcement form's action and its text field's name, as the manage page has them."""
    form = re.search(r'<form[^>]*id="announcement-form"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None, "no announcement form on the page"
    action = re.search(r'action="([^"]+)"', form.group(0))
    field = re.search(r'<textarea[^>]*name="([^"]+)"', form.group(1))
    assert action is not None and field is not None
    return action.group(1), field.group(1)


def test_a_writer_posts_an_announcement_from_the_manage_page_and_it_shows_on_the_story(
    author_client: Client, story: Story, part: Part
) -> None:
    action, field = announcement_form(author_client.get(manage_url(story)).content.decode())
    response = author_client.post(action, {field: NOTE}, follow=True)
    assert response.redirect_chain == [(manage_url(story), 302)]
    assert "Announcement posted" in response.content.decode()
    assert Announcement.objects.get().text == NOTE
    assert NOTE in Client().get(story.get_absolute_url()).content.decode()


def test_a_refused_announcement_comes_back_with_its_reason_and_the_text(
    author_client: Client, story: Story, part: Part
) -> None:
    action, field = announcement_form(author_client.get(manage_url(story)).content.decode())
    too_long = "x" * (ANNOUNCEMENT_MAX_CHARS + 1)
    for text, reason in ((" \n ", "Write the announcement first."), (too_long, "at most 1000")):
        response = author_client.post(action, {field: text})
        page = response.content.decode()
        assert response.status_code == 400
        assert 'role="alert"' in page and reason in page and 'aria-invalid="true"' in page
        assert announcement_form(page) == (action, field)  # the form again, to fix and resend
        if text.strip():
            assert too_long in page  # the writer's text is not lost
    assert not Announcement.objects.exists()


def test_the_announcement_changes_the_cached_story_page_at_once(
    author_client: Client, reader_client: Client, story: Story, part: Part
) -> None:
    anonymous = Client()
    for client in (anonymous, reader_client):
        client.get(story.get_absolute_url())
        assert client.get(story.get_absolute_url())["X-Talehouse-Cache"] == "hit"
    action, field = announcement_form(author_client.get(manage_url(story)).content.decode())
    author_client.post(action, {field: NOTE})
    for client in (anonymous, reader_client):
        assert NOTE in client.get(story.get_absolute_url()).content.decode()


def test_a_draft_story_has_no_readers_to_announce_to(author: User, author_client: Client) -> None:
    draft = make_story(author, "Not Yet")
    page = author_client.get(manage_url(draft)).content.decode()
    assert 'id="announcement-form"' not in page
