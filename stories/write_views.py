"""Writing views: a writer's stories, the story form, the part editor."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from js_asset import Media

from stories import actions
from stories.actions import access_part_for_edit, access_story_for_edit
from stories.forms import PartForm, StoryForm
from stories.models import Part, Story


@login_required
@require_GET
def my_stories(request: HttpRequest) -> HttpResponse:
    stories = Story.objects.filter(author_id=request.user.pk).order_by("-edited_at")
    return render(request, "stories/write/my_stories.html", {"stories": stories})


@login_required
@require_http_methods(["GET", "POST"])
def story_create(request: HttpRequest) -> HttpResponse:
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
def story_edit(request: HttpRequest, story_id: int) -> HttpResponse:
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
def story_manage(request: HttpRequest, story_id: int) -> HttpResponse:
    story = access_story_for_edit(request.user, story_id)
    parts = Part.objects.filter(story=story)
    return render(request, "stories/write/story_manage.html", {"story": story, "parts": parts})


@login_required
@require_http_methods(["GET", "POST"])
def story_delete(request: HttpRequest, story_id: int) -> HttpResponse:
    story = access_story_for_edit(request.user, story_id)
    if request.method == "POST":
        if request.POST.get("confirm_title", "").strip() != story.title:
            messages.error(request, _("Type the story's title exactly to delete it."))
            return render(request, "stories/write/story_delete.html", {"story": story}, status=400)
        actions.do_delete_story(story)
        messages.success(request, _("Story deleted."))
        return redirect("stories:my_stories")
    return render(request, "stories/write/story_delete.html", {"story": story})


@login_required
@require_http_methods(["GET", "POST"])
def part_create(request: HttpRequest, story_id: int) -> HttpResponse:
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
        )
        if "publish" in request.POST:
            return _publish_or_explain(request, part)
        messages.success(request, _("Draft saved."))
        return redirect("stories:part_edit", part_id=part.pk)
    return _render_part_form(request, form, story, None)


@login_required
@require_http_methods(["GET", "POST"])
def part_edit(request: HttpRequest, part_id: int) -> HttpResponse:
    part = access_part_for_edit(request.user, part_id)
    if request.method == "POST":
        form = PartForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            actions.do_save_part(
                part, data["title"], data["body"], data["notes_before"], data["notes_after"]
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
            }
        )
    return _render_part_form(request, form, part.story, part)


# sha256 of the stylesheet Tiptap injects (django-prose-editor 0.28.0); a new editor version
# that changes it only loses those base styles, and the browser console says which hash to use.
EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"


def _render_part_form(
    request: HttpRequest, form: PartForm, story: Story, part: Part | None
) -> HttpResponse:
    # The editor loads through an import map, an inline script: it gets this response's nonce.
    media = Media.from_media(form.media, nonce=request.csp_nonce)  # type: ignore[attr-defined]
    context = {"form": form, "form_media": media, "story": story, "part": part}
    status = 400 if form.is_bound and form.errors else 200
    response = render(request, "stories/write/part_form.html", context, status=status)
    # Tiptap (inside the editor) injects its base stylesheet as a <style> element; allow
    # exactly that stylesheet by its hash, on editor pages only.
    response._csp_update = {"style-src": [EDITOR_STYLE_HASH]}  # type: ignore[attr-defined]
    return response


def _publish_or_explain(request: HttpRequest, part: Part) -> HttpResponse:
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
    return JsonResponse({"saved": False, "error": " ".join(error.messages)}, status=400)


def _autosave_new_part(request: HttpRequest, story: Story) -> JsonResponse:
    """The first autosave of a new part creates it as a draft, so nothing typed is lost."""
    title = " ".join(request.POST.get("title", "").split())[:200]
    if not title:
        return _autosave_error(ValidationError(_("Give this part a title.")))
    token = request.POST.get("client_token", "")[:64]
    body = request.POST.get("body", "")
    try:
        existing = actions.find_part_by_token(story, token)
        if existing is None:
            part = actions.do_create_part(story, title, body, client_token=token)
        else:
            # A late autosave after this page was submitted: it must not undo the submit
            # (notes, publication), so it saves only as an autosave would, drafts only.
            part = actions.do_autosave_part(existing, title, body)
    except ValidationError as error:
        return _autosave_error(error)
    return _autosave_response(part, created=True)


@login_required
@require_POST
def part_autosave(request: HttpRequest, part_id: int) -> JsonResponse:
    part = access_part_for_edit(request.user, part_id)
    title = " ".join(request.POST.get("title", "").split())[:200]
    try:
        actions.do_autosave_part(part, title, request.POST.get("body", ""))
    except ValidationError as error:
        return _autosave_error(error)
    return _autosave_response(part)


@login_required
@require_POST
def part_publish(request: HttpRequest, part_id: int) -> HttpResponse:
    part = access_part_for_edit(request.user, part_id)
    return _publish_or_explain(request, part)


@login_required
@require_POST
def part_unpublish(request: HttpRequest, part_id: int) -> HttpResponse:
    part = access_part_for_edit(request.user, part_id)
    actions.do_unpublish_part(part)
    messages.success(request, _("Part unpublished; it is a draft again."))
    return redirect("stories:story_manage", story_id=part.story_id)


@login_required
@require_POST
def part_move(request: HttpRequest, part_id: int) -> HttpResponse:
    part = access_part_for_edit(request.user, part_id)
    direction = request.POST.get("direction")
    if direction not in {"up", "down"}:
        messages.error(request, _("Choose up or down."))
    else:
        actions.do_move_part(part, -1 if direction == "up" else 1)
    return redirect("stories:story_manage", story_id=part.story_id)


@login_required
@require_http_methods(["GET", "POST"])
def part_delete(request: HttpRequest, part_id: int) -> HttpResponse:
    part = access_part_for_edit(request.user, part_id)
    if request.method == "POST":
        story_id = part.story_id
        actions.do_delete_part(part)
        messages.success(request, _("Part deleted."))
        return redirect("stories:story_manage", story_id=story_id)
    return render(request, "stories/write/part_delete.html", {"part": part, "story": part.story})
