"""Periodic background work, run by `manage.py run_jobs` (and by `make demo` beside the server).

At scale the same functions run from a task queue; the list stays the single place to look.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections

from social.actions import flush_pending_reads

logger = logging.getLogger("talehouse.jobs")


@dataclass
class PeriodicJob:
    name: str
    every_seconds: float
    run: Callable[[], object]


def periodic_jobs() -> list[PeriodicJob]:
    return [
        PeriodicJob(
            "flush_pending_reads", settings.TALEHOUSE_READ_FLUSH_SECONDS, flush_pending_reads
        ),
    ]


def run_forever(jobs: list[PeriodicJob], stop: Callable[[], bool] = lambda: False) -> None:
    next_run = {job.name: 0.0 for job in jobs}
    while not stop():
        now = time.monotonic()
        for job in jobs:
            if now >= next_run[job.name]:
                close_old_connections()
                try:
                    result = job.run()
                    logger.debug("job %s -> %s", job.name, result)
                except Exception:  # a failed run is logged and retried on the next tick
                    logger.exception("job %s failed", job.name)
                next_run[job.name] = now + job.every_seconds
        time.sleep(0.5)
