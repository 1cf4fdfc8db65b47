"""The tag gardeners' pages: the tags to review, and one tag's gardening."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import AuthenticatedHttpRequest
from stories.models import Audience, Story, StoryTag
from tags import actions
from tags.models import Tag, TagKind
from talehouse.lib.paging import page_number, page_of

# What a tag's work count counts: published works, sign-in-only ones included (what its tag page
# lists a signed-in reader, the gardener among them). Drafts are not counted: a tag typed only on
# drafts is listed for review with 0, and how many drafts carry it is their writers' business.
COUNTED_WORKS = Story.objects.visible_to_audience(Audience.MEMBER)

STATES = {
    "unreviewed": {"is_canonical": False, "canonical__isnull": True},
    "canonical": {"is_canonical": True},
    "synonym": {"canonical__isnull": False},
}


@login_required
@require_safe
def garden(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Tags to review, most used first: by state, kind and name."""
    if not actions.may_garden(request.user):
        raise PermissionDenied(_("Only tag gardeners can change tags."))
    state = request.GET.get("state", "unreviewed")
    kind = request.GET.get("kind", "")
    name = " ".join(request.GET.get("name", "").split())[:150]
    tags = Tag.objects.filter(**STATES.get(state, STATES["unreviewed"]))
    if kind in TagKind.values:
        tags = tags.filter(kind=kind)
    if name:
        tags = tags.filter(name__icontains=name)
    counted = Q(story_tags__story__in=COUNTED_WORKS)
    tags = tags.select_related("canonical", "parent").annotate(
        works=Count("story_tags", filter=counted)
    )
    number = page_number(request.GET.get("page"), 10_000)
    page = page_of(tags.order_by("-works", "name", "pk"), number, 50)
    context = {"page": page, "state": state, "kind": kind, "name": name, "kinds": TagKind}
    return render(request, "tags/garden.html", context)


GARDEN_ACTIONS = {
    "canonical": lambda tag, value: actions.do_make_canonical(tag),
    "synonym": actions.do_make_synonym,
    "parent": actions.do_set_parent,
    "rename": actions.do_rename,
}
DONE = {
    "canonical": _("Marked canonical."),
    "synonym": _("Now a synonym: its works are found under the canonical tag too."),
    "parent": _("Parent fandom saved."),
    "rename": _("Renamed: the old name stays on its works as their writers typed it."),
}


@login_required
@require_http_methods(["GET", "POST"])
def garden_tag(request: AuthenticatedHttpRequest, tag_id: int) -> HttpResponse:
    tag = actions.access_tag_for_gardening(request.user, tag_id)
    context: dict[str, Any] = {"tag": tag}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in GARDEN_ACTIONS:
            return HttpResponse(_("Choose what to do with the tag."), status=400)
        try:
            result = GARDEN_ACTIONS[action](tag, request.POST.get("name", ""))
        except ValidationError as error:
            context |= {"error": error.messages[0], "failed": action}
            status = 400
        else:
            messages.success(request, str(DONE[action]))
            return redirect("tags:garden_tag", tag_id=result.pk)
    context |= {
        "synonyms": list(Tag.objects.filter(canonical=tag).order_by("name")),
        "works": StoryTag.objects.filter(tag=tag, story__in=COUNTED_WORKS).count(),
    }
    return render(request, "tags/garden_tag.html", context, status=status)
