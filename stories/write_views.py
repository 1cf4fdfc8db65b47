"""Writing views: a writer's stories, the story form, the part editor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, cast

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from js_asset import Media

from accounts.actions import do_set_time_zone
from accounts.models import AuthenticatedHttpRequest
from stories import actions
from stories.actions import access_part_for_edit, access_story_for_edit
from stories.forms import TIME_ZONES, PartForm, ScheduleForm, StoryForm
from stories.models import Part, Story

P = ParamSpec("P")


@login_required
@require_GET
def my_stories(request: AuthenticatedHttpRequest) -> HttpResponse:
    stories = Story.objects.visible_to(request.user).filter(author=request.user)
    stories = stories.order_by("-edited_at")
    return render(request, "stories/write/my_stories.html", {"stories": stories})


@login_required
@require_http_methods(["GET", "POST"])
def story_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StoryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        story = actions.do_create_story(
            request.user,
            form.story_data(),
            cover=form.cleaned_cover,
            client_token=form.cleaned_data.get("client_token", ""),
        )
        messages.success(request, _("Story created. Now write its first part."))
        return redirect("stories:part_create", story_id=story.pk)
    return render(request, "stories/write/story_form.html", {"form": form, "story": None})


@login_required
@require_http_methods(["GET", "POST"])
def story_edit(request: AuthenticatedHttpRequest, story_id: int) -> HttpResponse:
    story = access_story_for_edit(request.user, story_id)
    if request.method == "POST":
        form = StoryForm(request.POST, request.FILES)
        if form.is_valid():
            actions.do_update_story(story, form.story_data(), cover=form.cleaned_cover)
            messages.success(request, _("Story saved."))
            return redirect("stories:story_manage", story_id=story.pk)
    else:
        form = StoryForm(initial=StoryForm.initial_for(story))
    return render(request, "stories/write/story_form.html", {"form": form, "story": story})


@login_required
@require_GET
def story_manage(request: AuthenticatedHttpRequest, story_id: int) -> HttpResponse:
    story = access_story_for_edit(request.user, story_id)
    parts = Part.objects.visible_to(request.user).filter(story=story).order_by("position", "id")
    context = {
        "story": story,
        "parts": parts,
        "time_zone": request.user.profile.time_zone,
        "time_zones": TIME_ZONES,
    }
    return render(request, "stories/write/story_manage.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def story_delete(request: AuthenticatedHttpRequest, story_id: int) -> HttpResponse:
    story = access_story_for_edit(request.user, story_id)
    if request.method == "POST":
        if request.POST.get("confirm_title", "").strip() != story.title:
            messages.error(request, _("Type the story's title exactly to delete it."))
            return render(request, "stories/write/story_delete.html", {"story": story}, status=400)
        actions.do_delete_story(story)
        messages.success(request, _("Story deleted."))
        return redirect("stories:my_stories")
    return render(request, "stories/write/story_delete.html", {"story": story})


# sha256 of the stylesheet Tiptap injects (django-prose-editor 0.28.0); a new editor version
# that changes it only loses those base styles, and the browser console says which hash to use.
EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"


# Tiptap (inside the editor) injects its base stylesheet as a <style> element; the editor pages
# allow exactly that stylesheet by its hash.
def editor_csp(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    # django-csp's decorator is typed for views of one argument; ours take ids too.
    decorate: Any = csp_update({"style-src": [EDITOR_STYLE_HASH]})
    return cast(Callable[P, HttpResponse], decorate(view))


@login_required
@require_http_methods(["GET", "POST"])
@editor_csp
def part_create(request: AuthenticatedHttpRequest, story_id: int) -> HttpResponse:
    story = access_story_for_edit(request.user, story_id)
    if request.method == "POST" and request.POST.get("autosave"):
        return _autosave_new_part(request, story)
    form = PartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        part = actions.do_create_part(
            story,
            data["title"],
            data["body"],
            data["notes_before"],
            data["notes_after"],
            client_token=data.get("client_token", ""),
            spoilers=form.spoilers(),
        )
        if "publish" in request.POST:
            return _publish_or_explain(request, part)
        messages.success(request, _("Draft saved."))
        return redirect("stories:part_edit", part_id=part.pk)
    return _render_part_form(request, form, story, None)


@login_required
@require_http_methods(["GET", "POST"])
@editor_csp
def part_edit(request: AuthenticatedHttpRequest, part_id: int) -> HttpResponse:
    part = access_part_for_edit(request.user, part_id)
    if request.method == "POST":
        form = PartForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            actions.do_save_part(
                part,
                data["title"],
                data["body"],
                data["notes_before"],
                data["notes_after"],
                form.spoilers(),
            )
            if "publish" in request.POST:
                return _publish_or_explain(request, part)
            messages.success(request, _("Part saved."))
            return redirect("stories:part_edit", part_id=part.pk)
    else:
        form = PartForm(
            initial={
                "title": part.title,
                "body": part.body_html,
                "notes_before": part.notes_before,
                "notes_after": part.notes_after,
                "part_warnings": part.part_warnings,
                "spoiler_tags": ", ".join(part.spoiler_tags),
            }
        )
    return _render_part_form(request, form, part.story, part)


def _render_part_form(
    request: AuthenticatedHttpRequest, form: PartForm, story: Story, part: Part | None
) -> HttpResponse:
    # The editor loads through an import map, an inline script: it gets this response's nonce.
    media = Media.from_media(form.media, nonce=request.csp_nonce)  # type: ignore[attr-defined]
    context = {"form": form, "form_media": media, "story": story, "part": part}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "stories/write/part_form.html", context, status=status)


def _publish_or_explain(request: AuthenticatedHttpRequest, part: Part) -> HttpResponse:
    try:
        actions.do_publish_part(part)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("stories:part_edit", part_id=part.pk)
    messages.success(request, _("Part published."))
    return redirect(part)


def _autosave_response(part: Part, created: bool = False) -> JsonResponse:
    data = {
        "saved": True,
        "word_count": part.word_count,
        "word_count_label": ngettext("%(n)s word", "%(n)s words", part.word_count)
        % {"n": part.word_count},
        "saved_label": _("Draft saved at %(time)s")
        % {"time": timezone.localtime(part.edited_at).strftime("%H:%M:%S")},
    }
    if created:
        data["autosave_url"] = reverse("stories:part_autosave", args=[part.pk])
        data["edit_url"] = reverse("stories:part_edit", args=[part.pk])
    return JsonResponse(data)


def _autosave_error(error: ValidationError) -> JsonResponse:
    # 409 when the draft on the server has text the request would wipe (the editor then
    # pauses autosave until the writer types or saves); 400 for anything else refused.
    status = 409 if getattr(error, "code", None) == "emptied" else 400
    return JsonResponse({"saved": False, "error": " ".join(error.messages)}, status=status)


def _autosave_new_part(request: AuthenticatedHttpRequest, story: Story) -> JsonResponse:
    """The first autosave of a new part creates it as a draft, so nothing typed is lost."""
    title = " ".join(request.POST.get("title", "").split())[:200]
    if not title:
        return _autosave_error(ValidationError(_("Give this part a title.")))
    token = request.POST.get("client_token", "")[:64]
    body = request.POST.get("body", "")
    try:
        part = actions.do_autosave_new_part(story, title, body, token)
    except ValidationError as error:
        return _autosave_error(error)
    return _autosave_response(part, created=True)


@login_required
@require_POST
def part_autosave(request: AuthenticatedHttpRequest, part_id: int) -> JsonResponse:
    part = access_part_for_edit(request.user, part_id)
    title = " ".join(request.POST.get("title", "").split())[:200]
    try:
        actions.do_autosave_part(part, title, request.POST.get("body", ""))
    except ValidationError as error:
        return _autosave_error(error)
    return _autosave_response(part)


@login_required
@require_POST
def part_publish(request: AuthenticatedHttpRequest, part_id: int) -> HttpResponse:
    part = access_part_for_edit(request.user, part_id)
    return _publish_or_explain(request, part)


@login_required
@require_POST
def part_schedule(request: AuthenticatedHttpRequest, part_id: int) -> HttpResponse:
    part = access_part_for_edit(request.user, part_id)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("stories:story_manage", story_id=part.story_id)
    try:
        actions.do_schedule_part(part, form.cleaned_data["publish_at"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        do_set_time_zone(request.user, form.cleaned_data["time_zone"])
        messages.success(request, _("Scheduled: it will be published at the time you chose."))
    return redirect("stories:story_manage", story_id=part.story_id)


@login_required
@require_POST
def part_unschedule(request: AuthenticatedHttpRequest, part_id: int) -> HttpResponse:
    part = access_part_for_edit(request.user, part_id)
    actions.do_unschedule_part(part)
    messages.success(request, _("Schedule cancelled; the part stays a draft."))
    return redirect("stories:story_manage", story_id=part.story_id)


@login_required
@require_POST
def part_unpublish(request: AuthenticatedHttpRequest, part_id: int) -> HttpResponse:
    part = access_part_for_edit(request.user, part_id)
    actions.do_unpublish_part(part)
    messages.success(request, _("Part unpublished; it is a draft again."))
    return redirect("stories:story_manage", story_id=part.story_id)


@login_required
@require_POST
def part_move(request: AuthenticatedHttpRequest, part_id: int) -> HttpResponse:
    part = access_part_for_edit(request.user, part_id)
    direction = request.POST.get("direction")
    if direction not in {"up", "down"}:
        messages.error(request, _("Choose up or down."))
    else:
        actions.do_move_part(part, -1 if direction == "up" else 1)
    return redirect("stories:story_manage", story_id=part.story_id)


@login_required
@require_http_methods(["GET", "POST"])
def part_delete(request: AuthenticatedHttpRequest, part_id: int) -> HttpResponse:
    part = access_part_for_edit(request.user, part_id)
    if request.method == "POST":
        story_id = part.story_id
        actions.do_delete_part(part)
        messages.success(request, _("Part deleted."))
        return redirect("stories:story_manage", story_id=story_id)
    return render(request, "stories/write/part_delete.html", {"part": part, "story": part.story})
