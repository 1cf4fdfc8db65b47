"""Follow and subscribe controls, announcements, and the reader's notifications page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import AuthenticatedHttpRequest, User
from notifications import actions
from notifications.emails import (
    EVERY_KIND,
    do_set_email_choice,
    email_choices,
    read_unsubscribe_token,
)
from notifications.forms import AnnouncementForm
from notifications.models import (
    EmailChoice,
    Follow,
    Notification,
    NotificationKind,
    Subscription,
)
from stories.actions import access_story_for_edit
from stories.models import PartStatus, Story
from talehouse.lib.ratelimit import over_limit, too_many_requests

NOTIFICATIONS_PER_PAGE = 30


def _writer(username: str) -> User:
    try:
        return User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise Http404 from None


def _visible_story(user: User, story_id: int) -> Story:
    try:
        return Story.objects.visible_to(user).public().get(pk=story_id)
    except Story.DoesNotExist:
        raise Http404 from None


@login_required
@require_POST
def follow(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    writer = _writer(username)
    if over_limit("follow", str(request.user.pk)):
        return too_many_requests(request)
    try:
        if request.POST.get("follow") == "0":
            actions.do_unfollow(request.user, writer)
        else:
            actions.do_follow(request.user, writer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.htmx:  # type: ignore[attr-defined]
        return follow_button(request, writer)
    return redirect("accounts:profile", username=writer.username)


def follow_button(request: AuthenticatedHttpRequest, writer: User) -> HttpResponse:
    following = Follow.objects.filter(follower=request.user, writer=writer).exists()
    context = {"writer": writer, "following": following}
    return render(request, "notifications/_follow_button.html", context)


@login_required
@require_GET
def subscription(request: AuthenticatedHttpRequest, story_id: int) -> HttpResponse:
    """The reader's subscribe control for a story, loaded into the shared story page."""
    return _subscription_control(request, _visible_story(request.user, story_id))


def _subscription_control(request: AuthenticatedHttpRequest, story: Story) -> HttpResponse:
    subscribed = Subscription.objects.filter(reader=request.user, story=story).exists()
    context = {"story": story, "subscribed": subscribed}
    # Without JavaScript the shared story page links here: a page with the same control.
    template = "_subscription.html" if request.htmx else "subscription_page.html"  # type: ignore[attr-defined]
    return render(request, f"notifications/{template}", context)


@login_required
@require_POST
def subscribe(request: AuthenticatedHttpRequest, story_id: int) -> HttpResponse:
    story = _visible_story(request.user, story_id)
    if over_limit("follow", str(request.user.pk)):
        return too_many_requests(request)
    if request.POST.get("subscribe") == "0":
        actions.do_unsubscribe(request.user, story)
    else:
        actions.do_subscribe(request.user, story)
    if request.htmx:  # type: ignore[attr-defined]
        return _subscription_control(request, story)
    return redirect(story)


@login_required
@require_POST
def announce(request: AuthenticatedHttpRequest, story_id: int) -> HttpResponse:
    story = access_story_for_edit(request.user, story_id)
    form = AnnouncementForm(request.POST)
    if form.is_valid():
        actions.do_post_announcement(story, form.cleaned_data["text"])
        messages.success(request, _("Announcement posted; subscribers are being told."))
        return redirect("stories:story_manage", story_id=story.pk)
    # Refused: the form again with the message and the writer's text, nothing lost.
    context = {"story": story, "form": form, "max_chars": actions.ANNOUNCEMENT_MAX_CHARS}
    return render(request, "notifications/announce.html", context, status=400)


@login_required
@require_GET
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    # Only news of what the reader may still see: a story hidden or a part unpublished since
    # leaves their notifications too.
    visible = Story.objects.visible_to(request.user).public()
    notifications = (
        Notification.objects.filter(recipient=request.user)
        .filter(Q(story__isnull=True) | Q(story__in=visible))
        .filter(Q(part__isnull=True) | Q(part__status=PartStatus.PUBLISHED))
        .select_related("actor__profile", "announcement", "story", "part", "comment")
        .defer("part__body_html", "story__summary", "comment__body_html")
    )
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def mark_read(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    actions.do_mark_read(request.user, pk)
    return redirect("notifications:list")


# One-click unsubscribe (RFC 8058): a mail client POSTs with no session and no CSRF token;
# the signed token in the URL is the proof.
@require_http_methods(["GET", "POST"])
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = read_unsubscribe_token(token)
    if found is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    user_id, kind = found
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Http404
    context = {"kind": kind, "every_kind": kind == EVERY_KIND, "done": request.method == "POST"}
    if request.method == "POST":
        do_set_email_choice(user, kind, EmailChoice.OFF)
    if kind != EVERY_KIND:
        context["kind_label"] = NotificationKind(kind).label
    return render(request, "notifications/unsubscribe.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = email_choices([request.user.pk])[request.user.pk]
    if request.method == "POST":
        chosen = {kind: request.POST.get(kind, "") for kind in NotificationKind.values}
        if not all(choice in EmailChoice.values for choice in chosen.values()):
            messages.error(request, _("Choose one of the offered options for each kind."))
            return redirect("notifications:settings")
        for kind, choice in chosen.items():
            do_set_email_choice(request.user, kind, choice)
        messages.success(request, _("Email settings saved."))
        return redirect("notifications:settings")
    rows = [
        (kind, NotificationKind(kind).label, current.choice_for(kind))
        for kind in NotificationKind.values
    ]
    return render(
        request, "notifications/settings.html", {"rows": rows, "choices": EmailChoice.choices}
    )
