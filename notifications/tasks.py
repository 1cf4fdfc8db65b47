"""Background tasks of notifications: plain functions taking ids, run by the task worker."""

from __future__ import annotations

from django_tasks import task

from notifications.actions import do_fan_out_announcement, do_fan_out_new_parts
from notifications.emails import send_daily_digests, send_instant_emails
from talehouse.tasks import retried


@retried(attempts=5)
@task()
def fan_out_new_parts(story_id: int) -> int:
    return do_fan_out_new_parts(story_id)


@retried(attempts=5)
@task()
def fan_out_announcement(announcement_id: int) -> int:
    return do_fan_out_announcement(announcement_id)


@retried(attempts=3)
@task()
def send_notification_emails() -> int:
    """Every minute: the instant emails, and the rest sorted for digests or none."""
    return send_instant_emails()


@retried(attempts=3)
@task()
def send_digests() -> int:
    return send_daily_digests()
