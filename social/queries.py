"""Read-side queries for comments: a page of threads in one query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Subquery

from accounts.models import User, Viewer
from social.actions.comments import may_delete_comment, may_edit_comment, may_freeze_thread
from social.models import Comment
from stories.models import Part
from stories.paragraphs import PID
from talehouse.lib.paging import Page, page_number

COMMENT_THREADS_PER_PAGE = 20
MAX_COMMENT_PAGE = 100_000
COMMENT_FIELDS = (
    "id",
    "part_id",
    "parent_id",
    "thread_root_id",
    "depth",
    "body_html",
    "is_deleted",
    "paragraph_id",
    "paragraph_quote",
    "frozen",
    "created_at",
    "edited_at",
    "user__id",
    "user__username",
    "user__profile__id",
    "user__profile__display_name",
)


def comment_page_number(raw: object) -> int:
    """The ?comments= page asked for, within sane bounds (beyond any real thread count)."""
    return page_number(raw, MAX_COMMENT_PAGE)


def thread_roots(viewer: Viewer, part: Part, number: int, paragraph_id: str = "") -> Subquery:
    """The top-level comments of page `number`, plus one to tell whether a next page exists;
    with `paragraph_id`, only the threads about that paragraph."""
    offset = (number - 1) * COMMENT_THREADS_PER_PAGE
    roots = Comment.objects.visible_to(viewer).filter(part=part, depth=0)
    if paragraph_id:
        roots = roots.filter(paragraph_id=paragraph_id)
    page = roots.order_by("created_at", "id").values("pk")
    return Subquery(page[offset : offset + COMMENT_THREADS_PER_PAGE + 1])


@dataclass
class CommentNode:
    comment: Comment
    replies: list[CommentNode]
    # What the reader of a personal page may do (see mark_permissions); a shared page has none.
    may_edit: bool = False
    may_delete: bool = False
    may_freeze: bool = False
    # The thread's top-level comment is frozen: no Reply anywhere in it.
    thread_frozen: bool = False
    # A paragraph comment whose paragraph is no longer in the part's text (it was edited or
    # removed): shown with its quote, "on an earlier version of this part".
    on_earlier_version: bool = False


def comment_threads(
    viewer: Viewer, part: Part, page_number: object, paragraph_id: str = ""
) -> tuple[Page[CommentNode], list[CommentNode]]:
    """A page of top-level comments with every reply beneath them, in one query (with
    `paragraph_id`, the threads about that paragraph).

    One extra thread is fetched to learn whether a next page exists, so no COUNT is needed.
    """
    number = comment_page_number(page_number)
    roots = thread_roots(viewer, part, number, paragraph_id)
    comments = list(
        # The roots went through visible_to; their threads are on the same part.
        Comment.objects.filter(thread_root__in=roots)
        .unchecked("threads of visible roots")
        .select_related("user__profile")
        # Only what the thread shows: users and profiles have many more columns.
        .only(*COMMENT_FIELDS)
        .order_by("depth", "created_at", "id")
    )
    nodes = {c.pk: CommentNode(c, []) for c in comments}
    threads = []
    # Ids, not texts: a quick scan, run only when a thread on this page is about a paragraph.
    current: set[str] | None = None
    for c in comments:  # by depth: a parent comes before its replies
        node = nodes[c.pk]
        if c.depth == 0:
            threads.append(node)
            node.thread_frozen = c.frozen
            if c.paragraph_id:
                current = current if current is not None else paragraph_ids(part.body_html)
                node.on_earlier_version = c.paragraph_id not in current
        elif c.parent_id in nodes:
            nodes[c.parent_id].replies.append(node)
            node.thread_frozen = nodes[c.parent_id].thread_frozen
    shown = threads[:COMMENT_THREADS_PER_PAGE]
    return Page(number, shown, has_next=len(threads) > COMMENT_THREADS_PER_PAGE), shown


def paragraph_ids(body_html: str) -> set[str]:
    return {match["pid"] for match in PID.finditer(body_html)}


def mark_permissions(threads: list[CommentNode], viewer: Viewer, story_author_id: int) -> None:
    """Set what `viewer` may do to each comment, for a page rendered for them alone."""
    for node in threads:
        node.may_edit = may_edit_comment(viewer, node.comment)
        node.may_delete = may_delete_comment(viewer, node.comment, story_author_id)
        node.may_freeze = may_freeze_thread(viewer, node.comment, story_author_id)
        mark_permissions(node.replies, viewer, story_author_id)


def own_comments_on_page(viewer: User, part: Part, number: int) -> list[CommentNode]:
    """The reader's own live comments among page `number`'s threads, with what they may do:
    the controls the per-reader fragment adds to the shared page. One query."""
    comments = (
        Comment.objects.visible_to(viewer)
        .filter(part=part, user=viewer, is_deleted=False)
        .filter(thread_root__in=thread_roots(viewer, part, number))
        .only("id", "part_id", "user_id", "depth", "is_deleted")
        .annotate(thread_frozen=F("thread_root__frozen"))
    )
    nodes = [CommentNode(c, [], thread_frozen=c.thread_frozen) for c in comments]  # type: ignore[attr-defined]
    mark_permissions(nodes, viewer, part.story.author_id)
    return nodes
