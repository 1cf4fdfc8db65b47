"""Notifications by email: each as it happens, in a daily digest, or not at all, per kind.

The sender runs every minute (talehouse/schedule.py). It sorts each new notification once:
sent now (instant), set aside for the recipient's daily email (daily), or marked done (off).
Every email carries a one-click unsubscribe link (RFC 8058: List-Unsubscribe and
List-Unsubscribe-Post headers) that needs no sign-in: a signed token names the member and
what to stop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from notifications.models import (
    EmailChoice,
    EmailSettings,
    Notification,
    NotificationKind,
)

SEND_AT_MOST = 2000  # per run and per kind of email: the next run picks up the rest
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
EVERY_KIND = "*"


def unsubscribe_url(user_id: int, kind: str) -> str:
    token = signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[token])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    kind = data.get("k")
    if kind != EVERY_KIND and kind not in NotificationKind.values:
        return None
    return int(data["u"]), kind


def email_choices(user_ids: Iterable[int]) -> dict[int, EmailSettings]:
    found = {row.user_id: row for row in EmailSettings.objects.filter(user_id__in=set(user_ids))}
    return defaultdict(EmailSettings, found)


def _message(
    recipient: User, subject: str, template: str, context: dict, kind: str
) -> EmailMessage:  # type: ignore[type-arg]
    link = unsubscribe_url(recipient.pk, kind)
    body = render_to_string(
        template,
        {**context, "recipient": recipient, "site_url": settings.SITE_URL, "unsubscribe": link},
    )
    return EmailMessage(
        subject=subject,
        body=body,
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def send_instant_emails() -> int:
    """Sort the notifications not sorted yet; email the instant ones. Returns emails sent."""
    unsorted = list(
        Notification.objects.filter(emailed_at=None, in_digest=False)
        .select_related("recipient", "story", "part", "announcement", "comment", "actor__profile")
        .defer("part__body_html", "story__summary")
        .order_by("pk")[:SEND_AT_MOST]
    )
    choices = email_choices(note.recipient_id for note in unsorted)
    now = timezone.now()
    messages, done, digest = [], [], []
    for note in unsorted:
        choice = choices[note.recipient_id].choice_for(note.kind)
        if choice == EmailChoice.DAILY:
            digest.append(note.pk)
            continue
        done.append(note.pk)
        if choice == EmailChoice.INSTANT and note.recipient.email and note.recipient.is_active:
            with translation.override(settings.LANGUAGE_CODE):
                subject = render_to_string("notifications/email/subject.txt", {"note": note})
                messages.append(
                    _message(
                        note.recipient,
                        " ".join(subject.split()),
                        "notifications/email/instant.txt",
                        {"note": note},
                        note.kind,
                    )  # fmt: skip
                )
    sent = get_connection().send_messages(messages) if messages else 0
    Notification.objects.filter(pk__in=done).update(emailed_at=now)
    Notification.objects.filter(pk__in=digest).update(in_digest=True)
    return sent or 0


def send_daily_digests() -> int:
    """One email per member with notifications set aside for it. Returns emails sent."""
    waiting = (
        Notification.objects.filter(emailed_at=None, in_digest=True)
        .select_related("recipient", "story", "part", "announcement", "comment", "actor__profile")
        .defer("part__body_html", "story__summary")
        .order_by("recipient_id", "pk")
    )
    sent = 0
    recipients = list(
        waiting.values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")[:SEND_AT_MOST]
    )
    for recipient_id in recipients:
        notes = list(waiting.filter(recipient_id=recipient_id)[:200])
        recipient = notes[0].recipient
        if recipient.email and recipient.is_active:
            with translation.override(settings.LANGUAGE_CODE):
                message = _message(
                    recipient, "Your day on Talehouse", "notifications/email/digest.txt",
                    {"notes": notes}, EVERY_KIND,
                )  # fmt: skip
                sent += message.send()
        Notification.objects.filter(
            recipient_id=recipient_id, emailed_at=None, in_digest=True
        ).update(emailed_at=timezone.now())
    return sent


def do_set_email_choice(user: User, kind: str, choice: str) -> None:
    """`kind` may be EVERY_KIND (an unsubscribe link in a digest): every kind then."""
    row, _ = EmailSettings.objects.get_or_create(user=user)
    kinds = NotificationKind.values if kind == EVERY_KIND else [kind]
    row.choices = {**row.choices, **dict.fromkeys(kinds, choice)}
    row.save(update_fields=["choices"])
