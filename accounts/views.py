from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.actions import do_set_reader_settings, do_update_profile
from accounts.forms import ProfileForm
from accounts.models import AuthenticatedHttpRequest, User
from discover.profile import fold_hidden
from stories.models import Story
from stories.queries import story_cards


@require_safe
def profile(request: HttpRequest, username: str) -> HttpResponse:
    try:
        owner = User.objects.select_related("profile").get(username=username, is_active=True)
    except User.DoesNotExist:
        raise Http404 from None
    stories = story_cards(
        Story.objects.visible_to(request.user).filter(author=owner).order_by("-updated_at")
    )
    if request.user.pk == owner.pk:
        return render(request, "accounts/profile.html", {"owner": owner, "stories": stories})
    shown = list(stories.public())
    # The reader's filter profile folds what it hides, here as in every listing; a writer the
    # reader hid gets a note saying so, with the way to undo it.
    filters = fold_hidden(request.user, shown)
    context = {"owner": owner, "stories": shown, "writer_rule": filters.writer_rules.get(owner.pk)}
    return render(request, "accounts/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user.profile)
    if request.method == "POST" and form.is_valid():
        do_update_profile(request.user, form.cleaned_data["display_name"], form.cleaned_data["bio"])
        messages.success(request, _("Profile saved."))
        return redirect("accounts:profile", username=request.user.username)
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
@require_POST
def reader_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Remember reader settings on the account (JSON from the reader panel, or a plain form)."""
    if request.content_type == "application/json":
        try:
            raw = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"error": _("Invalid settings.")}, status=400)
        if not isinstance(raw, dict):
            return JsonResponse({"error": _("Invalid settings.")}, status=400)
    else:
        raw = request.POST.dict()
    saved = do_set_reader_settings(request.user, raw)
    if request.content_type == "application/json":
        return JsonResponse(saved)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    return redirect(next_url)
