"""A writer moderates the comments on their own work: closes a story's comments, freezes a
thread, deletes any comment; their own comments carry the Author badge."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from social.actions.comments import do_add_comment
from social.actions.moderation import do_freeze_thread, do_set_comment_policy
from social.models import Comment
from stories.models import CommentPolicy, Part, Story
from stories.paragraphs import paragraphs
from tests.conftest import client_for
from tests.factories import make_part, make_story


def freeze_url(comment: Comment) -> str:
    return reverse("social:comment_freeze", args=[comment.pk])


def policy_url(story: Story) -> str:
    return reverse("social:comment_policy", args=[story.pk])


def add_url(part: Part) -> str:
    return reverse("social:comment_add", args=[part.pk])


@pytest.fixture
def thread(reader: User, part: Part) -> Comment:
    return do_add_comment(reader, part, "A thread that got heated.")


# --- freezing a thread -------------------------------------------------------------------


def test_the_writer_freezes_a_thread_and_no_reply_gets_in(
    author_client: Client, reader_client: Client, thread: Comment, part: Part
) -> None:
    response = author_client.post(freeze_url(thread), {"frozen": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{part.get_absolute_url()}#comment-{thread.pk}"
    thread.refresh_from_db()
    assert thread.frozen

    html = reader_client.get(part.get_absolute_url()).content.decode()
    assert "Frozen: no new replies" in html
    assert f"?parent={thread.pk}" not in html
    response = reader_client.post(add_url(part), {"body": "But wait", "parent": thread.pk})
    assert response.status_code == 400
    assert "The writer has frozen this thread: no new replies." in response.content.decode()
    form = reader_client.get(add_url(part) + f"?parent={thread.pk}").content.decode()
    assert 'name="body"' not in form and "frozen this thread" in form


def test_a_frozen_thread_refuses_replies_at_every_depth_until_unfrozen(
    reader: User, stranger: User, thread: Comment, part: Part
) -> None:
    reply = do_add_comment(stranger, part, "Reply", parent=thread)
    do_freeze_thread(thread, True)
    from django.core.exceptions import ValidationError

    for parent in (thread, reply):
        with pytest.raises(ValidationError, match="frozen"):
            do_add_comment(reader, part, "Nope", parent=parent)
    do_add_comment(reader, part, "A new thread is fine.")
    do_freeze_thread(thread, False)
    assert do_add_comment(reader, part, "Open again", parent=reply).depth == 2


def test_the_writer_sees_freeze_and_unfreeze_controls_on_their_own_page(
    author_client: Client, reader_client: Client, thread: Comment, part: Part
) -> None:
    html = author_client.get(part.get_absolute_url()).content.decode()
    assert freeze_url(thread) in html and "Freeze thread" in html
    reader_html = reader_client.get(part.get_absolute_url()).content.decode()
    assert freeze_url(thread) not in reader_html
    author_client.post(freeze_url(thread), {"frozen": "1"})
    assert "Unfreeze thread" in author_client.get(part.get_absolute_url()).content.decode()
    author_client.post(freeze_url(thread), {"frozen": "0"})
    thread.refresh_from_db()
    assert not thread.frozen


def test_only_the_writer_may_freeze_and_only_whole_threads(
    client: Client,
    reader_client: Client,
    stranger_client: Client,
    author_client: Client,
    stranger: User,
    thread: Comment,
    part: Part,
) -> None:
    response = client.post(freeze_url(thread), {"frozen": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert reader_client.post(freeze_url(thread), {"frozen": "1"}).status_code == 403
    assert stranger_client.post(freeze_url(thread), {"frozen": "1"}).status_code == 403
    # The writer of another story has no say here.
    other_writer = client_for(make_story(stranger, "Theirs").author)
    assert other_writer.post(freeze_url(thread), {"frozen": "1"}).status_code == 403
    reply = do_add_comment(stranger, part, "A reply", parent=thread)
    assert author_client.post(freeze_url(reply), {"frozen": "1"}).status_code == 403
    assert author_client.post(freeze_url(thread), {"frozen": "maybe"}).status_code == 400
    assert author_client.get(freeze_url(thread)).status_code == 405
    assert author_client.post("/comments/999999/freeze/", {"frozen": "1"}).status_code == 404
    assert not Comment.objects.filter(frozen=True).exists()


def test_freezing_changes_the_cached_anonymous_page(
    client: Client, thread: Comment, part: Part
) -> None:
    client.get(part.get_absolute_url())
    assert client.get(part.get_absolute_url())["X-Talehouse-Cache"] == "hit"
    do_freeze_thread(thread, True)
    response = client.get(part.get_absolute_url())
    assert response.get("X-Talehouse-Cache") != "hit"
    assert "Frozen: no new replies" in response.content.decode()


# --- closing a story's comments ----------------------------------------------------------


def test_the_writer_closes_comments_and_nothing_new_gets_in(
    author_client: Client, reader_client: Client, reader: User, thread: Comment, part: Part
) -> None:
    response = author_client.post(policy_url(part.story), {"comments": "closed"})
    assert response.status_code == 302
    assert response["Location"] == reverse("stories:story_edit", args=[part.story_id])
    assert Story.objects.get(pk=part.story_id).comments == CommentPolicy.CLOSED

    html = reader_client.get(part.get_absolute_url()).content.decode()
    assert "A thread that got heated." in html  # what was written stays
    assert "The writer has closed comments on this story." in html
    assert f"?parent={thread.pk}" not in html
    fragment = reader_client.get(
        reverse("stories:part_reader", args=[part.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'name="body"' not in fragment and "closed comments" in fragment
    for data in ({"body": "New"}, {"body": "Reply", "parent": thread.pk}):
        response = reader_client.post(add_url(part), data)
        assert response.status_code == 400
        assert "The writer has closed comments on this story." in response.content.decode()
    pid = paragraphs(part.body_html)[0][0]
    paragraph_url = reverse("social:paragraph_comments", args=[part.pk, pid])
    assert reader_client.post(paragraph_url, {"body": "Here"}).status_code == 400
    assert Comment.objects.count() == 1

    author_client.post(policy_url(part.story), {"comments": "signed_in"})
    assert reader_client.post(add_url(part), {"body": "Open again"}).status_code == 302


def test_an_anonymous_visitor_reads_that_comments_are_closed(
    client: Client, story: Story, part: Part
) -> None:
    assert "Sign in to comment" in client.get(part.get_absolute_url()).content.decode()
    do_set_comment_policy(story, CommentPolicy.CLOSED)
    html = client.get(part.get_absolute_url()).content.decode()
    assert "The writer has closed comments on this story." in html
    assert "Sign in to comment" not in html


def test_the_story_form_offers_the_comment_setting(author_client: Client, story: Story) -> None:
    html = author_client.get(reverse("stories:story_edit", args=[story.pk])).content.decode()
    assert f'action="{policy_url(story)}"' in html
    assert 'name="comments" value="signed_in" checked' in html


def test_only_the_writer_may_close_comments(
    client: Client,
    reader_client: Client,
    stranger_client: Client,
    author_client: Client,
    story: Story,
    part: Part,
) -> None:
    response = client.post(policy_url(story), {"comments": "closed"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert reader_client.post(policy_url(story), {"comments": "closed"}).status_code == 403
    assert stranger_client.post(policy_url(story), {"comments": "closed"}).status_code == 403
    assert author_client.post(policy_url(story), {"comments": "everyone"}).status_code == 400
    assert author_client.post(policy_url(story), {}).status_code == 400
    assert author_client.get(policy_url(story)).status_code == 405
    assert author_client.post("/stories/999999/comment-policy/", {}).status_code == 404
    assert Story.objects.get(pk=story.pk).comments == CommentPolicy.SIGNED_IN


def test_a_draft_storys_comment_setting_is_404_to_others(
    reader_client: Client, author_client: Client, author: User
) -> None:
    draft = make_story(author, "Unpublished")
    assert reader_client.post(policy_url(draft), {"comments": "closed"}).status_code == 404
    assert author_client.post(policy_url(draft), {"comments": "closed"}).status_code == 302


# --- deleting and the Author badge -------------------------------------------------------


def test_the_writer_deletes_any_comment_on_their_work_but_not_elsewhere(
    author_client: Client, reader: User, stranger: User, author: User, part: Part
) -> None:
    pid = paragraphs(part.body_html)[0][0]
    on_paragraph = do_add_comment(reader, part, "Meh.", paragraph_id=pid)
    reply = do_add_comment(stranger, part, "Rude.", parent=on_paragraph)
    for comment in (reply, on_paragraph):
        delete = reverse("social:comment_delete", args=[comment.pk])
        assert author_client.post(delete).status_code == 302
    part.refresh_from_db()
    assert (part.comments_count, part.paragraph_comments) == (0, {})

    elsewhere = make_part(make_story(stranger, "Not Theirs"), "One")
    theirs = do_add_comment(reader, elsewhere, "Not yours to delete")
    delete = reverse("social:comment_delete", args=[theirs.pk])
    assert author_client.post(delete).status_code == 403
    assert not Comment.objects.get(pk=theirs.pk).is_deleted


def test_the_writers_replies_carry_the_author_badge(
    client: Client, author: User, thread: Comment, part: Part
) -> None:
    reply = do_add_comment(author, part, "Thank you for reading!", parent=thread)
    html = client.get(part.get_absolute_url()).content.decode()
    item = html[html.index(f'id="comment-{reply.pk}"') :][:800]
    assert '<span class="badge">Author</span>' in item
    thread_item = html[html.index(f'id="comment-{thread.pk}"') :][:400]
    assert '<span class="badge">Author</span>' not in thread_item
