"""A writer schedules a draft; the task queue publishes it on time, in the writer's zone."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, User
from stories.actions import do_publish_part, do_save_part, do_schedule_part
from stories.models import Part, Story
from stories.tasks import publish_due_parts
from talehouse.schedule import periodic_tasks
from tests.factories import run_task_worker

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def wall_clock(at: datetime, zone: zoneinfo.ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def schedule(client: Client, part: Part, publish_at: str, zone: str = "Europe/Paris") -> str:
    url = reverse("stories:part_schedule", args=[part.pk])
    response = client.post(url, {"publish_at": publish_at, "time_zone": zone}, follow=True)
    return response.content.decode()


def test_a_writer_schedules_a_draft_at_a_time_in_their_own_zone(
    author_client: Client, author: User, draft_part: Part
) -> None:
    at = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    page = schedule(author_client, draft_part, wall_clock(at, PARIS))
    draft_part.refresh_from_db()
    assert draft_part.publish_at == at and not draft_part.is_published
    assert Profile.objects.get(user=author).time_zone == "Europe/Paris"
    assert "Scheduled" in page and at.astimezone(PARIS).strftime("%H:%M") in page
    assert "(Europe/Paris)" in page


def test_a_writer_changes_an_existing_schedule_and_only_the_new_time_counts(
    author_client: Client, author: User, draft_part: Part
) -> None:
    from stories.actions import do_publish_due_parts

    first = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    schedule(author_client, draft_part, wall_clock(first, PARIS))
    manage = author_client.get(reverse("stories:story_manage", args=[draft_part.story_id]))
    html = manage.content.decode()
    # The form offers a change, filled with the time as the writer gave it.
    assert "Change the schedule" in html and "Cancel the schedule" in html
    assert f'value="{wall_clock(first, PARIS)}"' in html

    later = first + timedelta(days=2, hours=5)
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    page = schedule(author_client, draft_part, wall_clock(later, tokyo), "Asia/Tokyo")
    draft_part.refresh_from_db()
    assert draft_part.publish_at == later and not draft_part.is_published
    assert Profile.objects.get(user=author).time_zone == "Asia/Tokyo"
    assert wall_clock(later, tokyo) in page and wall_clock(first, PARIS) not in page
    # The old time passes with nothing published; the new one publishes it.
    assert do_publish_due_parts(now=first + timedelta(minutes=1)) == 0
    assert do_publish_due_parts(now=later + timedelta(minutes=1)) == 1
    draft_part.refresh_from_db()
    assert draft_part.is_published and draft_part.published_at == later


@pytest.mark.parametrize(
    ("publish_at", "zone", "error"),
    [
        ("2001-01-01T09:00", "Europe/Paris", "at least a minute from now"),
        ("2999-01-01T09:00", "Europe/Paris", "within a year"),
        ("tomorrow at nine", "Europe/Paris", "Enter a valid date/time"),
        ("2030-01-01T09:00", "Mars/Olympus_Mons", "Select a valid choice"),
    ],
)
def test_a_schedule_that_cannot_be_kept_is_refused_with_a_reason(
    author_client: Client, draft_part: Part, publish_at: str, zone: str, error: str
) -> None:
    page = schedule(author_client, draft_part, publish_at, zone)
    draft_part.refresh_from_db()
    assert draft_part.publish_at is None
    assert error in page


def test_a_published_or_empty_part_cannot_be_scheduled(
    author_client: Client, part: Part, draft_part: Part
) -> None:
    soon = wall_clock(timezone.now() + timedelta(hours=2), PARIS)
    assert "already published" in schedule(author_client, part, soon)
    do_save_part(draft_part, draft_part.title, "<p></p>")
    assert "Write the part before scheduling it" in schedule(author_client, draft_part, soon)
    draft_part.refresh_from_db()
    assert draft_part.publish_at is None


def test_strangers_cannot_schedule_someone_elses_part(
    stranger_client: Client, draft_part: Part
) -> None:
    soon = wall_clock(timezone.now() + timedelta(hours=2), PARIS)
    url = reverse("stories:part_schedule", args=[draft_part.pk])
    assert stranger_client.post(url, {"publish_at": soon, "time_zone": "UTC"}).status_code == 404
    assert stranger_client.get(url).status_code == 405


def test_the_schedule_is_checked_every_half_minute() -> None:
    entries = {entry.name: entry for entry in periodic_tasks()}
    trigger = entries[publish_due_parts.module_path].trigger
    assert trigger.interval == timedelta(seconds=30)


def _come_due(part: Part) -> None:
    """Time passes: the scheduled moment is now behind us."""
    Part.objects.filter(pk=part.pk).update(publish_at=timezone.now() - timedelta(seconds=5))


@pytest.mark.django_db(transaction=True)
def test_the_worker_publishes_a_due_part_on_its_scheduled_time_and_not_the_others() -> None:
    from tests.factories import make_part, make_story, make_user

    writer = make_user(username="punctual")
    story = make_story(writer, "On the Hour")
    due = make_part(story, "Due", "<p>Now.</p>", publish=False)
    later = make_part(story, "Later", "<p>Not yet.</p>", publish=False)
    for part in (due, later):
        do_schedule_part(part, timezone.now() + timedelta(hours=1))
    _come_due(due)
    due.refresh_from_db()
    scheduled_for = due.publish_at

    publish_due_parts.enqueue()
    run_task_worker()
    due.refresh_from_db()
    later.refresh_from_db()
    story.refresh_from_db()
    assert due.is_published and due.published_at == scheduled_for and due.publish_at is None
    assert not later.is_published and later.publish_at is not None
    assert story.updated_at == scheduled_for  # a new part moves "updated"
    assert Client().get(due.get_absolute_url()).status_code == 200

    publish_due_parts.enqueue()  # running again publishes nothing twice
    run_task_worker()
    assert Story.objects.get(pk=story.pk).published_parts_count == 1


def test_a_cancelled_or_already_published_schedule_publishes_nothing(
    author_client: Client, draft_part: Part, story: Story
) -> None:
    from stories.actions import do_publish_due_parts

    do_schedule_part(draft_part, timezone.now() + timedelta(hours=1))
    author_client.post(reverse("stories:part_unschedule", args=[draft_part.pk]))
    draft_part.refresh_from_db()
    assert draft_part.publish_at is None
    assert do_publish_due_parts(now=timezone.now() + timedelta(days=2)) == 0

    do_schedule_part(draft_part, timezone.now() + timedelta(hours=1))
    do_publish_part(draft_part)  # the writer could not wait
    draft_part.refresh_from_db()
    assert draft_part.publish_at is None


def test_a_part_emptied_after_scheduling_is_not_published_and_says_why(
    draft_part: Part, caplog: pytest.LogCaptureFixture
) -> None:
    from stories.actions import do_publish_due_parts

    do_schedule_part(draft_part, timezone.now() + timedelta(hours=1))
    Part.objects.filter(pk=draft_part.pk).update(body_html="")
    assert do_publish_due_parts(now=timezone.now() + timedelta(hours=2)) == 0
    draft_part.refresh_from_db()
    assert not draft_part.is_published and draft_part.publish_at is None
    assert "not published" in caplog.text
