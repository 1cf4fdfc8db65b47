"""Readers follow writers and subscribe to stories, and hear of new parts once each."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from notifications.models import Follow, Notification, NotificationKind, Subscription
from stories.actions import do_publish_part, do_unpublish_part
from stories.models import Part, Story
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user, run_task_worker


def follow_url(user: User) -> str:
    return reverse("notifications:follow", args=[user.username])


def test_a_reader_follows_a_writer_once_and_the_writer_hears_of_it(
    reader_client: Client, reader: User, author: User
) -> None:
    for _ in range(2):
        assert reader_client.post(follow_url(author)).status_code == 302
    assert Follow.objects.filter(follower=reader, writer=author).count() == 1
    told = Notification.objects.filter(recipient=author, kind=NotificationKind.NEW_FOLLOWER)
    assert [note.actor_id for note in told] == [reader.pk]
    page = reader_client.get(reverse("accounts:profile", args=[author.username])).content.decode()
    assert "Following" in page and "1 follower" in page
    assert 'name="csrfmiddlewaretoken"' in page  # the follow button is a real form

    reader_client.post(follow_url(author), {"follow": "0"})
    assert not Follow.objects.filter(follower=reader, writer=author).exists()


def test_following_yourself_is_refused_with_a_reason(author_client: Client, author: User) -> None:
    page = author_client.post(follow_url(author), follow=True).content.decode()
    assert "You cannot follow yourself." in page
    assert not Follow.objects.exists()


def test_follow_and_subscribe_need_a_member_a_post_and_a_real_target(
    client: Client, reader_client: Client, story: Story
) -> None:
    subscribe = reverse("notifications:subscribe", args=[story.pk])
    assert client.post(subscribe).status_code == 302  # to the sign-in page
    assert "/accounts/login/" in client.post(subscribe)["Location"]
    assert reader_client.get(subscribe).status_code == 405
    assert reader_client.post(reverse("notifications:follow", args=["nobody"])).status_code == 404
    gone = reverse("notifications:subscribe", args=[story.pk + 1000])
    assert reader_client.post(gone).status_code == 404


def test_nobody_can_subscribe_to_a_draft_story(reader_client: Client, author: User) -> None:
    draft = make_story(author, "Still Drafting")
    url = reverse("notifications:subscribe", args=[draft.pk])
    assert reader_client.post(url).status_code == 404
    assert not Subscription.objects.exists()


def test_subscribing_twice_keeps_one_subscription(
    reader_client: Client, reader: User, story: Story, part: Part
) -> None:
    url = reverse("notifications:subscribe", args=[story.pk])
    for _ in range(2):
        reader_client.post(url)
    assert Subscription.objects.filter(reader=reader, story=story).count() == 1
    url = reverse("notifications:subscription", args=[story.pk])
    control = reader_client.get(url, headers={"HX-Request": "true"})
    assert "Subscribed" in control.content.decode()


def test_follows_are_rate_limited(reader_client: Client, settings, author: User) -> None:  # type: ignore[no-untyped-def]
    settings.TALEHOUSE_RATE_LIMITS = {**settings.TALEHOUSE_RATE_LIMITS, "follow": (2, 60)}
    codes = [reader_client.post(follow_url(author)).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


@pytest.mark.django_db(transaction=True)
def test_a_new_part_reaches_each_subscriber_and_follower_once_after_publish_returns() -> None:
    writer = make_user(username="serialist")
    story = make_story(writer, "Tides")
    make_part(story, "One", "<p>First.</p>")
    subscriber, follower, both, neither = (make_user(username=n) for n in ("s", "f", "b", "n"))
    for reader in (subscriber, both):
        Subscription.objects.create(reader=reader, story=story)
    for reader in (follower, both):
        Follow.objects.create(follower=reader, writer=writer)
    new = make_part(story, "Two", "<p>Second.</p>", publish=False)

    do_publish_part(new)
    assert not Notification.objects.filter(kind=NotificationKind.NEW_PART).exists()  # queued
    run_task_worker()
    told = Notification.objects.filter(kind=NotificationKind.NEW_PART, part=new)
    assert sorted(note.recipient.username for note in told) == ["b", "f", "s"]

    do_unpublish_part(new)
    do_publish_part(new)  # the same part again is not news
    run_task_worker()
    assert Notification.objects.filter(kind=NotificationKind.NEW_PART).count() == 3
    assert client_for(both).get(reverse("notifications:list")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_an_announcement_shows_on_the_story_and_reaches_its_subscribers() -> None:
    writer = make_user(username="announcer")
    story = make_story(writer, "On Hiatus")
    make_part(story, "One", "<p>First.</p>")
    subscriber = make_user(username="waiting")
    Subscription.objects.create(reader=subscriber, story=story)
    url = reverse("notifications:announce", args=[story.pk])

    assert client_for(subscriber).post(url, {"text": "Not mine"}).status_code == 403
    writer_client = client_for(writer)
    writer_client.post(url, {"text": " "})
    writer_client.post(url, {"text": "Back in two weeks: moving house."})
    run_task_worker()
    assert (
        "Back in two weeks: moving house."
        in Client().get(story.get_absolute_url()).content.decode()
    )
    page = client_for(subscriber).get(reverse("notifications:list")).content.decode()
    assert "Back in two weeks: moving house." in page
    assert Notification.objects.filter(recipient=subscriber).count() == 1


def test_a_reply_and_a_comment_on_a_writers_story_are_each_told_once(
    author: User, reader: User, stranger: User, part: Part
) -> None:
    from django.test import TestCase

    from social.actions.comments import do_add_comment

    with TestCase.captureOnCommitCallbacks(execute=True):
        first = do_add_comment(reader, part, "Lovely harbour.")
    with TestCase.captureOnCommitCallbacks(execute=True):
        do_add_comment(stranger, part, "Agreed!", parent=first)
    with TestCase.captureOnCommitCallbacks(execute=True):
        do_add_comment(author, part, "Thank you both.", parent=first)
    kinds = sorted(
        (note.recipient.username, note.kind, note.actor and note.actor.username)
        for note in Notification.objects.exclude(kind=NotificationKind.NEW_FOLLOWER)
    )
    assert kinds == [
        ("author", "comment", "reader"),
        ("author", "comment", "stranger"),
        ("reader", "reply", "author"),
        ("reader", "reply", "stranger"),
    ]
    page = client_for(reader).get(reverse("notifications:list")).content.decode()
    assert "replied to you" in page and "Thank you both." in page


def test_the_htmx_controls_answer_with_their_new_state(
    reader_client: Client, author: User, story: Story, part: Part
) -> None:
    htmx = {"HX-Request": "true"}
    follow = reader_client.post(follow_url(author), headers=htmx).content.decode()
    assert 'aria-pressed="true"' in follow and "Following" in follow
    url = reverse("notifications:subscribe", args=[story.pk])
    subscribed = reader_client.post(url, headers=htmx).content.decode()
    assert 'aria-pressed="true"' in subscribed and "Subscribed" in subscribed


def test_reading_a_part_offers_the_subscription_in_the_readers_own_fragment(
    reader_client: Client, author_client: Client, reader: User, part: Part
) -> None:
    fragment_url = reverse("stories:part_reader", args=[part.pk])
    subscribe_url = reverse("notifications:subscribe", args=[part.story_id])
    # The shared page keeps an empty slot: whether this reader subscribed is not in it.
    shared = reader_client.get(part.get_absolute_url()).content.decode()
    assert '<div id="subscribe-slot"></div>' in shared and subscribe_url not in shared

    def offer() -> str:
        html = reader_client.get(fragment_url, headers={"HX-Request": "true"}).content.decode()
        start = html.index('<div id="subscribe-slot" data-hx-swap-oob="true">')
        return html[start : html.index("</form>", start)]

    assert f'action="{subscribe_url}"' in offer()
    assert 'name="subscribe" value="1"' in offer() and 'aria-pressed="false"' in offer()
    reader_client.post(subscribe_url, {"subscribe": "1"}, headers={"HX-Request": "true"})
    assert Subscription.objects.filter(reader=reader, story=part.story).exists()
    assert 'name="subscribe" value="0"' in offer() and 'aria-pressed="true"' in offer()
    # The writer is offered no subscription to their own story.
    own = author_client.get(fragment_url, headers={"HX-Request": "true"}).content.decode()
    assert "subscribe-slot" not in own
