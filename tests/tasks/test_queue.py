"""Background work runs on the task framework: enqueued, run by the worker, retried, scheduled."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from social.actions.reads import do_queue_read
from social.tasks import count_pending_reads
from stories.models import Part
from talehouse.management.commands.run_scheduler import add_periodic_tasks
from tests.factories import run_task_worker
from tests.tasks.failing import always_fails, fails_once

# The worker manages its own transactions and connections, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def retry_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("talehouse.tasks.RETRY_AFTER", timedelta(0))


def test_queued_reads_are_counted_by_the_worker(part: Part) -> None:
    do_queue_read(part.pk, "v:someone-new-0100", None)
    result = count_pending_reads.enqueue()
    run_task_worker()
    part.refresh_from_db()
    assert part.reads_count == 1
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL


def test_a_failed_task_is_retried_and_the_retry_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    result = fails_once.enqueue("retry-once")
    with caplog.at_level(logging.WARNING, logger="talehouse.tasks"):
        run_task_worker()
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == "done"
    assert row.task_result.attempts == 2
    assert "failed on attempt 1 of 3" in caplog.text


def test_a_task_that_keeps_failing_stays_failed_with_its_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = always_fails.enqueue()
    with caplog.at_level(logging.WARNING, logger="talehouse.tasks"):
        run_task_worker()
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.task_result.attempts == 2
    assert "this task always fails" in row.traceback
    assert "failed for good after 2 attempt(s)" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_enqueues_read_counting_on_its_interval(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TALEHOUSE_READ_FLUSH_SECONDS = 0.2
    scheduler = BackgroundScheduler(timezone="UTC")
    add_periodic_tasks(scheduler)
    scheduler.start()
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and DBTaskResult.objects.count() < 2:
            time.sleep(0.1)
    finally:
        scheduler.shutdown()
    queued = DBTaskResult.objects.all()
    assert len(queued) >= 2
    assert {row.task_path for row in queued} == {count_pending_reads.module_path}


def test_finished_task_rows_are_pruned_after_two_weeks() -> None:
    from django.utils import timezone

    from talehouse.tasks import prune_finished_tasks

    old, recent = count_pending_reads.enqueue(), count_pending_reads.enqueue()
    run_task_worker()
    DBTaskResult.objects.filter(id=old.id).update(finished_at=timezone.now() - timedelta(days=15))
    prune_finished_tasks.enqueue()
    run_task_worker()
    left = set(DBTaskResult.objects.values_list("id", flat=True))
    assert str(old.id) not in {str(i) for i in left} and recent.id in {str(i) for i in left}
