from __future__ import annotations

from django_tasks import task

from talehouse.tasks import retried


@retried(attempts=3)
@task()
def compute_rankings_task() -> None:
    from discover.rankings import compute_rankings

    compute_rankings()


# How many stories one periodic run recomputes "more like this" for: never computed first,
# then the stalest. A run of 300 takes a few seconds at 100,000 works (bench/archive.py).
SIMILAR_PER_RUN = 300


@retried(attempts=3)
@task()
def compute_similar_task(story_id: int) -> None:
    from discover.similar import compute_similar

    compute_similar(story_id)


@task()
def refresh_similar_task() -> None:
    from discover.similar import compute_similar, stale_stories

    for story_id in stale_stories(SIMILAR_PER_RUN):
        compute_similar(story_id)
