from __future__ import annotations

from django_tasks import task

from talehouse.tasks import retried


@retried(attempts=3)
@task()
def index_story_task(story_id: int) -> None:
    from search.indexing import index_story

    index_story(story_id)
