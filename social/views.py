"""Votes, comments and the read beacon."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from social import actions
from social.forms import CommentEditForm, CommentForm
from social.models import Comment
from stories.models import Part
from talehouse.lib.ratelimit import is_rate_limited


def _visible_published_part(request: HttpRequest, part_id: int) -> Part:
    try:
        return (
            Part.objects.visible_to(request.user)
            .published()
            .select_related("story")
            .get(pk=part_id)
        )
    except Part.DoesNotExist:
        raise Http404(_("No such part.")) from None


def _rate_limited(scope: str, key: str) -> bool:
    limit, period = settings.TALEHOUSE_RATE_LIMITS[scope]
    return is_rate_limited(scope, key, limit, period)


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/429.html", status=429)


@login_required
@require_POST
def vote(request: HttpRequest, part_id: int) -> HttpResponse:
    if _rate_limited("vote", str(request.user.pk)):
        return _too_many(request)
    part = _visible_published_part(request, part_id)
    wanted = request.POST.get("vote", "1") == "1"
    voted = actions.do_set_vote(request.user, part, wanted)
    if request.htmx:  # type: ignore[attr-defined]
        part.refresh_from_db(fields=["votes_count"])
        return render(request, "social/_vote.html", {"part": part, "voted": voted})
    return redirect(part)


def _comments_anchor(part: Part, comment: Comment | None = None) -> str:
    anchor = f"#comment-{comment.pk}" if comment else "#comments"
    return part.get_absolute_url() + anchor


@login_required
@require_POST
def comment_add(request: HttpRequest, part_id: int) -> HttpResponse:
    part = _visible_published_part(request, part_id)
    if _rate_limited("comment", str(request.user.pk)):
        return _too_many(request)
    form = CommentForm(request.POST)
    parent: Comment | None = None
    if form.is_valid():
        parent_id = form.cleaned_data.get("parent")
        if parent_id:
            parent = Comment.objects.filter(pk=parent_id, part=part).first()
            if parent is None:
                form.add_error(None, _("The comment you replied to no longer exists."))
    if form.is_valid():
        try:
            comment = actions.do_add_comment(
                request.user,
                part,
                form.cleaned_data["body"],
                parent=parent,
                client_token=form.cleaned_data.get("client_token", ""),
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            return redirect(_comments_anchor(part, comment))
    return render(
        request,
        "social/comment_form_page.html",
        {"part": part, "form": form, "parent": parent},
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = actions.access_comment_for_edit(request.user, comment_id)
    # Not `request.POST or None`: a POST with no fields must be bound, so it gets its error.
    data = request.POST if request.method == "POST" else None
    form: Any = CommentEditForm(data, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_comment(comment, form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error("body", error)
        else:
            return redirect(_comments_anchor(comment.part, comment))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "social/comment_edit.html", {"comment": comment, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = actions.access_comment_for_delete(request.user, comment_id)
    if request.method == "POST":
        actions.do_delete_comment(comment)
        messages.success(request, _("Comment deleted."))
        return redirect(_comments_anchor(comment.part))
    return render(request, "social/comment_delete.html", {"comment": comment})


MAX_ROW_ID = 2**63 - 1  # the largest BigAutoField value; the URL's <int:> has no limit


def _client_ip(request: HttpRequest) -> str:
    # Behind a trusted proxy, the proxy sets REMOTE_ADDR via its own config; we do not trust
    # X-Forwarded-For from the open internet.
    return str(request.META.get("REMOTE_ADDR", ""))


# The beacon is exempt from CSRF: anonymous pages are cached whole, so they carry no token,
# and a forged beacon can at most add one read per visitor per day, like a real visit.
@csrf_exempt
@require_POST
def read_beacon(request: HttpRequest, part_id: int) -> HttpResponse:
    """Queue a read; answers at once (204) and never touches the story tables."""
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    if actions.is_bot(user_agent) or part_id > MAX_ROW_ID:
        return response  # a bot, or an id no row can have (it would overflow the insert)
    user = request.user if request.user.is_authenticated else None
    ip = _client_ip(request)
    key = actions.reader_key_for(
        user, request.COOKIES.get(actions.VISITOR_COOKIE, ""), ip, user_agent
    )
    if _rate_limited("read_beacon", key) or _rate_limited("read_beacon_ip", ip):
        # A script hammering the beacon, or minting a new visitor cookie each time: drop.
        return response
    actions.do_queue_read(part_id, key, user.pk if user else None, actions.address_key_for(ip))
    return response
