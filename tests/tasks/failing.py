"""Tasks that fail on purpose, for the retry tests (the worker imports them by path)."""

from __future__ import annotations

from django.core.cache import cache
from django_tasks import task

from talehouse.tasks import retried


@retried(attempts=3)
@task()
def fails_once(key: str) -> str:
    if cache.add(key, "failed once"):
        raise RuntimeError("the first run fails")
    return "done"


@retried(attempts=2)
@task()
def always_fails() -> None:
    raise RuntimeError("this task always fails")
