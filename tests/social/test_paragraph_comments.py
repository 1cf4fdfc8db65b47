"""Inline comments: a reader comments on one paragraph of a part; every paragraph shows its
count in the margin, and its thread opens beside the text (a per-reader fragment)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from social.actions.comments import do_add_comment, do_delete_comment
from social.actions.moderation import do_set_comment_policy
from social.models import MAX_PARAGRAPH_QUOTE, Comment
from stories.actions import do_save_part
from stories.models import CommentPolicy, Part, Story
from stories.paragraphs import paragraphs
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user
from tests.stories.test_reading import PARAGRAPH_THREAD_QUERIES

HTMX = {"HX-Request": "true"}


def pids(part: Part) -> list[str]:
    part.refresh_from_db()
    return [pid for pid, _ in paragraphs(part.body_html)]


def thread_url(part: Part, pid: str) -> str:
    return reverse("social:paragraph_comments", args=[part.pk, pid])


def counts(part: Part) -> tuple[dict[str, int], int, int]:
    """The part's paragraph counts, its comments counter and its story's, fresh."""
    part.refresh_from_db()
    story = Story.objects.get(pk=part.story_id)
    return part.paragraph_comments, part.comments_count, story.comments_count


# --- posting -----------------------------------------------------------------------------


def test_a_reader_comments_on_a_paragraph_in_place_and_its_count_moves(
    reader_client: Client, reader: User, part: Part
) -> None:
    second = pids(part)[1]
    response = reader_client.post(
        thread_url(part, second), {"body": "He sounds nervous."}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="paragraph-thread"' in html and 'data-count="1"' in html
    assert "He sounds nervous." in html
    assert 'data-label="Comments on paragraph 2 (1)"' in html
    assert 'id="para-comment-' in html  # ids of its own: the same comment is in the page's list
    comment = Comment.objects.get()
    assert (comment.user, comment.depth, comment.paragraph_id) == (reader, 0, second)
    assert comment.paragraph_quote == "“Hello,” he said."
    assert counts(part) == ({second: 1}, 1, 1)


def test_a_paragraph_comment_in_place_updates_the_stats_line_under_the_title(
    reader_client: Client, author: User, part: Part
) -> None:
    first, second = pids(part)[:2]
    do_add_comment(author, part, "An earlier word.")
    response = reader_client.post(
        thread_url(part, second), {"body": "He sounds nervous."}, headers=HTMX
    )
    html = response.content.decode()
    # The same response carries the stats line, swapped out of band like a vote's.
    stats = html[html.index('id="part-stats"') :]
    assert 'data-hx-swap-oob="true"' in stats
    assert 'data-stat="comments" data-exact="2"' in stats
    # Only a post brings it: opening a thread, or a refused comment, leaves the line alone.
    opened = reader_client.get(thread_url(part, first), headers=HTMX).content.decode()
    refused = reader_client.post(thread_url(part, first), {"body": " "}, headers=HTMX)
    assert refused.status_code == 400
    assert "part-stats" not in opened and "part-stats" not in refused.content.decode()


def test_without_javascript_the_comment_lands_on_the_paragraphs_page(
    reader_client: Client, part: Part
) -> None:
    first = pids(part)[0]
    response = reader_client.post(thread_url(part, first), {"body": "Good opening."})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{thread_url(part, first)}#comment-{comment.pk}"
    page = reader_client.get(thread_url(part, first)).content.decode()
    assert "<h1>Comments on paragraph 1</h1>" in page
    assert "“Hello,” she said." in page and "Good opening." in page
    assert f'id="comment-{comment.pk}"' in page
    assert f'href="{part.get_absolute_url()}#pc-{first}"' in page


def test_a_paragraph_comment_keeps_at_most_a_bounded_quote(reader: User, story: Story) -> None:
    long_part = make_part(story, "Long", "<p>" + "word " * 400 + "</p>")
    comment = do_add_comment(reader, long_part, "So long!", paragraph_id=pids(long_part)[0])
    assert len(comment.paragraph_quote) <= MAX_PARAGRAPH_QUOTE
    assert comment.paragraph_quote.startswith("word word") and comment.paragraph_quote.endswith("…")


def test_a_paragraph_that_is_not_in_the_part_is_refused_with_a_message(
    reader_client: Client, part: Part, story: Story
) -> None:
    other = make_part(story, "Elsewhere", "<p>Another night.</p>")
    for pid in ("0badc0de", pids(other)[0]):  # unknown, and a paragraph of another part
        response = reader_client.post(thread_url(part, pid), {"body": "Where am I?"}, headers=HTMX)
        html = response.content.decode()
        assert response.status_code == 400
        assert "That paragraph is not in this part any more" in html
        assert "Where am I?</textarea>" in html
    assert not Comment.objects.exists()
    assert counts(part) == ({}, 0, 0)


@pytest.mark.parametrize("pid", ["xyz", "ABCDEF01", "abcdef0", "abcdef012"])
def test_a_malformed_paragraph_id_is_404(reader_client: Client, part: Part, pid: str) -> None:
    assert reader_client.get(thread_url(part, pid)).status_code == 404
    assert reader_client.post(thread_url(part, pid), {"body": "Hi"}).status_code == 404
    assert not Comment.objects.exists()


def test_an_empty_or_over_long_paragraph_comment_is_refused(
    reader_client: Client, part: Part
) -> None:
    url = thread_url(part, pids(part)[0])
    for body, message in (
        ("  ", "Write something before posting."),
        ("x" * 10001, "at most 10000 characters"),
    ):
        response = reader_client.post(url, {"body": body}, headers=HTMX)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Comment.objects.exists()


def test_posting_the_same_paragraph_form_twice_creates_one_comment(
    reader_client: Client, part: Part
) -> None:
    form = {"body": "Twice?", "client_token": "0f1e2d3c4b5a69788796a5b4c3d2e1f0"}
    url = thread_url(part, pids(part)[0])
    assert reader_client.post(url, form).status_code == 302
    assert reader_client.post(url, form).status_code == 302
    assert Comment.objects.count() == 1
    assert counts(part)[1:] == (1, 1)


def test_paragraph_comments_are_rate_limited_like_comments(
    reader_client: Client, part: Part, settings: Any
) -> None:
    settings.TALEHOUSE_RATE_LIMITS = {**settings.TALEHOUSE_RATE_LIMITS, "comment": (2, 60)}
    url = thread_url(part, pids(part)[0])
    statuses = [reader_client.post(url, {"body": f"Take {i}"}).status_code for i in range(3)]
    assert statuses == [302, 302, 429]
    assert Comment.objects.count() == 2


# --- who may see and post ----------------------------------------------------------------


def test_every_persona_reads_a_paragraphs_thread_and_members_get_the_form(
    client: Client,
    reader_client: Client,
    stranger_client: Client,
    author_client: Client,
    reader: User,
    part: Part,
) -> None:
    first = pids(part)[0]
    do_add_comment(reader, part, "Lovely line.", paragraph_id=first)
    for name, who in (
        ("anonymous", client),
        ("reader", reader_client),
        ("stranger", stranger_client),
        ("author", author_client),
    ):
        response = who.get(thread_url(part, first), headers=HTMX)
        html = response.content.decode()
        assert response.status_code == 200, name
        assert "Lovely line." in html, name
        assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]
        if name == "anonymous":
            assert "Sign in to comment on this paragraph" in html
            assert 'name="body"' not in html and "csrfmiddlewaretoken" not in html
        else:
            assert 'name="body"' in html and "csrfmiddlewaretoken" in html, name


def test_an_anonymous_visitor_is_sent_to_sign_in_to_post(client: Client, part: Part) -> None:
    response = client.post(thread_url(part, pids(part)[0]), {"body": "Hello"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Comment.objects.exists()


def test_a_draft_parts_paragraphs_are_404_to_everyone(
    client: Client, reader_client: Client, author_client: Client, draft_part: Part
) -> None:
    url = thread_url(draft_part, pids(draft_part)[0])
    for who in (client, reader_client, author_client):
        assert who.get(url).status_code == 404
    assert reader_client.post(url, {"body": "Early"}).status_code == 404
    assert author_client.post(url, {"body": "Note"}).status_code == 404
    assert not Comment.objects.exists()


def test_a_sign_in_only_storys_paragraphs_are_404_to_anonymous_visitors(
    client: Client, reader_client: Client, author: User
) -> None:
    hidden = make_part(make_story(author, "Members", restricted=True), "In", "<p>Psst.</p>")
    url = thread_url(hidden, pids(hidden)[0])
    assert client.get(url).status_code == 404
    assert reader_client.get(url).status_code == 200


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_the_paragraph_url_refuses_other_methods(
    reader_client: Client, part: Part, method: str
) -> None:
    assert getattr(reader_client, method)(thread_url(part, pids(part)[0])).status_code == 405


def test_a_closed_story_shows_paragraph_threads_but_takes_no_comment(
    reader_client: Client, reader: User, part: Part, story: Story
) -> None:
    first = pids(part)[0]
    do_add_comment(reader, part, "Before the doors shut.", paragraph_id=first)
    do_set_comment_policy(story, CommentPolicy.CLOSED)
    html = reader_client.get(thread_url(part, first), headers=HTMX).content.decode()
    assert "Before the doors shut." in html
    assert "The writer has closed comments on this story." in html
    assert 'name="body"' not in html
    response = reader_client.post(thread_url(part, first), {"body": "Late"}, headers=HTMX)
    assert response.status_code == 400
    assert "The writer has closed comments on this story." in response.content.decode()
    assert Comment.objects.count() == 1


# --- the part page -----------------------------------------------------------------------


def test_every_paragraph_has_a_comment_button_with_its_count(
    client: Client, reader: User, stranger: User, part: Part
) -> None:
    first, second = pids(part)
    do_add_comment(reader, part, "One", paragraph_id=second)
    do_add_comment(stranger, part, "Two", paragraph_id=second)
    html = client.get(part.get_absolute_url()).content.decode()
    assert f'href="{thread_url(part, first)}"' in html
    assert "Comments on paragraph 1 (0)" in html
    assert re.search(
        rf'<a class="pc has-comments" id="pc-{second}" href="{thread_url(part, second)}"'
        r'[^>]*><span class="visually-hidden">Comments on paragraph 2 \(2\)</span>'
        r'<span class="pc-count" aria-hidden="true">2</span></a></p>',
        html,
    )
    # The stored text is untouched: the buttons are added when the page is rendered.
    assert "pc-count" not in Part.objects.get(pk=part.pk).body_html


def test_the_cached_page_shows_a_new_paragraph_count_at_once(
    client: Client, reader: User, part: Part
) -> None:
    first = pids(part)[0]
    before = client.get(part.get_absolute_url())
    assert client.get(part.get_absolute_url())["X-Talehouse-Cache"] == "hit"
    do_add_comment(reader, part, "That greeting!", paragraph_id=first)
    after = client.get(part.get_absolute_url())
    assert after.get("X-Talehouse-Cache") != "hit"
    assert "Comments on paragraph 1 (0)" in before.content.decode()
    assert "Comments on paragraph 1 (1)" in after.content.decode()


def test_paragraph_comments_count_and_show_in_the_ordinary_list_with_their_quote(
    client: Client, reader: User, part: Part
) -> None:
    do_add_comment(reader, part, "On the whole part.")
    comment = do_add_comment(reader, part, "On one line.", paragraph_id=pids(part)[1])
    html = client.get(part.get_absolute_url()).content.decode()
    item = html[html.index(f'id="comment-{comment.pk}"') :][:900]
    assert '<blockquote class="comment-quote">' in item and "“Hello,” he said." in item
    assert "On one line." in item and "earlier version" not in item
    assert 'data-stat="comments" data-exact="2"' in html


def test_replies_join_their_paragraph_and_deletes_move_its_count(
    reader: User, stranger: User, part: Part
) -> None:
    first = pids(part)[0]
    root = do_add_comment(reader, part, "Root", paragraph_id=first)
    reply = do_add_comment(stranger, part, "Reply", parent=root)
    assert (reply.paragraph_id, reply.paragraph_quote) == (first, "")
    assert counts(part) == ({first: 2}, 2, 2)
    do_delete_comment(root)
    assert counts(part) == ({first: 1}, 1, 1)
    root.refresh_from_db()
    assert root.paragraph_quote == "“Hello,” she said."  # its reply still answers something
    do_delete_comment(Comment.objects.get(pk=reply.pk))
    assert counts(part) == ({}, 0, 0)


def test_comments_on_an_edited_paragraph_stay_marked_as_on_an_earlier_version(
    client: Client, reader_client: Client, reader: User, part: Part
) -> None:
    first, second = pids(part)
    comment = do_add_comment(reader, part, "Such a greeting.", paragraph_id=first)
    do_save_part(part, part.title, "<p>“Good evening,” she said.</p><p>“Hello,” he said.</p>")
    new_first, kept_second = pids(part)
    assert kept_second == second and new_first != first

    html = client.get(part.get_absolute_url()).content.decode()
    item = html[html.index(f'id="comment-{comment.pk}"') :][:900]
    assert "“Hello,” she said." in item and "On an earlier version of this part" in item
    assert "Comments on paragraph 1 (0)" in html  # the new paragraph starts afresh
    assert f"pc-{first}" not in html

    old = reader_client.get(thread_url(part, first), headers=HTMX).content.decode()
    assert "Such a greeting." in old and "Comments on an earlier version of this part" in old
    assert 'name="body"' not in old
    response = reader_client.post(thread_url(part, first), {"body": "Too late"}, headers=HTMX)
    assert response.status_code == 400
    assert "That paragraph is not in this part any more" in response.content.decode()
    assert counts(part)[1] == 1


def test_the_writers_paragraph_comment_carries_the_author_badge(
    reader_client: Client, author: User, part: Part
) -> None:
    first = pids(part)[0]
    do_add_comment(author, part, "Thanks for reading this bit!", paragraph_id=first)
    html = reader_client.get(thread_url(part, first), headers=HTMX).content.decode()
    assert '<span class="badge">Author</span>' in html


# --- query budget ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_paragraphs_thread_costs_the_same_queries_for_few_or_many_comments(
    django_assert_num_queries: Any,
) -> None:
    writer = make_user(username="prolific")
    readers = [make_user() for _ in range(5)]
    part = make_part(make_story(writer, "Busy"), "One", "<p>Here.</p><p>There.</p>")
    first = pids(part)[0]
    member = client_for(readers[0])
    for size in (2, 60):  # a few comments, and more than a page of threads (with replies)
        parent = None
        while Comment.objects.count() < size:
            i = Comment.objects.count()
            parent = do_add_comment(
                readers[i % 5], part, f"C{i}", parent=parent, paragraph_id=first
            )
            parent = None if i % 3 == 2 else parent
        for who, page_client in (("anonymous", Client()), ("member", member)):
            with django_assert_num_queries(PARAGRAPH_THREAD_QUERIES[who]):
                response = page_client.get(thread_url(part, first), headers=HTMX)
                assert response.status_code == 200
