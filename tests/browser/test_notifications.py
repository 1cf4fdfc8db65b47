"""A reader subscribes in the browser; a scheduled part comes out through the task worker; the
menu's badge says so, and the notification leads to the part."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from stories.actions import do_schedule_part
from stories.models import Part
from stories.tasks import publish_due_parts
from tests.factories import PASSWORD, make_part, make_story, make_user, run_task_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_badge_tells_a_subscriber_of_a_scheduled_part_once_the_worker_publishes_it(
    live_server: Any, new_context: Any
) -> None:
    writer = make_user(username="punctual")
    story = make_story(writer, "Tidal Hours")
    make_part(story, "Low Water", "<p>The harbour emptied.</p>")
    scheduled = make_part(story, "High Water", "<p>The harbour filled.</p>", publish=False)
    make_user(username="waiting")

    page = new_context().new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "waiting")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.goto(live_server.url + story.get_absolute_url())
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("button", name="Subscribed")).to_be_visible()

    do_schedule_part(scheduled, timezone.now() + timedelta(minutes=5))
    Part.objects.filter(pk=scheduled.pk).update(publish_at=timezone.now())  # the time comes
    publish_due_parts.enqueue()
    run_task_worker()  # publishes, and queues the fan-out, which the same run carries out

    page.goto(live_server.url + "/")
    notifications = page.get_by_role("link", name="Notifications 1 unread")
    expect(notifications).to_be_visible()
    notifications.click()
    expect(page.locator(".notification.is-unread")).to_contain_text("New part: High Water")
    page.get_by_role("link", name="Read it").click()
    expect(page.locator("#part-title")).to_have_text("High Water")
