"""What the task framework leaves to us: retrying a failed task, and saying so in the log.

django-tasks runs a task once; the database backend marks a failure FAILED with its traceback
and keeps the row, so nothing is lost. A task registered here with `retried` is put back on
the queue after a failure, later each time, up to its number of attempts; the last failure
stays FAILED for an operator to see (and re-run: every task is safe to run twice).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.core.management import call_command
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus, task
from django_tasks.base import Task
from django_tasks.signals import task_finished

logger = logging.getLogger("talehouse.tasks")

_T = TypeVar("_T", bound=Task[Any, Any])
RETRY_AFTER = timedelta(seconds=30)
ATTEMPTS: dict[str, int] = {}  # task module path: attempts in all


def retried(attempts: int) -> Callable[[_T], _T]:
    """Retry this task after a failure, up to `attempts` runs in all (outermost decorator)."""

    def register(task: _T) -> _T:
        ATTEMPTS[task.module_path] = attempts
        return task

    return register


@receiver(task_finished)
def retry_failed_task(sender: type, task_result: TaskResult[Any], **kwargs: Any) -> None:
    if task_result.status != TaskResultStatus.FAILED:
        return
    allowed = ATTEMPTS.get(task_result.task.module_path, 1)
    errors = "; ".join(error.exception_class_path for error in task_result.errors[-1:])
    if task_result.attempts >= allowed:
        logger.error(
            "task %s (%s) failed for good after %d attempt(s): %s",
            task_result.task.name, task_result.id, task_result.attempts, errors,
        )  # fmt: skip
        return
    run_after = timezone.now() + RETRY_AFTER * task_result.attempts
    _requeue(task_result, run_after)
    logger.warning(
        "task %s (%s) failed on attempt %d of %d (%s); retrying after %s",
        task_result.task.name, task_result.id, task_result.attempts, allowed, errors,
        run_after.isoformat(timespec="seconds"),
    )  # fmt: skip


def _requeue(task_result: TaskResult[Any], run_after: Any) -> None:
    """Put the same result row back on the queue: its attempts and errors stay with it."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_result.id, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=run_after, finished_at=None
    )


@task()
def prune_finished_tasks() -> None:
    """Finished task rows are kept 14 days, failed ones 30, so the table does not grow forever
    (read counting alone adds a row every few seconds)."""
    call_command("prune_db_task_results", min_age_days=14, failed_min_age_days=30, verbosity=0)
