"""What a writer does about the comments on their own work: close a story's comments, freeze
a thread. (Deleting any comment on their work is `comments.do_delete_comment`, allowed by
`comments.may_delete_comment`.)"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from social.actions.comments import lock_story_for_comments, may_freeze_thread
from social.models import Comment
from stories.changes import StoryChange, story_changed
from stories.models import CommentPolicy, Story


def check_comment_policy(raw: str) -> CommentPolicy:
    try:
        return CommentPolicy(raw)
    except ValueError:
        raise ValidationError(_("Choose who may comment."), code="invalid") from None


def access_thread_for_moderation(user: User, comment_id: int) -> Comment:
    """A top-level comment on a part of `user`'s own story: 404 if they cannot see it, 403
    if it is someone else's story (or a reply: only whole threads are frozen)."""
    try:
        comment = (
            Comment.objects.visible_to(user)
            .select_related("part__story")
            .get(pk=comment_id, is_deleted=False)
        )
    except Comment.DoesNotExist:
        raise Http404(_("No such comment.")) from None
    if not may_freeze_thread(user, comment, comment.part.story.author_id):
        raise PermissionDenied(_("Only the story's writer can freeze its threads."))
    return comment


@transaction.atomic
def do_freeze_thread(comment: Comment, frozen: bool) -> None:
    """Freeze (no new replies) or unfreeze a top-level thread; its comments stay as they are."""
    # The story row first, like every comment write: a reply being posted now either lands
    # before the freeze or sees it (social.actions.comments.check_thread_open).
    lock_story_for_comments(comment.part.story_id)
    updated = Comment.objects.filter(pk=comment.pk, depth=0).exclude(frozen=frozen)
    if updated.update(frozen=frozen):
        story_changed(comment.part.story_id, StoryChange.COMMENT)  # the thread shows it
    comment.frozen = frozen


@transaction.atomic
def do_set_comment_policy(story: Story, policy: CommentPolicy) -> None:
    """Open or close a story's comments. Closed: no new comments or replies anywhere in it;
    what was written stays. Call with a story from `access_story_for_edit`."""
    lock_story_for_comments(story.pk)
    if (
        Story.objects.unchecked("the writer's own story")
        .filter(pk=story.pk)
        .exclude(comments=policy)
        .update(comments=policy)
    ):
        # Every part page shows (or stops showing) the comment form and reply links.
        story_changed(story.pk, StoryChange.COMMENT)
    story.comments = policy
