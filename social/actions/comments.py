"""Comments and replies: who may write, edit and delete them, and the writes themselves."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.html import linebreaks, urlize
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.models import User, Viewer
from social.counters import move_counter
from social.models import MAX_COMMENT_BODY, MAX_GUEST_NAME, MAX_PARAGRAPH_QUOTE, Comment
from stories.changes import StoryChange, story_changed
from stories.models import CommentPolicy, Part, Story
from stories.paragraphs import PID_PATTERN, paragraph_quote

logger = logging.getLogger("talehouse.comments")


def render_comment_html(text: str) -> str:
    """Plain text to safe HTML: everything escaped, then paragraphs, line breaks and links
    (rel="nofollow ugc noopener"). Done on write, so the part page does not redo it."""
    linked = urlize(text, nofollow=True, autoescape=True).replace(
        'rel="nofollow"', 'rel="nofollow ugc noopener"'
    )
    return str(linebreaks(linked, autoescape=False))


def check_comment_body(body: str) -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError(_("Write something before posting."), code="empty")
    if len(text) > MAX_COMMENT_BODY:
        raise ValidationError(_("Comments can be at most 10,000 characters."), code="too_long")
    return text


def check_comments_open(story: Story, user: Viewer | None = None) -> None:
    """The writer may close a story's comments (nothing new, existing comments stay), or open
    them to guests; by default only signed-in readers comment. `user` None: a guest."""
    if story.comments == CommentPolicy.CLOSED:
        raise ValidationError(_("The writer has closed comments on this story."), code="closed")
    if (user is None or not user.is_authenticated) and story.comments != CommentPolicy.OPEN:
        raise ValidationError(_("Sign in to comment on this story."), code="sign_in")


def guests_may_comment(story: Story) -> bool:
    return story.comments == CommentPolicy.OPEN


def check_guest_name(raw: str) -> str:
    """The name a guest signs with: required, one line, short, and not passing for a member's
    (the page marks it as a guest's anyway)."""
    name = " ".join((raw or "").split())
    if not name:
        raise ValidationError(_("Give a name to sign your comment with."), code="guest_name")
    if len(name) > MAX_GUEST_NAME:
        raise ValidationError(
            _("A name can be at most %(n)d characters.") % {"n": MAX_GUEST_NAME},
            code="guest_name",
        )
    return name


def check_paragraph_id(raw: str) -> str:
    """A paragraph id as the page sends it (8 hex characters), or "" for no paragraph."""
    pid = (raw or "").strip()
    if pid and not re.fullmatch(PID_PATTERN, pid):
        raise ValidationError(_("There is no such paragraph in this part."), code="paragraph")
    return pid


def check_paragraph(part_html: str, pid: str) -> str:
    """The quote a comment on paragraph `pid` keeps: the paragraph's words in the part's
    current text, cut to size. Refused if the paragraph is not in the text (any more)."""
    text = paragraph_quote(part_html, check_paragraph_id(pid))
    if text is None:
        raise ValidationError(
            _(
                "That paragraph is not in this part any more: the writer may have just changed "
                "it. Your comment was not posted; reload the part to comment on its new text."
            ),
            code="paragraph",
        )
    return Truncator(text).chars(MAX_PARAGRAPH_QUOTE)


# --- who may do what: the views, the templates and the API ask these ---------------------


def may_edit_comment(user: Viewer, comment: Comment) -> bool:
    return user.is_authenticated and not comment.is_deleted and comment.user_id == user.pk


def may_delete_comment(user: Viewer, comment: Comment, story_author_id: int) -> bool:
    """The commenter and the story's author may delete a comment."""
    return (
        user.is_authenticated
        and not comment.is_deleted
        and user.pk in {comment.user_id, story_author_id}
    )


def may_freeze_thread(user: Viewer, comment: Comment, story_author_id: int) -> bool:
    """The story's writer may freeze (and unfreeze) a top-level thread on their work."""
    return (
        user.is_authenticated
        and user.pk == story_author_id
        and comment.depth == 0
        and not comment.is_deleted
    )


def access_comment_for_edit(user: User, comment_id: int) -> Comment:
    comment = _visible_live_comment(user, comment_id)
    if not may_edit_comment(user, comment):
        raise PermissionDenied(_("You can only edit your own comments."))
    return comment


def access_comment_for_delete(user: User, comment_id: int) -> Comment:
    comment = _visible_live_comment(user, comment_id)
    if not may_delete_comment(user, comment, comment.part.story.author_id):
        raise PermissionDenied(_("You cannot delete this comment."))
    return comment


def check_reply_parent(user: Viewer, part: Part, parent_id: int | None) -> Comment | None:
    """The comment a reply answers: a comment on the same part that the reader may see."""
    if not parent_id:
        return None
    parent = Comment.objects.visible_to(user).filter(pk=parent_id, part=part).first()
    if parent is None:
        raise ValidationError(_("The comment you replied to no longer exists."), code="gone")
    return parent


def _visible_live_comment(user: Viewer, comment_id: int) -> Comment:
    try:
        return (
            Comment.objects.visible_to(user)
            .select_related("part__story")
            .get(pk=comment_id, is_deleted=False)
        )
    except Comment.DoesNotExist:
        raise Http404(_("No such comment.")) from None


# --- writes ------------------------------------------------------------------------------


def lock_story_for_comments(story_id: int) -> Story:
    """Lock the story row (its comment policy read fresh) before touching its comments.

    Every comment write takes this first: the story row, then the part, then comments, the
    order every write follows (stories.actions._lock_story). So a comment cannot slip past a
    writer closing comments or freezing its thread, and counters move one writer at a time.
    """
    return (
        Story.objects.unchecked("a write lock")
        .select_for_update()
        .only("comments")
        .get(pk=story_id)
    )


def check_thread_open(parent: Comment) -> None:
    """A reply under `parent` is refused if the writer froze its thread."""
    frozen = parent.frozen if parent.depth == 0 else _thread_frozen(parent)
    if frozen:
        raise ValidationError(_("The writer has frozen this thread: no new replies."), "frozen")


def _thread_frozen(comment: Comment) -> bool:
    thread = Comment.objects.unchecked("the comment's own thread")
    return bool(
        thread.filter(pk=comment.thread_root_id or comment.pk)
        .values_list("frozen", flat=True)
        .first()
    )


# What follows a new comment, after commit (notifications register here): each hook gets the
# comment's id, runs isolated, and may not fail the commenter's post.
CommentHook = Callable[[int], object]
COMMENT_HOOKS: list[CommentHook] = []


def on_comment_added(hook: CommentHook) -> CommentHook:
    COMMENT_HOOKS.append(hook)
    return hook


def _run_comment_hook(hook: CommentHook, comment_id: int) -> None:
    try:
        hook(comment_id)
    except Exception:  # a notification failing must not fail the comment
        logger.exception("after-comment hook %r failed for comment %s", hook, comment_id)


@transaction.atomic
def do_add_comment(
    user: User | None,
    part: Part,
    body: str,
    parent: Comment | None = None,
    client_token: str = "",
    paragraph_id: str = "",
    guest_name: str = "",
) -> Comment:
    """Post a comment, a reply, or (with `paragraph_id`) a comment on one paragraph of the
    part's current text; `user` None with a `guest_name` for a guest, where the writer lets
    guests comment. A repeated `client_token` returns the first comment."""
    text = check_comment_body(body)
    if user is None:
        guest_name = check_guest_name(guest_name)
    else:
        guest_name = ""
    if not part.is_published:
        raise ValidationError(_("You can only comment on published parts."), code="draft")
    if client_token and user is not None:
        existing = Comment.objects.filter(user=user, client_token=client_token).first()
        if existing is not None:
            return existing
    check_comments_open(lock_story_for_comments(part.story_id), user)
    if client_token and user is None:
        # Guests have no unique constraint to lean on; the story's lock orders their posts.
        same = Comment.objects.filter(part=part, user=None, client_token=client_token)
        existing = same.filter(guest_name=guest_name).first()
        if existing is not None:
            return existing
    quote = ""
    if parent is not None:
        # Lock the parent so a concurrent delete cannot leave a reply under a removed comment.
        parent = Comment.objects.select_for_update().get(pk=parent.pk)
        if parent.part_id != part.pk or paragraph_id not in {"", parent.paragraph_id}:
            raise ValidationError(_("That reply does not belong to this part."), code="mismatch")
        if parent.is_deleted:
            raise ValidationError(_("That comment was deleted; you can't reply to it."), "deleted")
        if not parent.can_have_replies:
            raise ValidationError(_("This thread is too deep to reply to."), code="depth")
        check_thread_open(parent)
        paragraph_id = parent.paragraph_id  # a reply joins its thread's paragraph
    elif paragraph_id:
        # The text as it is now, read under the story's lock: an edit that removes the
        # paragraph either committed before (and we refuse) or waits for this comment.
        current = Part.objects.unchecked("the part being commented on").filter(pk=part.pk)
        quote = check_paragraph(current.values_list("body_html", flat=True).get(), paragraph_id)
    comment = Comment(
        part=part,
        user=user,
        guest_name=guest_name,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        body=text,
        body_html=render_comment_html(text),
        client_token=client_token,
        paragraph_id=paragraph_id,
        paragraph_quote=quote,
    )
    comment.thread_root_id = parent.thread_root_id if parent else None
    try:
        with transaction.atomic():
            comment.save()
    except IntegrityError:
        return Comment.objects.get(user=user, client_token=client_token)
    if parent is None:
        Comment.objects.filter(pk=comment.pk).update(thread_root=comment.pk)
        comment.thread_root_id = comment.pk
    move_counter(part, "comments_count", +1, paragraph_id=paragraph_id)
    for hook in COMMENT_HOOKS:
        transaction.on_commit(partial(_run_comment_hook, hook, comment.pk))
    return comment


@transaction.atomic
def do_edit_comment(comment: Comment, body: str) -> Comment:
    lock_story_for_comments(comment.part.story_id)
    comment.body = check_comment_body(body)
    comment.body_html = render_comment_html(comment.body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    story_changed(comment.part.story_id, StoryChange.COMMENT)
    return comment


@transaction.atomic
def do_delete_comment(comment: Comment) -> None:
    """Soft-delete: the thread keeps its shape, the text goes, the counters (the part's, the
    story's and its paragraph's) drop by one. A paragraph comment keeps its quote: its
    replies still answer something."""
    lock_story_for_comments(comment.part.story_id)
    updated = Comment.objects.filter(pk=comment.pk, is_deleted=False).update(
        is_deleted=True, body="", body_html=""
    )
    if updated:
        move_counter(comment.part, "comments_count", -1, paragraph_id=comment.paragraph_id)
