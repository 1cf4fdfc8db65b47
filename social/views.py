"""Votes, comments and the read beacon."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import AuthenticatedHttpRequest
from social.actions import comments, moderation, reads, votes
from social.forms import CommentEditForm, CommentForm, GuestCommentForm
from social.models import MAX_COMMENT_DEPTH, Comment
from social.paragraph_marks import button_label
from social.queries import comment_threads, mark_permissions
from stories import pagecache
from stories.actions import access_published_part, access_story_for_edit
from stories.models import CommentPolicy, Part
from stories.paragraphs import paragraphs
from talehouse.lib.ratelimit import over_limit, too_many_requests


@login_required
@require_POST
def vote(request: AuthenticatedHttpRequest, part_id: int) -> HttpResponse:
    if over_limit("vote", str(request.user.pk)):
        return too_many_requests(request)
    part = access_published_part(request.user, part_id)
    wanted = request.POST.get("vote", "1") == "1"
    voted = votes.do_set_vote(request.user, part, wanted)
    if request.htmx:  # type: ignore[attr-defined]
        # The vote control and the stats line under the title, from the same numbers.
        part.refresh_from_db(fields=["reads_count", "votes_count", "comments_count"])
        context = {"part": part, "voted": voted, "personal": True}
        return render(request, "social/vote_response.html", context)
    return redirect(part)


def _guest_refused(request: HttpRequest, part: Part) -> HttpResponse | None:
    """A guest may comment only where the writer lets guests comment: elsewhere, sign in."""
    if request.user.is_authenticated or comments.guests_may_comment(part.story):
        return None
    return redirect_to_login(part.get_absolute_url() + "#comments")


def _over_comment_limit(request: HttpRequest) -> bool:
    if request.user.is_authenticated:
        return over_limit("comment", str(request.user.pk))
    return over_limit("guest_comment", _client_ip(request))


def _bound_comment_form(request: HttpRequest) -> CommentForm:
    if request.user.is_authenticated:
        return CommentForm(request.POST)
    return GuestCommentForm(request.POST)


def _post_comment(request: HttpRequest, form: CommentForm, part: Part, **kwargs: Any) -> Comment:
    """The form's comment, by the signed-in reader or, with the name they gave, a guest."""
    user = request.user if request.user.is_authenticated else None
    return comments.do_add_comment(
        user,  # type: ignore[arg-type]
        part,
        form.cleaned_data["body"],
        client_token=form.cleaned_data.get("client_token", ""),
        guest_name=form.cleaned_data.get("name", ""),
        **kwargs,
    )


def _comment_form(request: HttpRequest, part: Part) -> HttpResponse:
    """The form for a new comment or, with ?parent=, a reply: in place (htmx) or as a page."""
    try:
        parent_id = int(request.GET.get("parent") or 0) or None
        parent = comments.check_reply_parent(request.user, part, parent_id)
    except (ValueError, ValidationError):
        raise Http404(_("No such comment.")) from None
    context: dict[str, Any] = {"part": part, "parent": parent, "form_id": "new-comment"}
    try:
        comments.check_comments_open(part.story, request.user)
        if parent is not None:
            comments.check_thread_open(parent)
    except ValidationError as error:
        context["refusal"] = error.messages[0]  # the form says why instead of showing itself
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "social/_comment_form.html", context)
    return render(request, "social/comment_form_page.html", context)


def _comments_anchor(part: Part, comment: Comment | None = None) -> str:
    anchor = f"#comment-{comment.pk}" if comment else "#comments"
    return part.get_absolute_url() + anchor


@require_http_methods(["GET", "POST"])
def comment_add(request: HttpRequest, part_id: int) -> HttpResponse:
    """A comment or reply: by a signed-in reader, or by a guest where the writer allows it."""
    part = access_published_part(request.user, part_id)  # type: ignore[arg-type]
    refused = _guest_refused(request, part)
    if refused is not None:
        return refused
    if request.method == "GET":
        return pagecache.mark_personal(_comment_form(request, part))
    if _over_comment_limit(request):
        return too_many_requests(request)
    form = _bound_comment_form(request)
    parent: Comment | None = None
    if form.is_valid():
        try:
            parent = comments.check_reply_parent(
                request.user, part, form.cleaned_data.get("parent")
            )
        except ValidationError as error:
            form.add_error(None, error)
    if form.is_valid():
        try:
            comment = _post_comment(request, form, part, parent=parent)
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


def _paragraph_context(
    request: HttpRequest, part: Part, pid: str, page_number: object
) -> dict[str, Any]:
    """The paragraph's threads (its current text, or comments left on an earlier version of
    the part) and, for a reader who may comment, what the form needs. Two queries."""
    page, threads = comment_threads(request.user, part, page_number, paragraph_id=pid)
    found = [(n, text) for n, (p, text) in enumerate(paragraphs(part.body_html), 1) if p == pid]
    if not found and not threads:
        raise Http404(_("There is no such paragraph in this part."))
    if page.number > 1 and not threads:
        raise Http404
    number, quote = found[0] if found else (0, threads[0].comment.paragraph_quote)
    mark_permissions(threads, request.user, part.story.author_id)
    count = int((part.paragraph_comments or {}).get(pid, 0))
    return {
        "part": part,
        "story": part.story,
        "pid": pid,
        "paragraph_number": number,
        "paragraph_text": quote,
        "is_current": bool(found),
        "count": count,
        "button_label": button_label(number, count) if found else "",
        "comments_open": part.story.comments != CommentPolicy.CLOSED,
        "guests_may_comment": comments.guests_may_comment(part.story),
        "comment_page": page,
        "comment_threads": threads,
        "max_comment_depth": MAX_COMMENT_DEPTH,
        "personal": True,
        "form_id": f"paragraph-{pid}",
    }


def _paragraph_page(
    request: HttpRequest, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    # In place (htmx) the thread sits in the part page, next to the same comments in the
    # ordinary list: its ids get a prefix so none is used twice.
    if request.htmx:  # type: ignore[attr-defined]
        context["id_prefix"] = "para-"
        template = "social/_paragraph_thread.html"
    else:
        template = "social/paragraph_comments.html"
    return pagecache.mark_personal(render(request, template, context, status=status))


@require_http_methods(["GET", "HEAD", "POST"])
def paragraph_comments(request: HttpRequest, part_id: int, pid: str) -> HttpResponse:
    """One paragraph's comments: its threads for every reader, the form for a signed-in one
    (the shared part page cannot carry it), in place (htmx) or as a page without JavaScript.
    A POST comments on the paragraph."""
    try:
        pid = comments.check_paragraph_id(pid)
    except ValidationError:
        raise Http404(_("There is no such paragraph in this part.")) from None
    if request.method == "POST":
        return _add_paragraph_comment(request, part_id, pid)
    try:
        part = (
            Part.objects.visible_to(request.user)
            .published()
            .select_related("story")
            .get(pk=part_id)
        )
    except Part.DoesNotExist:
        raise Http404(_("No such part.")) from None
    return _paragraph_page(request, _paragraph_context(request, part, pid, request.GET.get("page")))


def _add_paragraph_comment(request: HttpRequest, part_id: int, pid: str) -> HttpResponse:
    part = access_published_part(request.user, part_id)  # type: ignore[arg-type]
    refused = _guest_refused(request, part)
    if refused is not None:
        return refused
    if _over_comment_limit(request):
        return too_many_requests(request)
    form = _bound_comment_form(request)
    if form.is_valid():
        try:
            comment = _post_comment(request, form, part, paragraph_id=pid)
        except ValidationError as error:
            form.add_error("body", error)
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                url = reverse("social:paragraph_comments", args=[part.pk, pid])
                return redirect(f"{url}#comment-{comment.pk}")
            part.refresh_from_db(fields=["body_html", "paragraph_comments", "comments_count"])
            context = _paragraph_context(request, part, pid, 1)
            return _paragraph_page(request, context | {"posted": comment})
    try:
        context = _paragraph_context(request, part, pid, 1)
    except Http404:
        context = _paragraph_context_gone(part, pid)
    return _paragraph_page(request, context | {"form": form}, status=400)


def _paragraph_context_gone(part: Part, pid: str) -> dict[str, Any]:
    """A paragraph with no comments that is not in the text (any more): only the refusal."""
    return {
        "part": part,
        "story": part.story,
        "pid": pid,
        "paragraph_number": 0,
        "paragraph_text": "",
        "is_current": False,
        "count": 0,
        "comments_open": part.story.comments != CommentPolicy.CLOSED,
        "guests_may_comment": comments.guests_may_comment(part.story),
        "comment_threads": [],
        "personal": True,
        "form_id": f"paragraph-{pid}",
    }


@login_required
@require_POST
def comment_freeze(request: AuthenticatedHttpRequest, comment_id: int) -> HttpResponse:
    """The writer freezes (frozen=1) or unfreezes (frozen=0) a thread on their work."""
    comment = moderation.access_thread_for_moderation(request.user, comment_id)
    wanted = request.POST.get("frozen", "")
    if wanted not in {"0", "1"}:
        return HttpResponse(_("Say frozen=1 or frozen=0."), status=400)
    moderation.do_freeze_thread(comment, frozen=wanted == "1")
    if comment.frozen:
        messages.success(request, _("Thread frozen: no new replies."))
    else:
        messages.success(request, _("Thread open to replies again."))
    return redirect(_comments_anchor(comment.part, comment))


@login_required
@require_POST
def comment_policy(request: AuthenticatedHttpRequest, story_id: int) -> HttpResponse:
    """The writer opens or closes comments on their story."""
    story = access_story_for_edit(request.user, story_id)
    try:
        policy = moderation.check_comment_policy(request.POST.get("comments", ""))
    except ValidationError as error:
        return HttpResponse(error.messages[0], status=400)
    moderation.do_set_comment_policy(story, policy)
    if story.comments == CommentPolicy.CLOSED:
        messages.success(request, _("Comments closed: existing comments stay visible."))
    elif story.comments == CommentPolicy.OPEN:
        messages.success(request, _("Comments open to everyone: guests may comment too."))
    else:
        messages.success(request, _("Comments open: signed-in readers may comment."))
    return redirect("stories:story_edit", story_id=story.pk)


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: AuthenticatedHttpRequest, comment_id: int) -> HttpResponse:
    comment = comments.access_comment_for_edit(request.user, comment_id)
    # Not `request.POST or None`: a POST with no fields must be bound, so it gets its error.
    data = request.POST if request.method == "POST" else None
    form: Any = CommentEditForm(data, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            comments.do_edit_comment(comment, form.cleaned_data["body"])
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
def comment_delete(request: AuthenticatedHttpRequest, comment_id: int) -> HttpResponse:
    comment = comments.access_comment_for_delete(request.user, comment_id)
    if request.method == "POST":
        comments.do_delete_comment(comment)
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
    if reads.is_bot(user_agent) or part_id > MAX_ROW_ID:
        return response  # a bot, or an id no row can have (it would overflow the insert)
    user = request.user if request.user.is_authenticated else None
    ip = _client_ip(request)
    cookie = request.COOKIES.get(reads.VISITOR_COOKIE, "")
    key = reads.reader_key_for(user, cookie, ip, user_agent)
    visitor_id = reads.visitor_id_for(cookie, ip, user_agent)
    if user is None and visitor_id != cookie:
        # The visitor cookie comes with the beacon, never with the shared page (which must
        # stay the same bytes, with no Set-Cookie, for a proxy to keep it).
        response.set_cookie(
            reads.VISITOR_COOKIE,
            visitor_id,
            max_age=365 * 24 * 3600,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    if over_limit("read_beacon", key) or over_limit("read_beacon_ip", ip):
        # A script hammering the beacon, or minting a new visitor cookie each time: drop.
        return response
    reads.do_queue_read(part_id, key, user.pk if user else None, reads.address_key_for(ip))
    return response
