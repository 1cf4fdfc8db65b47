"""Downloads: the file itself, or a page that shows its build's progress until it is ready."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from formats.actions import (
    access_story_for_download,
    check_format,
    do_count_download,
    do_prepare_download,
    do_watch_build,
)
from formats.models import CONTENT_TYPES, Format, StoryFile
from formats.prose import clean_text
from stories.models import Story

POLL_SECONDS = 2


@require_safe
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    file_format = check_format(fmt)
    story = access_story_for_download(request.user, pk)
    prepared = do_prepare_download(story, file_format)
    if not prepared.ready:
        return _waiting_page(request, story, file_format, prepared.file)
    if request.method == "GET":
        do_count_download(prepared.file)
    response = FileResponse(
        prepared.handle,
        as_attachment=True,
        filename=f"{story.slug}.{file_format}",
        content_type=CONTENT_TYPES[file_format],
    )
    # The same bytes for every reader who may see the story, but not for a shared cache: a
    # sign-in-only story's file must not reach anyone else, and every download is counted.
    response["Cache-Control"] = "private, no-cache"
    return response


@require_safe
def download_status(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The progress fragment the waiting page polls (htmx); without htmx, the page itself."""
    file_format = check_format(fmt)
    story = access_story_for_download(request.user, pk)
    row = do_watch_build(story, file_format)
    if not request.htmx:  # type: ignore[attr-defined]
        return _waiting_page(request, story, file_format, row)
    context = _status_context(story, file_format, row)
    response = render(request, "formats/_download_status.html", context)
    if context["ready"]:
        # Start the download at once; the fragment also links to it.
        response["HX-Redirect"] = context["download_url"]
    return response


def _waiting_page(
    request: HttpRequest, story: Story, file_format: Format, row: StoryFile | None
) -> HttpResponse:
    context = _status_context(story, file_format, row)
    if context["ready"]:
        return render(request, "formats/download_wait.html", context)
    response = render(request, "formats/download_wait.html", context, status=202)
    # For programs (an e-reader's catalogue browser): come back for the file later.
    response["Retry-After"] = str(POLL_SECONDS * 2)
    return response


def _status_context(story: Story, file_format: Format, row: StoryFile | None) -> dict[str, Any]:
    ready = row is not None and row.is_fresh_for(story.content_version)
    done, total = (row.progress_done, row.progress_total) if row else (0, 0)
    return {
        "story": story,
        "title": clean_text(story.title),  # as the file shows it, control characters gone
        "format": file_format,
        "format_label": file_format.label,
        "ready": ready,
        "done": min(done, total),
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "download_url": reverse("formats:download", args=[story.pk, file_format]),
        "status_url": reverse("formats:download_status", args=[story.pk, file_format]),
        "poll_seconds": POLL_SECONDS,
        # Without JavaScript the page asks for the file again this often (a meta refresh).
        "refresh_seconds": POLL_SECONDS * 2,
    }
