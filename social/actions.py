"""Votes, comments and reads: every write that moves a counter lives here."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.http import Http404
from django.utils import timezone
from django.utils.html import linebreaks, urlize
from django.utils.translation import gettext as _

from social.models import Comment, PendingRead, Read, Vote
from stories.models import Part, PartStatus, Story
from stories.pagecache import bump_story_version, version_bump

# --- votes -------------------------------------------------------------------------------


def _bump(part: Part, field: str, delta: int) -> None:
    """Move one counter on a part and its story, in the caller's transaction."""
    Part.objects.filter(pk=part.pk).update(**{field: F(field) + delta})
    # The page version moves with the counter, so cached anonymous pages show exact numbers.
    Story.objects.filter(pk=part.story_id).update(**{field: F(field) + delta}, **version_bump())


@transaction.atomic
def do_set_vote(user: Any, part: Part, voted: bool) -> bool:
    """Make the reader's vote on `part` be `voted`; idempotent, so a double post is harmless."""
    if not part.is_published:
        raise ValidationError(_("You can only vote on published parts."), code="draft")
    if voted:
        try:
            with transaction.atomic():
                Vote.objects.create(user=user, part=part)
        except IntegrityError:
            return True  # already voted: the unique constraint keeps it one vote
        _bump(part, "votes_count", +1)
        return True
    deleted, _detail = Vote.objects.filter(user=user, part=part).delete()
    if deleted:
        _bump(part, "votes_count", -1)
    return False


def has_voted(user: Any, part: Part) -> bool:
    return bool(user.is_authenticated and Vote.objects.filter(user=user, part=part).exists())


# --- comments ----------------------------------------------------------------------------


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
    if len(text) > 10000:
        raise ValidationError(_("Comments can be at most 10,000 characters."), code="too_long")
    return text


def access_comment_for_edit(user: Any, comment_id: int) -> Comment:
    comment = _visible_comment(user, comment_id)
    if comment.user_id != user.pk:
        raise PermissionDenied(_("You can only edit your own comments."))
    return comment


def access_comment_for_delete(user: Any, comment_id: int) -> Comment:
    """The commenter and the story's author may delete a comment."""
    comment = _visible_comment(user, comment_id)
    if comment.user_id != user.pk and comment.part.story.author_id != user.pk:
        raise PermissionDenied(_("You cannot delete this comment."))
    return comment


def _visible_comment(user: Any, comment_id: int) -> Comment:
    visible_parts = Part.objects.visible_to(user).published()
    try:
        return Comment.objects.select_related("part__story").get(
            pk=comment_id, part__in=visible_parts, is_deleted=False
        )
    except Comment.DoesNotExist:
        raise Http404(_("No such comment.")) from None


@transaction.atomic
def do_add_comment(
    user: Any, part: Part, body: str, parent: Comment | None = None, client_token: str = ""
) -> Comment:
    """Post a comment or a reply. A repeated `client_token` returns the first comment."""
    text = check_comment_body(body)
    if not part.is_published:
        raise ValidationError(_("You can only comment on published parts."), code="draft")
    if client_token:
        existing = Comment.objects.filter(user=user, client_token=client_token).first()
        if existing is not None:
            return existing
    if parent is not None:
        # Lock the parent so a concurrent delete cannot leave a reply under a removed comment.
        parent = Comment.objects.select_for_update().get(pk=parent.pk)
        if parent.part_id != part.pk:
            raise ValidationError(_("That reply does not belong to this part."), code="mismatch")
        if parent.is_deleted:
            raise ValidationError(_("That comment was deleted; you can't reply to it."), "deleted")
        if not parent.can_have_replies:
            raise ValidationError(_("This thread is too deep to reply to."), code="depth")
    comment = Comment(
        part=part,
        user=user,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        body=text,
        body_html=render_comment_html(text),
        client_token=client_token,
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
    _bump(part, "comments_count", +1)
    return comment


@transaction.atomic
def do_edit_comment(comment: Comment, body: str) -> Comment:
    comment.body = check_comment_body(body)
    comment.body_html = render_comment_html(comment.body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    bump_story_version(comment.part.story_id)
    return comment


@transaction.atomic
def do_delete_comment(comment: Comment) -> None:
    """Soft-delete: the thread keeps its shape, the text goes, the counter drops by one."""
    updated = Comment.objects.filter(pk=comment.pk, is_deleted=False).update(
        is_deleted=True, body="", body_html=""
    )
    if updated:
        _bump(comment.part, "comments_count", -1)


# --- reads -------------------------------------------------------------------------------

BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|scrap|fetch|curl|wget|python-|httpx|aiohttp|java/|go-http|"
    r"libwww|okhttp|axios|node-fetch|headlesschrome|phantomjs|lighthouse|preview|monitor",
    re.IGNORECASE,
)
VISITOR_COOKIE = "th_visitor"
_VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def is_bot(user_agent: str) -> bool:
    return not user_agent or bool(BOT_USER_AGENT.search(user_agent))


def reader_key_for(user: Any, visitor_cookie: str, ip: str, user_agent: str) -> str:
    """Who is reading: the account, else the first-party visitor cookie, else IP + user agent."""
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    if visitor_cookie and _VISITOR_ID.match(visitor_cookie):
        return f"v:{visitor_cookie}"
    digest = hashlib.sha256(f"{settings.SECRET_KEY}|{ip}|{user_agent}".encode()).hexdigest()
    return f"h:{digest[:40]}"


def address_key_for(ip: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}|address|{ip}".encode()).hexdigest()[:40]


def do_queue_read(
    part_id: int, reader_key: str, user_id: int | None, address_key: str = ""
) -> None:
    """The beacon's only write: one row in the queue table, nothing on the story tables."""
    PendingRead.objects.create(
        part_id=part_id,
        reader_key=reader_key,
        user_id=user_id,
        address_key=address_key,
        created_at=timezone.now(),
    )


def _lock_read_flush() -> None:
    # Two workers applying batches at once could both count the same reader; serialise them.
    # SQLite's IMMEDIATE transactions already hold the one write lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7420001)")


def flush_pending_reads(batch_size: int = 5000) -> int:
    """Apply queued reads in batches; returns how many reads were counted.

    Each batch is one transaction: the queue rows are deleted in the same transaction that
    counts them, so a crash loses nothing and counts nothing twice.
    """
    counted = 0
    while True:
        with transaction.atomic():
            _lock_read_flush()
            batch = list(PendingRead.objects.order_by("id")[:batch_size])
            if not batch:
                return counted
            counted += _apply_reads(batch)
            PendingRead.objects.filter(id__in=[p.id for p in batch]).delete()
        if len(batch) < batch_size:
            return counted


def _apply_reads(batch: list[PendingRead]) -> int:
    window = timedelta(hours=settings.TALEHOUSE_READ_WINDOW_HOURS)
    parts = {
        p.pk: p
        for p in Part.objects.filter(
            pk__in={r.part_id for r in batch}, status=PartStatus.PUBLISHED
        ).select_related("story")
    }
    keys = {r.reader_key for r in batch}
    earliest = min(r.created_at for r in batch) - window
    last_read: dict[tuple[int, str], datetime] = {}
    for part_id, key, at in Read.objects.filter(
        part_id__in=parts.keys(), reader_key__in=keys, counted_at__gte=earliest
    ).values_list("part_id", "reader_key", "counted_at"):
        if (part_id, key) not in last_read or at > last_read[(part_id, key)]:
            last_read[(part_id, key)] = at
    # Anonymous reads already counted per (part, address) in the window: visitor cookies are
    # the reader's to choose, so one address can add at most a few reads to a part a day.
    addresses = {r.address_key for r in batch if r.user_id is None and r.address_key}
    per_address: dict[tuple[int, str], int] = defaultdict(int)
    for part_id, address, n in (
        Read.objects.filter(
            part_id__in=parts.keys(),
            address_key__in=addresses,
            user__isnull=True,
            counted_at__gte=earliest,
        )
        .values_list("part_id", "address_key")
        .annotate(n=Count("id"))
        .order_by()
    ):
        per_address[(part_id, address)] = n
    address_cap = settings.TALEHOUSE_ANONYMOUS_READS_PER_ADDRESS

    new_reads: list[Read] = []
    per_part: dict[int, int] = defaultdict(int)
    for pending in batch:
        part = parts.get(pending.part_id)
        if part is None or not part.story.is_public:
            continue  # a draft, a deleted part or a made-up id
        if part.story.restricted and pending.user_id is None:
            continue  # sign-in-only stories cannot be read anonymously
        if pending.user_id is not None and pending.user_id == part.story.author_id:
            continue  # the author's own views never count
        previous = last_read.get((part.pk, pending.reader_key))
        if previous is not None and pending.created_at - previous < window:
            continue
        anonymous_address = pending.address_key if pending.user_id is None else ""
        if anonymous_address:
            if per_address[(part.pk, anonymous_address)] >= address_cap:
                continue  # this address has added its share of anonymous reads today
            per_address[(part.pk, anonymous_address)] += 1
        last_read[(part.pk, pending.reader_key)] = pending.created_at
        new_reads.append(
            Read(
                part_id=part.pk,
                reader_key=pending.reader_key,
                user_id=pending.user_id,
                address_key=pending.address_key,
                counted_at=pending.created_at,
            )
        )
        per_part[part.pk] += 1
    Read.objects.bulk_create(new_reads)
    per_story: dict[int, int] = defaultdict(int)
    for part_id, n in per_part.items():
        Part.objects.filter(pk=part_id).update(reads_count=F("reads_count") + n)
        per_story[parts[part_id].story_id] += n
    for story_id, n in per_story.items():
        Story.objects.filter(pk=story_id).update(reads_count=F("reads_count") + n, **version_bump())
    return len(new_reads)
