"""Notifications by email: at once, in a daily digest or not at all; one-click unsubscribe."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from notifications.actions import do_fan_out_new_parts, do_follow
from notifications.emails import send_daily_digests, send_instant_emails
from notifications.models import EmailSettings, Notification, Subscription
from stories.actions import do_publish_part
from stories.models import Part, Story
from tests.factories import make_part


def _new_part_for(reader: User, story: Story) -> Part:
    Subscription.objects.create(reader=reader, story=story)
    part = make_part(story, "Next", "<p>More.</p>", publish=False)
    do_publish_part(part)
    do_fan_out_new_parts(story.pk)
    return part


def test_a_new_part_is_emailed_at_once_with_a_one_click_unsubscribe(
    reader: User, story: Story
) -> None:
    part = _new_part_for(reader, story)
    assert send_instant_emails() == 1
    email = mail.outbox[0]
    assert email.to == [reader.email] and story.title in email.subject
    assert part.get_absolute_url() in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert send_instant_emails() == 0  # sent once

    link = re.search(r"<(.+)>", email.extra_headers["List-Unsubscribe"])[1]  # type: ignore[index]
    path = link.removeprefix("http://testserver").split("//", 1)[-1]
    path = path[path.index("/") :]
    one_click = Client(enforce_csrf_checks=True)  # a mail client: no session, no CSRF token
    assert "Stop emails" in one_click.get(path).content.decode()
    assert one_click.post(path).status_code == 200
    assert EmailSettings.objects.get(user=reader).choice_for("new_part") == "off"


def test_a_new_follower_waits_for_the_daily_email(reader: User, author: User) -> None:
    do_follow(reader, author)
    assert send_instant_emails() == 0
    assert Notification.objects.get(recipient=author).in_digest
    assert send_daily_digests() == 1
    digest = mail.outbox[0]
    assert digest.to == [author.email] and "follows you" in digest.body
    assert send_daily_digests() == 0


def test_a_reader_who_turned_emails_off_gets_none(
    reader: User, reader_client: Client, story: Story
) -> None:
    url = reverse("notifications:settings")
    off = {"new_part": "off", "announcement": "daily", "new_follower": "instant"}
    off |= {"reply": "instant", "comment": "daily"}
    assert reader_client.post(url, off).status_code == 302
    _new_part_for(reader, story)
    assert send_instant_emails() == 0 and send_daily_digests() == 0
    assert mail.outbox == []
    assert Notification.objects.get(recipient=reader).emailed_at is not None  # sorted: none due
    page = reader_client.post(url, {**off, "new_part": "hourly"}, follow=True).content.decode()
    assert "Choose one of the offered options" in page


def test_a_forged_unsubscribe_link_changes_nothing(reader: User) -> None:
    url = reverse("notifications:unsubscribe", args=["not-a-real-token"])
    assert Client().post(url).status_code == 400
    assert not EmailSettings.objects.filter(user=reader).exists()
