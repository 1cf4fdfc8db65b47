"""The periodic tasks: what runs when, in one list. `manage.py run_scheduler` enqueues each on its
trigger; the task worker (`manage.py db_worker`) runs them. Run one scheduler per site."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from django.conf import settings
from django_tasks.base import Task


@dataclass(frozen=True)
class Periodic:
    task: Task[Any, Any]
    trigger: BaseTrigger

    @property
    def name(self) -> str:
        return self.task.module_path


def periodic_tasks() -> list[Periodic]:
    from discover.tasks import compute_rankings_task, refresh_similar_task
    from imports.tasks import prune_imports_task
    from notifications.tasks import send_digests, send_notification_emails
    from social.tasks import count_pending_reads
    from stories.tasks import publish_due_parts
    from talehouse.tasks import prune_finished_tasks

    every = IntervalTrigger
    return [
        Periodic(count_pending_reads, every(seconds=settings.TALEHOUSE_READ_FLUSH_SECONDS)),
        # A scheduled part is out within a minute of its time.
        Periodic(publish_due_parts, every(seconds=30)),
        Periodic(send_notification_emails, every(seconds=60)),
        Periodic(send_digests, CronTrigger(hour=7, minute=0)),
        # Hot lists and ranks in tags: recomputed off the request path.
        Periodic(compute_rankings_task, every(minutes=10)),
        # "More like this": the never-computed and the stalest lists, a few hundred a run.
        Periodic(refresh_similar_task, every(minutes=15)),
        Periodic(prune_finished_tasks, CronTrigger(hour=4, minute=17)),
        # Import previews nobody confirmed or cancelled.
        Periodic(prune_imports_task, every(hours=1)),
    ]
