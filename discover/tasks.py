from __future__ import annotations

from django_tasks import task

from talehouse.tasks import retried


@retried(attempts=3)
@task()
def compute_rankings_task() -> None:
    from discover.rankings import compute_rankings

    compute_rankings()
