"""Background builds of download files (formats/actions.py): plain functions taking ids,
each safe to run twice (a fresh file is left as it is)."""

from __future__ import annotations

from django_tasks import task

from talehouse.tasks import retried


@retried(attempts=3)
@task()
def build_file_task(story_id: int, file_format: str) -> None:
    """A reader asked for a file too large to make in their request."""
    from formats.actions import do_build_file

    do_build_file(story_id, file_format)


@retried(attempts=3)
@task()
def refresh_story_files_task(story_id: int) -> None:
    """A story changed what its files show: make again the formats readers download."""
    from formats.actions import do_refresh_story_files

    do_refresh_story_files(story_id)
