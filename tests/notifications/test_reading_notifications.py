"""The notifications page: mark one or all read (the menu's badge counts down), and the way to
the email settings."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from accounts.models import User
from notifications.actions import do_follow
from notifications.models import Notification
from tests.factories import make_user


def badge(client: Client) -> int:
    """The unread count the menu shows (0 when it shows none)."""
    html = client.get(reverse("library:library")).content.decode()
    found = re.search(r'class="badge badge-count">(\d+)<', html)
    return int(found[1]) if found else 0


def three_followers(writer: User) -> list[Notification]:
    for name in ("ash", "mara", "kit"):
        do_follow(make_user(username=name), writer)
    return list(Notification.objects.filter(recipient=writer).order_by("pk"))


def test_marking_one_read_sets_its_time_and_the_badge_counts_down(
    author: User, author_client: Client
) -> None:
    first, *others = three_followers(author)
    assert badge(author_client) == 3
    response = author_client.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:list")
    first.refresh_from_db()
    assert first.read_at is not None
    assert all(
        note.read_at is None for note in Notification.objects.filter(pk__in=[o.pk for o in others])
    )
    assert badge(author_client) == 2
    page = author_client.get(reverse("notifications:list")).content.decode()
    assert page.count("is-unread") == 2
    assert reverse("notifications:read", args=[first.pk]) not in page  # nothing left to mark


def test_marking_all_read_empties_the_badge_and_keeps_earlier_times(
    author: User, author_client: Client
) -> None:
    first, *_ = three_followers(author)
    author_client.post(reverse("notifications:read", args=[first.pk]))
    first.refresh_from_db()
    response = author_client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=author, read_at=None).exists()
    assert Notification.objects.get(pk=first.pk).read_at == first.read_at  # read once, not twice
    assert badge(author_client) == 0
    assert "is-unread" not in author_client.get(reverse("notifications:list")).content.decode()


def test_the_notifications_page_leads_to_the_email_settings_and_back(
    author_client: Client,
) -> None:
    page = author_client.get(reverse("notifications:list")).content.decode()
    assert f'href="{reverse("notifications:settings")}"' in page
    settings_page = author_client.get(reverse("notifications:settings")).content.decode()
    assert f'href="{reverse("notifications:list")}"' in settings_page
