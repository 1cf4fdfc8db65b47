"""Import views: upload, the reading progress, the preview, confirm or cancel."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from accounts.models import AuthenticatedHttpRequest
from imports.actions import (
    access_import,
    do_cancel_import,
    do_confirm_import,
    do_start_import,
)
from imports.forms import ImportForm
from imports.models import ImportPreview, ImportStatus
from stories.actions import access_story_for_edit
from stories.models import LANGUAGE_CHOICES, ArchiveWarning, Rating, Story, StoryStatus
from tags.models import TagKind
from talehouse.lib.ratelimit import over_limit, too_many_requests


@login_required
@require_http_methods(["GET", "POST"])
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _upload(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def start_parts(request: AuthenticatedHttpRequest, story_id: int) -> HttpResponse:
    return _upload(request, access_story_for_edit(request.user, story_id))


def _upload(request: AuthenticatedHttpRequest, story: Story | None) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if over_limit("import", str(request.user.pk)):
            return too_many_requests(request)
        if form.is_valid():
            try:
                preview = do_start_import(
                    request.user, form.file_name, form.cleaned_data["file"], story
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return redirect("imports:preview", import_id=preview.pk)
    context = {
        "form": form,
        "story": story,
        "limit_mb": settings.TALEHOUSE_IMPORT_MAX_BYTES // (1024 * 1024),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "imports/upload.html", context, status=status)


# While the worker reads or saves, the page shows the progress and follows along by itself.
IN_PROGRESS = {ImportStatus.READING, ImportStatus.SAVING}


@login_required
@require_GET
def preview(request: AuthenticatedHttpRequest, import_id: int) -> HttpResponse:
    found = access_import(request.user, import_id)
    if found.status == ImportStatus.SAVED:
        return _saved(request, found)
    context: dict[str, Any] = {"preview": found, "story": found.story}
    if found.status == ImportStatus.READY:
        context |= _outline_context(found)
    return render(request, "imports/preview.html", context)


@login_required
@require_GET
def status(request: AuthenticatedHttpRequest, import_id: int) -> HttpResponse:
    """The progress fragment the page polls; once done, it sends the page on."""
    found = access_import(request.user, import_id)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("imports:preview", import_id=found.pk)
    if found.status == ImportStatus.SAVED:
        return HttpResponseClientRedirect(reverse("imports:preview", args=[found.pk]))
    if found.status not in IN_PROGRESS:
        return HttpResponseClientRefresh()
    return render(request, "imports/_status.html", {"preview": found})


@login_required
@require_POST
def confirm(request: AuthenticatedHttpRequest, import_id: int) -> HttpResponse:
    found = access_import(request.user, import_id)
    try:
        story = do_confirm_import(request.user, found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("imports:preview", import_id=found.pk)
    if story is None:  # the worker saves it; the page follows along
        return redirect("imports:preview", import_id=found.pk)
    return _saved(request, found, story.pk)


def _saved(
    request: AuthenticatedHttpRequest, found: ImportPreview, story_id: int | None = None
) -> HttpResponse:
    parts = len(found.outline.get("parts", []))
    messages.success(
        request,
        ngettext(
            "Imported %(n)s part as a draft. Read it over, then publish when you are ready.",
            "Imported %(n)s parts as drafts. Read them over, then publish when you are ready.",
            parts,
        )
        % {"n": parts},
    )
    return redirect("stories:story_manage", story_id=story_id or found.story_id)


@login_required
@require_POST
def cancel(request: AuthenticatedHttpRequest, import_id: int) -> HttpResponse:
    found = access_import(request.user, import_id)
    try:
        do_cancel_import(found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("imports:preview", import_id=found.pk)
    messages.success(request, _("Import cancelled: nothing was saved."))
    if found.story_id is not None:
        return redirect("stories:story_manage", story_id=found.story_id)
    return redirect("stories:my_stories")


def _outline_context(found: ImportPreview) -> dict[str, Any]:
    """The outline's codes as the labels a writer reads."""
    outline = found.outline
    ratings, warnings = dict(Rating.choices), dict(ArchiveWarning.choices)
    kinds, languages = dict(TagKind.choices), dict(LANGUAGE_CHOICES)
    return {
        "outline": outline,
        "rating": ratings.get(outline.get("rating", ""), ratings[Rating.NOT_RATED]),
        "warnings": [warnings[code] for code in outline.get("warnings", []) if code in warnings],
        "language": languages.get(outline.get("language", "")),
        "status_label": dict(StoryStatus.choices).get(outline.get("status", "")),
        "tags": [
            (kinds[kind], outline.get("tags", {}).get(kind, []))
            for kind in TagKind.values
            if outline.get("tags", {}).get(kind)
        ],
    }
