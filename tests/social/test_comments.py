from __future__ import annotations

import re
from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse

from accounts.models import User
from social.actions.comments import do_add_comment
from social.models import MAX_COMMENT_DEPTH, Comment
from stories.models import Part, Story
from tests.factories import make_part


def reader_url(part: Part) -> str:
    return reverse("stories:part_reader", args=[part.pk])


def add_url(part: Part) -> str:
    return reverse("social:comment_add", args=[part.pk])


def edit_url(comment: Comment) -> str:
    return reverse("social:comment_edit", args=[comment.pk])


def delete_url(comment: Comment) -> str:
    return reverse("social:comment_delete", args=[comment.pk])


def post_comment(client: Client, part: Part, body: str, parent: Comment | None = None) -> Comment:
    """Post through the form and return the comment the redirect points at."""
    data = {"body": body, "parent": parent.pk if parent else ""}
    response = client.post(add_url(part), data)
    assert response.status_code == 302, response.content.decode()
    match = re.search(r"#comment-(\d+)$", response["Location"])
    assert match, response["Location"]
    return Comment.objects.get(pk=int(match.group(1)))


def counts(part: Part) -> tuple[int, int]:
    """The part's and its story's comments counters, fresh from the database."""
    part.refresh_from_db()
    return part.comments_count, Story.objects.get(pk=part.story_id).comments_count


class AncestorFinder(HTMLParser):
    """Records the `id`s of the elements that enclose the element with `target_id`."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr"}

    def __init__(self, target_id: str) -> None:
        super().__init__()
        self.target_id = target_id
        self.stack: list[str] = []
        self.ancestors: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element_id = dict(attrs).get("id") or ""
        if element_id == self.target_id and self.ancestors is None:
            self.ancestors = [i for i in self.stack if i]
        if tag not in self.VOID:
            self.stack.append(element_id)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()


def enclosing_ids(html: str, element_id: str) -> list[str]:
    finder = AncestorFinder(element_id)
    finder.feed(html)
    assert finder.ancestors is not None, f"no element #{element_id} on the page"
    return finder.ancestors


# --- posting -----------------------------------------------------------------------------


def test_a_reader_posts_a_comment_and_lands_on_it(
    reader_client: Client, reader: User, part: Part
) -> None:
    response = reader_client.post(add_url(part), {"body": "What a first chapter!"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{part.get_absolute_url()}#comment-{comment.pk}"
    assert (comment.user, comment.part, comment.depth) == (reader, part, 0)
    assert comment.body == "What a first chapter!"
    assert counts(part) == (1, 1)
    html = reader_client.get(part.get_absolute_url()).content.decode()
    assert "What a first chapter!" in html


def test_replies_nest_four_levels_deep_and_no_deeper(reader_client: Client, part: Part) -> None:
    parent = post_comment(reader_client, part, "Level 0")
    for depth in range(1, MAX_COMMENT_DEPTH + 1):
        parent = post_comment(reader_client, part, f"Level {depth}", parent=parent)
        assert parent.depth == depth
    assert MAX_COMMENT_DEPTH == 4

    response = reader_client.post(add_url(part), {"body": "Too deep", "parent": parent.pk})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This thread is too deep to reply to." in html
    assert "Too deep</textarea>" in html
    assert not Comment.objects.filter(body="Too deep").exists()
    assert counts(part) == (MAX_COMMENT_DEPTH + 1, MAX_COMMENT_DEPTH + 1)


def test_the_deepest_comment_offers_no_reply_form(reader_client: Client, part: Part) -> None:
    parent = post_comment(reader_client, part, "Level 0")
    for depth in range(1, MAX_COMMENT_DEPTH + 1):
        parent = post_comment(reader_client, part, f"Level {depth}", parent=parent)
    html = reader_client.get(part.get_absolute_url()).content.decode()
    assert f"?parent={parent.parent_id}" in html
    assert f"?parent={parent.pk}" not in html
    form = reader_client.get(add_url(part) + f"?parent={parent.parent_id}").content.decode()
    assert f'id="reply-{parent.parent_id}-body"' in form


def test_the_part_page_shows_replies_threaded_under_their_parent(
    reader_client: Client, stranger_client: Client, part: Part
) -> None:
    first = post_comment(reader_client, part, "First thread")
    second = post_comment(stranger_client, part, "Second thread")
    reply = post_comment(stranger_client, part, "A reply to the first", parent=first)
    nested = post_comment(reader_client, part, "A reply to the reply", parent=reply)
    html = reader_client.get(part.get_absolute_url()).content.decode()

    assert enclosing_ids(html, f"comment-{reply.pk}")[-1] == f"comment-{first.pk}"
    nested_ancestors = enclosing_ids(html, f"comment-{nested.pk}")
    assert nested_ancestors[-2:] == [f"comment-{first.pk}", f"comment-{reply.pk}"]
    assert f"comment-{first.pk}" not in enclosing_ids(html, f"comment-{second.pk}")
    assert html.index("First thread") < html.index("A reply to the first")
    assert html.index("A reply to the reply") < html.index("Second thread")


def test_comments_render_as_escaped_text_with_line_breaks_and_links(
    reader_client: Client, part: Part
) -> None:
    body = "<script>alert('x')</script> <b>bold?</b>\nsecond line\n\nsee https://example.com/map"
    post_comment(reader_client, part, body)
    html = reader_client.get(part.get_absolute_url()).content.decode()
    comment_html = html[html.index('class="comment-body"') :][:600]
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in comment_html
    assert "&lt;b&gt;bold?&lt;/b&gt;" in comment_html
    assert "<br>second line" in comment_html
    assert "</p>\n\n<p>see" in comment_html
    assert (
        '<a href="https://example.com/map" rel="nofollow ugc noopener">https://example.com/map</a>'
        in (comment_html)
    )


def test_posting_the_same_form_twice_creates_one_comment(reader_client: Client, part: Part) -> None:
    form = {"body": "Double click!", "client_token": "4f1c2b0e9d8a7f6e5d4c3b2a19081726"}
    first = reader_client.post(add_url(part), form)
    second = reader_client.post(add_url(part), form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Comment.objects.count() == 1
    assert counts(part) == (1, 1)


def test_the_comment_form_carries_a_fresh_client_token(reader_client: Client, part: Part) -> None:
    fragment = reader_client.get(reader_url(part), headers={"HX-Request": "true"})
    page = reader_client.get(add_url(part))
    tokens = [
        token
        for response in (fragment, page)
        for token in re.findall(r'name="client_token" value="([^"]*)"', response.content.decode())
    ]
    assert len(tokens) == 2 and all(len(token) >= 16 for token in tokens)
    assert tokens[0] != tokens[1]


def test_an_empty_comment_is_refused_with_a_message(reader_client: Client, part: Part) -> None:
    for body in ("", "   \n  "):
        response = reader_client.post(add_url(part), {"body": body})
        assert response.status_code == 400
        assert "Write something before posting." in response.content.decode()
    assert not Comment.objects.exists()
    assert counts(part) == (0, 0)


def test_a_comment_on_a_draft_part_is_404(
    reader_client: Client, author_client: Client, draft_part: Part
) -> None:
    assert reader_client.post(add_url(draft_part), {"body": "Early!"}).status_code == 404
    assert author_client.post(add_url(draft_part), {"body": "Note"}).status_code == 404
    assert not Comment.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in_to_comment(client: Client, part: Part) -> None:
    response = client.post(add_url(part), {"body": "Hello"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Comment.objects.exists()


def test_a_get_shows_the_comment_or_reply_form_and_posts_nothing(
    reader_client: Client, reader: User, part: Part
) -> None:
    parent = do_add_comment(reader, part, "Reply to me")
    assert 'name="body"' in reader_client.get(add_url(part)).content.decode()
    reply = reader_client.get(add_url(part) + f"?parent={parent.pk}")
    assert f'name="parent" value="{parent.pk}"' in reply.content.decode()
    assert reader_client.get(add_url(part) + "?parent=999999").status_code == 404
    assert reader_client.get(add_url(part) + "?parent=x").status_code == 404
    assert Comment.objects.count() == 1


def test_a_reply_to_a_comment_on_another_part_is_refused(
    reader_client: Client, reader: User, part: Part, story: Story
) -> None:
    other = make_part(story, "Elsewhere")
    elsewhere = do_add_comment(reader, other, "On another part")
    response = reader_client.post(add_url(part), {"body": "Lost reply", "parent": elsewhere.pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The comment you replied to no longer exists." in html
    assert "Lost reply</textarea>" in html
    assert Comment.objects.count() == 1


# --- deleted comments --------------------------------------------------------------------


def test_a_reply_to_a_deleted_comment_is_refused_and_the_text_is_kept(
    reader_client: Client, stranger_client: Client, part: Part
) -> None:
    doomed = post_comment(stranger_client, part, "I will vanish")
    stranger_client.post(delete_url(doomed))
    response = reader_client.post(add_url(part), {"body": "My careful\nreply", "parent": doomed.pk})
    html = response.content.decode()
    assert response.status_code == 400
    assert "That comment was deleted; you can&#x27;t reply to it." in html
    assert "My careful\nreply</textarea>" in html
    assert not Comment.objects.filter(parent=doomed).exists()


def test_a_commenter_deletes_their_own_comment(reader_client: Client, part: Part) -> None:
    comment = post_comment(reader_client, part, "Regrettable take")
    assert reader_client.get(delete_url(comment)).status_code == 200
    response = reader_client.post(delete_url(comment))
    assert response.status_code == 302
    assert response["Location"] == f"{part.get_absolute_url()}#comments"
    comment.refresh_from_db()
    assert comment.is_deleted and comment.body == ""
    html = reader_client.get(part.get_absolute_url()).content.decode()
    assert "Regrettable take" not in html
    assert "Comment deleted." in html


def test_a_deleted_comment_with_replies_keeps_the_thread_shape(
    reader_client: Client, stranger_client: Client, part: Part
) -> None:
    root = post_comment(reader_client, part, "Root words")
    reply = post_comment(stranger_client, part, "Reply words", parent=root)
    reader_client.post(delete_url(root))
    html = reader_client.get(part.get_absolute_url()).content.decode()
    assert "Root words" not in html
    assert "This comment was deleted." in html
    assert enclosing_ids(html, f"comment-{reply.pk}")[-1] == f"comment-{root.pk}"


def test_a_deleted_comment_cannot_be_deleted_or_edited_again(
    reader_client: Client, part: Part
) -> None:
    comment = post_comment(reader_client, part, "Once")
    reader_client.post(delete_url(comment))
    assert reader_client.post(delete_url(comment)).status_code == 404
    assert reader_client.post(edit_url(comment), {"body": "Back"}).status_code == 404
    assert counts(part) == (0, 0)


def test_a_stranger_cannot_delete_someone_elses_comment(
    reader_client: Client, stranger_client: Client, part: Part
) -> None:
    comment = post_comment(reader_client, part, "Mine")
    assert stranger_client.get(delete_url(comment)).status_code == 403
    assert stranger_client.post(delete_url(comment)).status_code == 403
    comment.refresh_from_db()
    assert not comment.is_deleted


def test_the_story_author_can_delete_but_not_edit_a_readers_comment(
    reader_client: Client, author_client: Client, part: Part
) -> None:
    comment = post_comment(reader_client, part, "Rude remark")
    assert author_client.get(edit_url(comment)).status_code == 403
    assert author_client.post(edit_url(comment), {"body": "Nice remark"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Rude remark"

    assert author_client.post(delete_url(comment)).status_code == 302
    comment.refresh_from_db()
    assert comment.is_deleted
    assert counts(part) == (0, 0)


def test_the_part_page_offers_edit_and_delete_links_only_where_allowed(
    reader_client: Client, author_client: Client, stranger_client: Client, part: Part
) -> None:
    comment = post_comment(reader_client, part, "Links?")
    # Readers get the shared page, which shows nobody's controls, and their own controls from
    # the per-reader fragment; the story's author gets a personal page with theirs inline.
    shared = reader_client.get(part.get_absolute_url()).content.decode()
    assert edit_url(comment) not in shared and delete_url(comment) not in shared
    pages = {
        "reader": reader_client.get(reader_url(part), headers={"HX-Request": "true"}),
        "stranger": stranger_client.get(reader_url(part), headers={"HX-Request": "true"}),
        "author": author_client.get(part.get_absolute_url()),
    }
    html = {name: response.content.decode() for name, response in pages.items()}
    assert edit_url(comment) in html["reader"] and delete_url(comment) in html["reader"]
    assert edit_url(comment) not in html["author"] and delete_url(comment) in html["author"]
    assert edit_url(comment) not in html["stranger"]
    assert delete_url(comment) not in html["stranger"]


# --- editing -----------------------------------------------------------------------------


def test_a_commenter_edits_their_own_comment(reader_client: Client, part: Part) -> None:
    comment = post_comment(reader_client, part, "Typo hre")
    assert "</time> · edited" not in reader_client.get(part.get_absolute_url()).content.decode()
    page = reader_client.get(edit_url(comment))
    assert page.status_code == 200
    assert "Typo hre</textarea>" in page.content.decode()

    response = reader_client.post(edit_url(comment), {"body": "Typo here"})
    assert response.status_code == 302
    assert response["Location"] == f"{part.get_absolute_url()}#comment-{comment.pk}"
    comment.refresh_from_db()
    assert comment.body == "Typo here" and comment.edited_at is not None
    html = reader_client.get(part.get_absolute_url()).content.decode()
    assert "Typo here" in html and "</time> · edited" in html
    assert counts(part) == (1, 1)


def test_editing_to_an_empty_comment_is_refused(reader_client: Client, part: Part) -> None:
    comment = post_comment(reader_client, part, "Keep me")
    response = reader_client.post(edit_url(comment), {"body": "  "})
    assert response.status_code == 400
    assert "Write something before saving." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Keep me"


def test_an_edit_posted_without_a_body_field_is_refused_with_a_message(
    reader_client: Client, part: Part
) -> None:
    comment = post_comment(reader_client, part, "Keep me")
    response = reader_client.post(edit_url(comment), {})
    assert response.status_code == 400
    assert "Write something before saving." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Keep me" and comment.edited_at is None


def test_another_reader_cannot_edit_a_comment(
    reader_client: Client, stranger_client: Client, part: Part
) -> None:
    comment = post_comment(reader_client, part, "Original")
    assert stranger_client.get(edit_url(comment)).status_code == 403
    assert stranger_client.post(edit_url(comment), {"body": "Hijacked"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Original" and comment.edited_at is None


def test_editing_and_deleting_need_a_signed_in_user(
    client: Client, reader: User, part: Part
) -> None:
    comment = do_add_comment(reader, part, "Hello")
    for url in (edit_url(comment), delete_url(comment)):
        response = client.post(url, {"body": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_edit_and_delete_refuse_other_methods(reader_client: Client, part: Part) -> None:
    comment = post_comment(reader_client, part, "Hello")
    assert reader_client.put(edit_url(comment)).status_code == 405
    assert reader_client.delete(delete_url(comment)).status_code == 405


# --- counters ----------------------------------------------------------------------------


def test_comment_counters_stay_exact_through_adds_and_deletes(
    reader_client: Client, stranger_client: Client, author_client: Client, story: Story, part: Part
) -> None:
    second = make_part(story, "The Second Night")
    a = post_comment(reader_client, part, "a")
    b = post_comment(stranger_client, part, "b", parent=a)
    post_comment(reader_client, part, "c", parent=b)
    post_comment(reader_client, second, "d")
    assert counts(part) == (3, 4)

    reader_client.post(delete_url(a))  # soft delete: its replies stay and still count
    assert counts(part) == (2, 3)
    author_client.post(delete_url(b))
    assert counts(part) == (1, 2)
    reader_client.post(delete_url(b))  # already gone: nothing moves
    assert counts(part) == (1, 2)
    assert counts(second) == (1, 2)
    post_comment(stranger_client, part, "e")
    assert counts(part) == (2, 3)
    assert Comment.objects.filter(is_deleted=False).count() == 3


def test_a_former_members_comment_is_labelled_as_such(
    client: Client, part: Part, stranger: User
) -> None:
    do_add_comment(stranger, part, "I was here")
    stranger.delete()
    html = client.get(part.get_absolute_url()).content.decode()
    assert 'aria-label="Comment by a former member"' in html
    assert 'Comment by "' not in html and 'aria-label="Comment by "' not in html
