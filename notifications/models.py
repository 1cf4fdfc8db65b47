"""Who follows whom, who subscribes to what, and what they are told."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from stories.models import Part, Story


class Follow(models.Model):
    """A reader follows a writer: told of every new part of theirs."""

    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following")
    writer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "writer"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("writer")), name="follow_not_self"),
        ]
        indexes = [models.Index(fields=["writer", "follower"])]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.writer_id}"


class Subscription(models.Model):
    """A reader subscribes to a story: told of its new parts and its writer's announcements."""

    reader = models.ForeignKey(User, on_delete=models.CASCADE, related_name="subscriptions")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reader", "story"], name="subscribe_once"),
        ]
        indexes = [models.Index(fields=["story", "reader"])]

    def __str__(self) -> str:
        return f"{self.reader_id} subscribes to {self.story_id}"


class Announcement(models.Model):
    """A writer's short note to a story's subscribers (a hiatus, a schedule): not a chapter."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="announcements")
    text = models.TextField(_("announcement"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class NotificationKind(models.TextChoices):
    NEW_PART = "new_part", _("A new part of a story I follow")
    ANNOUNCEMENT = "announcement", _("An announcement on a story I follow")
    NEW_FOLLOWER = "new_follower", _("A new follower")
    REPLY = "reply", _("A reply to my comment")
    COMMENT = "comment", _("A comment on my story")


class Notification(models.Model):
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    actor = models.ForeignKey(User, null=True, on_delete=models.CASCADE, related_name="+")
    story = models.ForeignKey(Story, null=True, on_delete=models.CASCADE, related_name="+")
    part = models.ForeignKey(Part, null=True, on_delete=models.CASCADE, related_name="+")
    announcement = models.ForeignKey(
        Announcement, null=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        "social.Comment", null=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set once the notification went out by email (alone or in a digest), or was not to.
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Waiting for the recipient's daily email (notifications/emails.py sorted it there).
    in_digest = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"], condition=Q(read_at=None), name="notification_unread"
            ),
            # The two queues of the email sender: not sorted yet, and waiting for a digest.
            models.Index(
                fields=["id"], condition=Q(emailed_at=None, in_digest=False), name="email_unsorted"
            ),
            models.Index(
                fields=["recipient"],
                condition=Q(emailed_at=None, in_digest=True),
                name="email_digest",
            ),
        ]
        constraints = [
            # A reader who subscribes to a story and follows its writer hears of a part once;
            # a fan-out run twice adds nothing.
            models.UniqueConstraint(
                fields=["recipient", "part"],
                condition=Q(part__isnull=False, kind="new_part"),
                name="notification_once_per_new_part",
            ),
            models.UniqueConstraint(
                fields=["recipient", "announcement"],
                condition=Q(announcement__isnull=False),
                name="notification_once_per_announcement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"

    @property
    def actor_name(self) -> str:
        """Who did it: a member's display name, or the name a guest signed a comment with."""
        if self.actor is not None:
            return self.actor.display_name
        if self.comment is not None and self.comment.guest_name:
            return str(_("%(name)s (a guest)")) % {"name": self.comment.guest_name}
        return str(_("A former member"))


class EmailChoice(models.TextChoices):
    INSTANT = "instant", _("By email as it happens")
    DAILY = "daily", _("In a daily email")
    OFF = "off", _("No email (on the site only)")


# What a member is emailed until they choose otherwise.
EMAIL_DEFAULTS = {
    NotificationKind.NEW_PART: EmailChoice.INSTANT,
    NotificationKind.ANNOUNCEMENT: EmailChoice.INSTANT,
    NotificationKind.NEW_FOLLOWER: EmailChoice.DAILY,
    NotificationKind.REPLY: EmailChoice.INSTANT,
    NotificationKind.COMMENT: EmailChoice.DAILY,
}


class EmailSettings(models.Model):
    """Per kind of notification: instantly, in a daily digest, or not at all."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True)
    choices = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"email settings of {self.user_id}"

    def choice_for(self, kind: str) -> str:
        chosen = self.choices.get(kind)
        if chosen in EmailChoice.values:
            return str(chosen)
        return str(EMAIL_DEFAULTS.get(NotificationKind(kind), EmailChoice.OFF))


class PartFanOut(models.Model):
    """A new part whose readers are being or have been told: one fan-out per part, ever (a part
    unpublished and published again is not news twice). An unfinished one is resumed."""

    part = models.OneToOneField(Part, on_delete=models.CASCADE, primary_key=True)
    finished = models.BooleanField(default=False)
    recipients = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"fan-out of part {self.part_id}"
