"""Background jobs of the social app: applying queued reads in batches.

Run by the task worker (social/tasks.py; talehouse/schedule.py says when); never on a
request's path.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F

from social.models import PendingRead, Read
from stories.changes import StoryChange, story_changed
from stories.models import Audience, Part


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
    # Which parts each kind of reader may read, through the one visibility filter: a draft, a
    # deleted part, a made-up id or (for anonymous readers) a sign-in-only story never counts.
    readable = {
        part_id: (story_id, author_id)
        for part_id, story_id, author_id in Part.objects.visible_to_audience(Audience.MEMBER)
        .filter(pk__in={r.part_id for r in batch})
        .values_list("pk", "story_id", "story__author_id")
    }
    readable_anonymously = set(
        Part.objects.visible_to_audience(Audience.ANONYMOUS)
        .filter(pk__in=readable.keys())
        .values_list("pk", flat=True)
    )
    keys = {r.reader_key for r in batch}
    earliest = min(r.created_at for r in batch) - window
    last_read: dict[tuple[int, str], datetime] = {}
    for part_id, key, at in Read.objects.filter(
        part_id__in=readable.keys(), reader_key__in=keys, counted_at__gte=earliest
    ).values_list("part_id", "reader_key", "counted_at"):
        if (part_id, key) not in last_read or at > last_read[(part_id, key)]:
            last_read[(part_id, key)] = at
    # Anonymous reads already counted per (part, address) in the window: visitor cookies are
    # the reader's to choose, so one address can add at most a few reads to a part a day.
    addresses = {r.address_key for r in batch if r.user_id is None and r.address_key}
    per_address: dict[tuple[int, str], int] = defaultdict(int)
    for part_id, address, n in (
        Read.objects.filter(
            part_id__in=readable.keys(),
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
    stories_of: dict[int, int] = {}
    for pending in batch:
        if pending.part_id not in readable:
            continue  # a draft, a deleted part, a made-up id
        if pending.user_id is None and pending.part_id not in readable_anonymously:
            continue  # sign-in-only stories cannot be read anonymously
        story_id, author_id = readable[pending.part_id]
        if pending.user_id is not None and pending.user_id == author_id:
            continue  # the author's own views never count
        part_id = pending.part_id
        previous = last_read.get((part_id, pending.reader_key))
        if previous is not None and pending.created_at - previous < window:
            continue
        anonymous_address = pending.address_key if pending.user_id is None else ""
        if anonymous_address:
            if per_address[(part_id, anonymous_address)] >= address_cap:
                continue  # this address has added its share of anonymous reads today
            per_address[(part_id, anonymous_address)] += 1
        last_read[(part_id, pending.reader_key)] = pending.created_at
        new_reads.append(
            Read(
                part_id=part_id,
                reader_key=pending.reader_key,
                user_id=pending.user_id,
                address_key=pending.address_key,
                counted_at=pending.created_at,
            )
        )
        per_part[part_id] += 1
        stories_of[part_id] = story_id
    Read.objects.bulk_create(new_reads)
    per_story: dict[int, int] = defaultdict(int)
    for part_id, n in per_part.items():
        per_story[stories_of[part_id]] += n
    # Stories before parts, in id order: the lock order every write follows.
    for story_id, n in sorted(per_story.items()):
        story_changed(
            story_id, StoryChange.COUNTERS, also_update={"reads_count": F("reads_count") + n}
        )
    for part_id, n in sorted(per_part.items()):
        Part.objects.filter(pk=part_id).update(reads_count=F("reads_count") + n)
    return len(new_reads)
