"""Follow counts and announcements for other apps' pages, without those apps importing ours."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q

from accounts.models import User
from notifications.models import Announcement, Follow
from stories.models import Story

register = template.Library()
ANNOUNCEMENTS_SHOWN = 3


@register.inclusion_tag("notifications/_follow_panel.html", takes_context=True)
def follow_panel(context: template.Context, writer: User) -> dict[str, Any]:
    """A profile's follower and following counts, and the viewer's follow button."""
    viewer = context["request"].user
    viewer_id = viewer.pk if viewer.is_authenticated else None
    # One query for the three numbers.
    counts = Follow.objects.filter(Q(writer=writer) | Q(follower=writer)).aggregate(
        followers=Count("pk", filter=Q(writer=writer)),
        following=Count("pk", filter=Q(follower=writer)),
        mine=Count("pk", filter=Q(writer=writer, follower_id=viewer_id)),
    )
    return {
        "writer": writer,
        "followers": counts["followers"],
        "following_count": counts["following"],
        "can_follow": viewer_id is not None and viewer_id != writer.pk,
        "following": counts["mine"] > 0,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),  # the button is a form
    }


@register.inclusion_tag("notifications/_announcements.html")
def story_announcements(story: Story) -> dict[str, Any]:
    """The writer's latest notes on a story page (shared: moving them moves the page version)."""
    return {"announcements": list(Announcement.objects.filter(story=story)[:ANNOUNCEMENTS_SHOWN])}


@register.inclusion_tag("notifications/_announcement_form.html", takes_context=True)
def announcement_form(context: template.Context, story: Story) -> dict[str, Any]:
    """The writer's form for a note to the story's readers (their manage page); no query."""
    from notifications.actions import ANNOUNCEMENT_MAX_CHARS
    from notifications.forms import AnnouncementForm

    return {
        "story": story,
        "form": AnnouncementForm(),
        "max_chars": ANNOUNCEMENT_MAX_CHARS,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("notifications/_unread_badge.html", takes_context=True)
def unread_badge(context: template.Context) -> dict[str, Any]:
    """The menu's count of unread notifications (one indexed count, capped)."""
    from notifications.actions import UNREAD_BADGE_LIMIT, unread_count

    user = context["request"].user
    count = unread_count(user) if user.is_authenticated else 0
    return {"count": count, "capped": count >= UNREAD_BADGE_LIMIT, "limit": UNREAD_BADGE_LIMIT - 1}


@register.inclusion_tag("notifications/_subscription.html", takes_context=True)
def subscription_control(context: template.Context, story: Story) -> dict[str, Any]:
    """The reader's subscribe button, offered under the part they just read."""
    from notifications.models import Subscription

    user = context["request"].user
    subscribed = Subscription.objects.filter(reader=user, story=story).exists()
    return {"story": story, "subscribed": subscribed, "csrf_token": context.get("csrf_token")}
