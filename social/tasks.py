"""Background tasks of the social app: plain functions taking ids, run by the task worker."""

from __future__ import annotations

from django_tasks import task

from social.jobs import flush_pending_reads
from talehouse.tasks import retried


@retried(attempts=3)
@task()
def count_pending_reads() -> int:
    """Apply queued reads to the counters (idempotent: a read is counted once, whatever runs)."""
    return flush_pending_reads()
