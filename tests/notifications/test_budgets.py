"""The notifications page and a crowd of followers: fixed queries, exact rows."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from notifications.actions import do_follow
from notifications.models import Follow, Notification, NotificationKind
from stories.models import Part
from tests.conftest import client_for
from tests.factories import make_user

# Session, user, the page's count and rows; the menu's name (profile) and unread badge.
NOTIFICATIONS_PAGE_QUERIES = 6


@pytest.mark.parametrize("many", [3, 60])
def test_the_notifications_page_runs_a_fixed_number_of_queries(
    reader: User, part: Part, many: int, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for i in range(many):
        Notification.objects.create(
            recipient=reader,
            kind=[NotificationKind.NEW_PART, NotificationKind.NEW_FOLLOWER][i % 2],
            actor=part.story.author,
            story=part.story,
            part=part if i % 2 == 0 and i == 0 else None,
        )
    client: Client = client_for(reader)
    with django_assert_num_queries(NOTIFICATIONS_PAGE_QUERIES):
        assert client.get(reverse("notifications:list")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_many_readers_following_one_writer_at_once_make_exact_rows() -> None:
    writer = make_user(username="popular")
    readers = [make_user(username=f"fan{i}") for i in range(12)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(readers))

    def follow(reader: User) -> None:
        try:
            start.wait()
            for _ in range(2):  # a double click too
                do_follow(reader, writer)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=follow, args=(reader,)) for reader in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Follow.objects.filter(writer=writer).count() == len(readers)
    told = Notification.objects.filter(recipient=writer, kind=NotificationKind.NEW_FOLLOWER)
    assert told.count() == len(readers)
