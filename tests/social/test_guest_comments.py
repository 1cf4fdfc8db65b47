"""Guest comments: where a writer opens a story's comments to everyone, a visitor without an
account comments by signing with a name. Elsewhere guests are sent to sign in; guests' posts are
rate-limited per address, bots fall into a trap field, and the writer moderates guests' comments
like anyone's."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from notifications.models import Notification, NotificationKind
from social.actions.comments import do_add_comment
from social.actions.moderation import do_set_comment_policy
from social.models import Comment
from stories.models import CommentPolicy, Part, Story
from stories.paragraphs import paragraphs


def add_url(part: Part) -> str:
    return reverse("social:comment_add", args=[part.pk])


def paragraph_url(part: Part) -> str:
    return reverse("social:paragraph_comments", args=[part.pk, paragraphs(part.body_html)[0][0]])


@pytest.fixture
def open_story(story: Story) -> Story:
    do_set_comment_policy(story, CommentPolicy.OPEN)
    return story


def guest_post(client: Client, url: str, **data: object) -> Any:
    """POST as a browser would: the token from the form page's cookie, CSRF checks on."""
    token = client.cookies["csrftoken"].value
    return client.post(url, {"csrfmiddlewaretoken": token, **data})


def test_a_guest_comments_where_the_writer_opens_comments_to_everyone(
    author_client: Client,
    author: User,
    story: Story,
    part: Part,
    django_capture_on_commit_callbacks: Any,
) -> None:
    guest = Client(enforce_csrf_checks=True)
    assert "Comment as a guest" not in guest.get(part.get_absolute_url()).content.decode()
    response = author_client.post(
        reverse("social:comment_policy", args=[story.pk]), {"comments": "open"}
    )
    assert response.status_code == 302

    # The cached anonymous page changes with the setting and offers the guest form.
    html = guest.get(part.get_absolute_url()).content.decode()
    assert "Comment as a guest" in html
    form = guest.get(add_url(part))
    assert form.status_code == 200
    assert 'name="name"' in form.content.decode() and "csrfmiddlewaretoken" in form.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = guest_post(
            guest, add_url(part), name="  Quiet   Reader ", body="Loved the tide."
        )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{part.get_absolute_url()}#comment-{comment.pk}"
    assert (comment.user, comment.guest_name, comment.is_by_guest) == (None, "Quiet Reader", True)
    part.refresh_from_db()
    assert part.comments_count == 1

    page = Client().get(part.get_absolute_url()).content.decode()
    assert "Quiet Reader" in page and "Comment by Quiet Reader, a guest" in page
    assert "Former member" not in page
    note = Notification.objects.get(recipient=author)
    assert (note.kind, note.actor_name) == (NotificationKind.COMMENT, "Quiet Reader (a guest)")
    inbox = author_client.get(reverse("notifications:list")).content.decode()
    assert "Quiet Reader (a guest) commented on" in inbox
    out = StringIO()
    call_command("recount_counters", "--check", stdout=out)
    assert out.getvalue().startswith("0 drifted counter(s) found.")


@pytest.mark.parametrize("policy", [CommentPolicy.SIGNED_IN, CommentPolicy.CLOSED])
def test_guests_are_sent_to_sign_in_where_the_story_is_not_open_to_them(
    client: Client, story: Story, part: Part, policy: CommentPolicy
) -> None:
    do_set_comment_policy(story, policy)
    assert "Comment as a guest" not in client.get(part.get_absolute_url()).content.decode()
    for response in (
        client.get(add_url(part)),
        client.post(add_url(part), {"name": "Sly", "body": "Let me in"}),
        client.post(paragraph_url(part), {"name": "Sly", "body": "Let me in"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert not Comment.objects.exists()


def test_a_guest_replies_and_comments_on_a_paragraph(
    client: Client,
    reader: User,
    open_story: Story,
    part: Part,
    django_capture_on_commit_callbacks: Any,
) -> None:
    thread = do_add_comment(reader, part, "Who else cried?")
    html = client.get(part.get_absolute_url()).content.decode()
    assert f"?parent={thread.pk}" in html  # guests may reply too

    form = client.get(add_url(part) + f"?parent={thread.pk}", headers={"HX-Request": "true"})
    assert f'id="reply-{thread.pk}-name"' in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add_url(part), {"name": "Kit", "body": "Me!", "parent": thread.pk})
    assert response.status_code == 302
    reply = Comment.objects.get(parent=thread)
    assert reply.guest_name == "Kit"
    assert Notification.objects.get(recipient=reader).kind == NotificationKind.REPLY

    thread_html = client.get(paragraph_url(part), headers={"HX-Request": "true"}).content.decode()
    assert 'name="name"' in thread_html and 'name="body"' in thread_html
    response = client.post(
        paragraph_url(part), {"name": "Kit", "body": "This line!"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    on_paragraph = Comment.objects.get(body="This line!")
    assert on_paragraph.paragraph_id == paragraphs(part.body_html)[0][0]
    part.refresh_from_db()
    assert part.comments_count == 3
    assert part.paragraph_comments == {on_paragraph.paragraph_id: 1}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "", "body": "No name"}, "Give a name to sign your comment with."),
        ({"name": "x" * 41, "body": "Long name"}, "at most 40 characters"),
        ({"name": "Bot", "body": "Buy now", "website": "http://spam"}, "looks automated"),
        ({"name": "Kit", "body": "   "}, "Write something before posting."),
    ],
)
def test_a_guests_bad_input_gets_a_clear_answer_and_keeps_the_text(
    client: Client, open_story: Story, part: Part, data: dict[str, str], error: str
) -> None:
    response = client.post(add_url(part), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    if data["body"].strip():
        assert data["body"] in html  # nothing the guest wrote is lost
    assert not Comment.objects.exists()


def test_guests_are_rate_limited_per_address(
    client: Client, open_story: Story, part: Part, settings: object
) -> None:
    limits = settings.TALEHOUSE_RATE_LIMITS  # type: ignore[attr-defined]
    settings.TALEHOUSE_RATE_LIMITS = {**limits, "guest_comment": (2, 600)}  # type: ignore[attr-defined]
    other_address = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(2):
        assert client.post(add_url(part), {"name": "Kit", "body": f"{n}"}).status_code == 302
    assert client.post(add_url(part), {"name": "Kit", "body": "again"}).status_code == 429
    assert other_address.post(add_url(part), {"name": "Ash", "body": "hi"}).status_code == 302
    assert Comment.objects.count() == 3


def test_a_guest_post_sent_twice_is_one_comment(
    client: Client, open_story: Story, part: Part
) -> None:
    data = {"name": "Kit", "body": "Once", "client_token": "a" * 32}
    first = client.post(add_url(part), data)
    second = client.post(add_url(part), data)
    assert first["Location"] == second["Location"]
    assert Comment.objects.count() == 1
    part.refresh_from_db()
    assert part.comments_count == 1


def test_the_writer_deletes_a_guests_comment_and_guests_cannot_edit_or_delete(
    client: Client, author_client: Client, open_story: Story, part: Part
) -> None:
    comment = do_add_comment(None, part, "Rude words.", guest_name="Troll")
    html = client.get(part.get_absolute_url()).content.decode()
    for url in ("social:comment_edit", "social:comment_delete"):
        target = reverse(url, args=[comment.pk])
        assert target not in html
        response = client.post(target, {"body": "changed"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = author_client.post(reverse("social:comment_delete", args=[comment.pk]))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_deleted
    part.refresh_from_db()
    assert part.comments_count == 0


def test_the_story_form_offers_comments_open_to_guests(author_client: Client, story: Story) -> None:
    url = reverse("stories:story_edit", args=[story.pk])
    assert 'name="comments" value="open"' in author_client.get(url).content.decode()
    author_client.post(reverse("social:comment_policy", args=[story.pk]), {"comments": "open"})
    assert 'value="open" checked' in author_client.get(url).content.decode()
