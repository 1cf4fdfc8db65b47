"""The reader's library: shelves, the position beacon, reading history and its export, reading
lists and bookmarks."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, astuple
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import AuthenticatedHttpRequest
from discover.profile import fold_hidden
from library import actions, queries
from library.forms import (
    AddToListForm,
    BookmarkForm,
    EntryMoveForm,
    EntryNoteForm,
    HistoryPauseForm,
    ReadingListForm,
    ShelfForm,
)
from library.models import (
    MAX_BOOKMARK_TAG,
    MAX_LIST_ENTRIES,
    MAX_LIST_TITLE,
    ListEntry,
    ReadingList,
    Shelf,
    ShelfEntry,
    shown_shelf,
)
from stories.actions import access_published_part
from stories.models import Story
from talehouse.lib.ratelimit import over_limit, too_many_requests


def _personal(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _is_htmx(request: AuthenticatedHttpRequest) -> bool:
    return bool(request.htmx)  # type: ignore[attr-defined]


@login_required
@require_safe
def library(request: AuthenticatedHttpRequest) -> HttpResponse:
    shelves = queries.library_shelves(request.user)
    count = sum(len(group.items) for group in shelves)
    return _personal(render(request, "library/library.html", {"shelves": shelves, "count": count}))


# --- shelves ---------------------------------------------------------------------------------


def _next_url(request: AuthenticatedHttpRequest, default: str) -> str:
    """Where to go after the no-JavaScript form: a path on this site, or `default`."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe and wanted.startswith("/") else default


def _shown(entry: ShelfEntry | None) -> Shelf | None:
    if entry is None:
        return None
    return shown_shelf(entry.shelf, entry.unread_parts)  # type: ignore[attr-defined]


def _shelf_form(entry: ShelfEntry | None) -> ShelfForm:
    if entry is None:
        return ShelfForm(initial={"shelf": Shelf.READING})
    return ShelfForm(initial={"shelf": _shown(entry), "note": entry.note})


def _apply_shelf_form(request: AuthenticatedHttpRequest, story: Story) -> tuple[str, ShelfForm]:
    """Do what the posted shelf form asks: returns what was done, or "" and the invalid form."""
    form = ShelfForm(request.POST)
    if "unshelve" in request.POST:  # not "remove": a control by that name hides form.remove()
        actions.do_unshelve(request.user, story)
        return _("Removed from your library."), form
    if not form.is_valid():
        return "", form
    shelf = Shelf(form.cleaned_data["shelf"])
    actions.do_shelve(request.user, story, shelf, form.cleaned_data["note"])
    return _("Saved on your “%(shelf)s” shelf.") % {"shelf": shelf.label}, form


@login_required
@require_http_methods(["GET", "POST"])
def shelf(request: AuthenticatedHttpRequest, story_id: int) -> HttpResponse:
    """The shelf control of one story: an htmx fragment on the story page, or a page."""
    story = actions.access_story_for_shelf(request.user, story_id)
    done, invalid = "", None
    if request.method == "POST":
        done, posted = _apply_shelf_form(request, story)
        if done and not _is_htmx(request):
            messages.success(request, done)
            return redirect(_next_url(request, story.get_absolute_url()))
        invalid = None if done else posted
    entry = queries.shelf_entry(request.user, story)
    context = {
        "story": story,
        "lists": queries.list_choices(request.user, story),
        "bookmark": queries.bookmark_of(request.user, story),
        "max_list_title": MAX_LIST_TITLE,
        "form": invalid if invalid is not None else _shelf_form(entry),
        "shown": _shown(entry),
        "done": done,
        "next": _next_url(request, ""),
    }
    template = "library/_shelf.html" if _is_htmx(request) else "library/shelf.html"
    status = 400 if invalid is not None else 200
    return _personal(render(request, template, context, status=status))


# --- resume at the paragraph -----------------------------------------------------------------


@login_required
@require_POST
def position(request: AuthenticatedHttpRequest, part_id: int) -> HttpResponse:
    """The position beacon (library.js): where the reader is in a part. Answers 204, or 400
    for a paragraph that is not one of the part's."""
    if over_limit("library_position", str(request.user.pk)):
        return HttpResponse(status=429)  # a beacon: nobody reads the page
    try:
        paragraph = actions.check_paragraph_id(request.POST.get("at"))
    except ValidationError as error:
        return HttpResponseBadRequest(error.messages[0])
    if part_id > actions.MAX_ROW_ID:
        raise Http404
    part = access_published_part(request.user, part_id)
    try:
        paragraph = actions.check_paragraph_in_part(part, paragraph)
    except ValidationError as error:
        return HttpResponseBadRequest(error.messages[0])
    actions.do_save_position(request.user, part, paragraph)
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


# --- history ---------------------------------------------------------------------------------


@login_required
@require_safe
def history(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = queries.history_page(request.user, request.GET.get("page"))
    if page.is_past_the_end:
        raise Http404  # past the last page
    context = {"page": page, "paused": actions.is_history_paused(request.user)}
    return _personal(render(request, "library/history.html", context))


@login_required
@require_POST
def history_pause(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = HistoryPauseForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose to pause or to resume your history."))
    paused = form.cleaned_data["paused"]
    actions.do_set_history_paused(request.user, paused)
    if paused:
        messages.success(request, _("History paused: the parts you open are not recorded."))
    else:
        messages.success(request, _("History resumed."))
    return redirect("library:history")


@login_required
@require_http_methods(["GET", "POST"])
def history_clear(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        actions.do_clear_history(request.user)
        messages.success(request, _("Your reading history is cleared."))
        return redirect("library:history")
    return _personal(render(request, "library/history_clear.html"))


def _export(body: Iterable[str], kind: str) -> StreamingHttpResponse:
    content_type = {"json": "application/json", "csv": "text/csv"}[kind]
    response = StreamingHttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="talehouse-history.{kind}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


def _json_array(rows: Iterator[queries.HistoryRow]) -> Iterator[str]:
    yield "["
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(asdict(row), ensure_ascii=False)
    yield "\n]\n"


class _Echo:
    """csv.writer's file: hands each written line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def _spreadsheet_safe(value: object) -> object:
    # A title starting with "=" (or + - @) would run as a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


def _csv_lines(rows: Iterator[queries.HistoryRow]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(queries.HistoryRow.fields())
    for row in rows:
        yield writer.writerow([_spreadsheet_safe(value) for value in astuple(row)])


@login_required
@require_safe
def history_json(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    rows = queries.history_rows(request.user, request.build_absolute_uri("/").rstrip("/"))
    return _export(_json_array(rows), "json")


@login_required
@require_safe
def history_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    rows = queries.history_rows(request.user, request.build_absolute_uri("/").rstrip("/"))
    return _export(_csv_lines(rows), "csv")


# --- reading lists ---------------------------------------------------------------------------


def _too_many_edits(request: AuthenticatedHttpRequest) -> HttpResponse | None:
    """The answer to a list or bookmark write past the reader's rate limit, if it is."""
    if not over_limit("library_edit", str(request.user.pk)):
        return None
    return too_many_requests(request)


def _form_page(
    request: AuthenticatedHttpRequest, template: str, context: dict[str, object]
) -> HttpResponse:
    form = context["form"]
    status = 400 if isinstance(form, forms.Form) and form.errors else 200
    return _personal(render(request, template, context, status=status))


@login_required
@require_safe
def lists(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {"lists": queries.my_lists(request.user), "form": ReadingListForm()}
    return _personal(render(request, "library/lists.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def list_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ReadingListForm(request.POST) if request.method == "POST" else ReadingListForm()
    if request.method == "POST":
        if limited := _too_many_edits(request):
            return limited
        if form.is_valid():
            try:
                reading_list = actions.do_create_list(request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("List created."))
                return redirect(reading_list)
    return _form_page(request, "library/list_form.html", {"form": form, "reading_list": None})


@require_safe
def list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    """A list: anyone may read a public one (the stories each may see), its owner any of theirs."""
    reading_list = queries.visible_list(request.user, list_id)
    page = queries.list_entries_page(request.user, reading_list, request.GET.get("page"))
    if page.is_past_the_end:
        raise Http404
    is_owner = request.user.pk == reading_list.owner_id
    if not is_owner:
        # Another reader's list folds what the viewer's filters hide, as every listing does;
        # the owner chose each story on it and sees them all.
        fold_hidden(request.user, [entry.story for entry in page.items])
    context = {
        "reading_list": reading_list,
        "page": page,
        "is_owner": is_owner,
        "max_entries": MAX_LIST_ENTRIES,
    }
    return _personal(render(request, "library/list_detail.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def list_edit(request: AuthenticatedHttpRequest, list_id: int) -> HttpResponse:
    reading_list = actions.access_list_for_edit(request.user, list_id)
    if request.method == "POST":
        if limited := _too_many_edits(request):
            return limited
        form = ReadingListForm(request.POST)
        if form.is_valid():
            actions.do_update_list(reading_list, **form.cleaned_data)
            messages.success(request, _("List saved."))
            return redirect(reading_list)
    else:
        fields = ("title", "description", "is_public")
        form = ReadingListForm(initial={name: getattr(reading_list, name) for name in fields})
    context = {"form": form, "reading_list": reading_list}
    return _form_page(request, "library/list_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def list_delete(request: AuthenticatedHttpRequest, list_id: int) -> HttpResponse:
    reading_list = actions.access_list_for_edit(request.user, list_id)
    if request.method == "POST":
        if limited := _too_many_edits(request):
            return limited
        actions.do_delete_list(reading_list)
        messages.success(request, _("List “%(title)s” deleted.") % {"title": reading_list.title})
        return redirect("library:lists")
    return _personal(render(request, "library/list_delete.html", {"reading_list": reading_list}))


@login_required
@require_http_methods(["GET", "POST"])
def list_add(request: AuthenticatedHttpRequest, story_id: int) -> HttpResponse:
    """Add a story to one of the reader's lists, or to a new list (the story page's control)."""
    story = actions.access_story_for_shelf(request.user, story_id)
    lists = queries.list_choices(request.user, story)
    form = AddToListForm(request.POST if request.method == "POST" else None, lists=lists)
    if request.method == "POST":
        if limited := _too_many_edits(request):
            return limited
        if form.is_valid():
            try:
                done, reading_list = _add_to_list(request, story, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, done)
                return redirect(_next_url(request, reading_list.get_absolute_url()))
    member_of = [reading_list for reading_list in lists if reading_list.has_story]  # type: ignore[attr-defined]
    context = {"form": form, "story": story, "member_of": member_of, "next": _next_url(request, "")}
    return _form_page(request, "library/list_add.html", context)


def _add_to_list(
    request: AuthenticatedHttpRequest, story: Story, data: dict[str, Any]
) -> tuple[str, ReadingList]:
    """Do what AddToListForm asks: returns what was done, and the list."""
    if data["reading_list"] is None:
        reading_list, _entry = actions.do_create_list_with(
            request.user, data["new_title"], story, data["note"]
        )
        done = _("Added to your new list “%(title)s”.")
    else:
        reading_list = actions.access_list_for_edit(request.user, data["reading_list"])
        _entry, added = actions.do_add_to_list(reading_list, story, data["note"])
        done = _("Added to “%(title)s”.") if added else _("Already in “%(title)s”.")
    return done % {"title": reading_list.title}, reading_list


def _back_to_list(request: AuthenticatedHttpRequest, entry: ListEntry) -> HttpResponse:
    return redirect(_next_url(request, entry.reading_list.get_absolute_url()))


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: AuthenticatedHttpRequest, list_id: int, entry_id: int) -> HttpResponse:
    """The note on a story in a list."""
    entry = actions.access_entry_for_edit(request.user, list_id, entry_id)
    if request.method == "POST":
        if limited := _too_many_edits(request):
            return limited
        form = EntryNoteForm(request.POST)
        if form.is_valid():
            actions.do_set_entry_note(entry, form.cleaned_data["note"])
            messages.success(request, _("Note saved."))
            return _back_to_list(request, entry)
    else:
        form = EntryNoteForm(initial={"note": entry.note})
    context = {"form": form, "entry": entry, "next": _next_url(request, "")}
    return _form_page(request, "library/entry_edit.html", context)


@login_required
@require_POST
def entry_move(request: AuthenticatedHttpRequest, list_id: int, entry_id: int) -> HttpResponse:
    entry = actions.access_entry_for_edit(request.user, list_id, entry_id)
    if limited := _too_many_edits(request):
        return limited
    form = EntryMoveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose to move the story up or down."))
    actions.do_move_entry(entry, up=form.cleaned_data["direction"] == "up")
    return _back_to_list(request, entry)


@login_required
@require_POST
def entry_remove(request: AuthenticatedHttpRequest, list_id: int, entry_id: int) -> HttpResponse:
    entry = actions.access_entry_for_edit(request.user, list_id, entry_id)
    if limited := _too_many_edits(request):
        return limited
    actions.do_remove_entry(entry)
    messages.success(
        request, _("“%(title)s” removed from the list.") % {"title": entry.story.title}
    )
    return _back_to_list(request, entry)


# --- bookmarks -------------------------------------------------------------------------------


@login_required
@require_safe
def bookmarks(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reader's bookmarks, or those carrying one of their tags (`?tag=`)."""
    tag = " ".join(request.GET.get("tag", "").split())[: MAX_BOOKMARK_TAG + 1]
    page = queries.my_bookmarks_page(request.user, tag, request.GET.get("page"))
    if page.is_past_the_end:
        raise Http404
    context = {"page": page, "tag": tag, "tags": queries.my_bookmark_tags(request.user)}
    return _personal(render(request, "library/bookmarks.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def bookmark(request: AuthenticatedHttpRequest, story_id: int) -> HttpResponse:
    """Bookmark a story, or change the bookmark: note, tags, public or private."""
    story = actions.access_story_for_shelf(request.user, story_id)
    existing = queries.bookmark_of(request.user, story)
    if request.method == "POST":
        if limited := _too_many_edits(request):
            return limited
        form = BookmarkForm(request.POST)
        if form.is_valid():
            actions.do_bookmark(request.user, story, **form.cleaned_data)
            messages.success(request, _("Bookmark saved."))
            return redirect(_next_url(request, reverse("library:bookmarks")))
    elif existing is None:
        form = BookmarkForm()
    else:
        tags = ", ".join(queries.tags_of(existing))
        form = BookmarkForm(
            initial={"note": existing.note, "tags": tags, "is_public": existing.is_public}
        )
    context = {"form": form, "story": story, "bookmark": existing, "next": _next_url(request, "")}
    return _form_page(request, "library/bookmark.html", context)


@login_required
@require_POST
def bookmark_delete(request: AuthenticatedHttpRequest, story_id: int) -> HttpResponse:
    story = actions.access_story_for_shelf(request.user, story_id)
    if limited := _too_many_edits(request):
        return limited
    if actions.do_delete_bookmark(request.user, story):
        messages.success(request, _("Bookmark deleted."))
    return redirect(_next_url(request, reverse("library:bookmarks")))
