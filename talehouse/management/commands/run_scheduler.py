from __future__ import annotations

from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from talehouse.schedule import Periodic, periodic_tasks


def enqueue(periodic: Periodic) -> None:
    close_old_connections()  # the scheduler's threads outlive any one connection
    periodic.task.enqueue()


def add_periodic_tasks(scheduler: BaseScheduler) -> list[Periodic]:
    tasks = periodic_tasks()
    for periodic in tasks:
        # A run missed while the scheduler was busy or down is enqueued once, not many times.
        scheduler.add_job(
            enqueue, periodic.trigger, args=[periodic], id=periodic.name,
            coalesce=True, max_instances=1, misfire_grace_time=60,
        )  # fmt: skip
    return tasks


class Command(BaseCommand):
    help = "Enqueue the periodic tasks on their schedule (talehouse/schedule.py) until stopped."

    def handle(self, *args: Any, **options: Any) -> None:
        scheduler = BlockingScheduler(timezone="UTC")
        for periodic in add_periodic_tasks(scheduler):
            self.stdout.write(f"{periodic.trigger}: {periodic.name}")
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass
