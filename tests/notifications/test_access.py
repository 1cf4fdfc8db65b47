"""Who may reach each follow, subscription and notification URL, and with which method."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from stories.models import Part, Story
from tests.conftest import client_for
from tests.factories import make_user

# (url name, args from the story, the method it accepts, what a signed-in reader gets)
ENDPOINTS = [
    ("notifications:follow", "author", "post", 302),
    ("notifications:subscription", "story", "get", 200),
    ("notifications:subscribe", "story", "post", 302),
    ("notifications:announce", "story", "post", 403),  # the writer's alone
    ("notifications:list", None, "get", 200),
    ("notifications:read_all", None, "post", 302),
    ("notifications:settings", None, "get", 200),
]


def _url(name: str, target: str | None, story: Story) -> str:
    if target is None:
        return reverse(name)
    return reverse(name, args=[story.author.username if target == "author" else story.pk])


@pytest.mark.parametrize(("name", "target", "method", "reader_gets"), ENDPOINTS)
def test_each_url_needs_a_member_and_its_method(
    story: Story, part: Part, name: str, target: str | None, method: str, reader_gets: int
) -> None:
    url = _url(name, target, story)
    anonymous = getattr(Client(), method)(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    reader = client_for(make_user(username="table-reader"))
    assert getattr(reader, method)(url).status_code == reader_gets
    wrong = "get" if method == "post" else "put"
    assert getattr(reader, wrong)(url).status_code == 405


def test_a_reader_cannot_mark_someone_elses_notifications_read(author_client: Client) -> None:
    from notifications.actions import do_follow
    from notifications.models import Notification

    stranger, writer = make_user(username="x1"), make_user(username="x2")
    do_follow(stranger, writer)
    note = Notification.objects.get(recipient=writer)
    author_client.post(reverse("notifications:read", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at is None
