"""Background tasks of the stories app: plain functions taking ids, run by the task worker."""

from __future__ import annotations

from django_tasks import task

from stories.actions import do_publish_due_parts
from talehouse.tasks import retried


@retried(attempts=3)
@task()
def publish_due_parts() -> int:
    """Publish the scheduled parts whose time has come (every half minute: see schedule.py)."""
    return do_publish_due_parts()
