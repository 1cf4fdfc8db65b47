"""Background tasks of imports: plain functions taking ids, run by the task worker."""

from __future__ import annotations

from django_tasks import task

from imports.actions import do_prune_imports, do_read_import, do_save_import
from talehouse.tasks import retried


@retried(attempts=3)
@task()
def read_import_task(import_id: int) -> None:
    """Read an uploaded file into its preview (a file too large to read in the request)."""
    do_read_import(import_id)


@task()
def save_import_task(import_id: int) -> None:
    """Save a confirmed preview with many parts (its failures are handed back to the writer,
    not retried: nothing was saved, and they may confirm again)."""
    do_save_import(import_id)


@task()
def prune_imports_task() -> int:
    """Previews nobody confirmed or cancelled: gone after TALEHOUSE_IMPORT_PREVIEW_HOURS."""
    return do_prune_imports()
