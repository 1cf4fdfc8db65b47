"""The denormalised counters: moved in the writing transaction, audited by recount.

`move_counter` is how votes and comments move a part's and its story's counter (the read job
moves reads in batches), and a paragraph comment its paragraph's count (`Part.paragraph_comments`,
pid -> live comments in the paragraph's threads); `find_drift` recomputes every counter from
its source rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q

from social.models import Comment, Read, Vote
from stories.changes import StoryChange, story_changed
from stories.models import Part, Story

COUNTERS = ("reads_count", "votes_count", "comments_count")


def move_counter(part: Part, field: str, delta: int, paragraph_id: str = "") -> None:
    """Move one counter on a part and its story, in the caller's transaction; with
    `paragraph_id` (comments only), that paragraph's count on the part too."""
    # The story row first, then the part: the lock order every write follows (see
    # stories.actions._lock_story). The page version moves in the same UPDATE as the counter.
    story_changed(part.story_id, _why(field), also_update={field: F(field) + delta})
    update: dict[str, object] = {field: F(field) + delta}
    if paragraph_id:
        # A JSON value has no portable atomic increment: read, change, write. Safe because
        # the story row above is locked until commit and every writer of a part's counters
        # takes it first, so no other transaction can move this dict in between. The read is
        # a new statement after the lock, so on PostgreSQL it sees the previous writer's commit.
        stored = (
            Part.objects.unchecked("a counter update, not a page")
            .filter(pk=part.pk)
            .values_list("paragraph_comments", flat=True)
            .get()
        )
        update["paragraph_comments"] = moved_paragraph_count(stored, paragraph_id, delta)
    Part.objects.filter(pk=part.pk).update(**update)


def moved_paragraph_count(counts: dict[str, int], paragraph_id: str, delta: int) -> dict[str, int]:
    """`counts` with one paragraph's count moved; paragraphs at zero are left out."""
    moved = dict(counts or {})
    value = moved.get(paragraph_id, 0) + delta
    if value > 0:
        moved[paragraph_id] = value
    else:
        moved.pop(paragraph_id, None)
    return moved


def _why(field: str) -> StoryChange:
    # A comment shows in the page's thread list, not only in its numbers.
    return StoryChange.COMMENT if field == "comments_count" else StoryChange.COUNTERS


@dataclass
class Drift:
    model: str
    pk: int
    field: str
    stored: int
    actual: int

    def __str__(self) -> str:
        return f"{self.model} {self.pk} {self.field}: stored {self.stored}, actual {self.actual}"


def _actual_part_counts() -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    sources = (
        ("reads_count", Read.objects.all()),
        ("votes_count", Vote.objects.all()),
        ("comments_count", Comment.objects.filter(is_deleted=False)),
    )
    for field, rows in sources:
        for part_id, n in rows.values_list("part_id").annotate(n=Count("id")).order_by():
            counts.setdefault(part_id, {})[field] = n
    return counts


def _actual_paragraph_counts() -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    live = Comment.objects.filter(~Q(paragraph_id=""), is_deleted=False)
    rows = live.values_list("part_id", "paragraph_id").annotate(n=Count("id")).order_by()
    for part_id, paragraph_id, n in rows:
        counts.setdefault(part_id, {})[paragraph_id] = n
    return counts


def _paragraph_drift(part: Part, actual: dict[str, int]) -> list[Drift]:
    stored = part.paragraph_comments or {}
    return [
        Drift("part", part.pk, f"paragraph_comments[{pid}]", stored.get(pid, 0), actual.get(pid, 0))
        for pid in sorted(stored.keys() | actual.keys())
        if stored.get(pid, 0) != actual.get(pid, 0)
    ]


# Counters kept by other apps (downloads, formats/counters.py) register their audit here from
# their app's ready(), so `find_drift` and `recount_counters` cover every counter at once.
CounterAudit = Callable[[bool], list[Drift]]
OTHER_AUDITS: list[CounterAudit] = []


def audits_counters(audit: CounterAudit) -> CounterAudit:
    """Register `audit(fix) -> drift` to run with every `find_drift`."""
    if audit not in OTHER_AUDITS:
        OTHER_AUDITS.append(audit)
    return audit


def find_drift(fix: bool = False) -> list[Drift]:
    """Compare stored counters with the source rows; with `fix`, correct them in place."""
    drift: list[Drift] = []
    with transaction.atomic():
        actual = _actual_part_counts()
        actual_paragraphs = _actual_paragraph_counts()
        story_totals: dict[int, dict[str, int]] = {}
        fixed_parts: dict[int, set[str]] = {}  # story id: the fields fixed on its parts
        fields = ("pk", "story_id", "paragraph_comments", *COUNTERS)
        for part in Part.objects.only(*fields).iterator():
            real = actual.get(part.pk, {})
            totals = story_totals.setdefault(part.story_id, dict.fromkeys(COUNTERS, 0))
            changed: dict[str, object] = {}
            for field in COUNTERS:
                value = real.get(field, 0)
                totals[field] += value
                if getattr(part, field) != value:
                    drift.append(Drift("part", part.pk, field, getattr(part, field), value))
                    changed[field] = value
            if paragraph_drift := _paragraph_drift(part, actual_paragraphs.get(part.pk, {})):
                drift += paragraph_drift
                changed["paragraph_comments"] = actual_paragraphs.get(part.pk, {})
            if fix and changed:
                Part.objects.filter(pk=part.pk).update(**changed)
                fixed_parts.setdefault(part.story_id, set()).update(changed)
        for story in Story.objects.only("pk", *COUNTERS).iterator():
            totals = story_totals.get(story.pk, dict.fromkeys(COUNTERS, 0))
            changed = {}
            for field in COUNTERS:
                if getattr(story, field) != totals[field]:
                    drift.append(
                        Drift("story", story.pk, field, getattr(story, field), totals[field])
                    )
                    changed[field] = totals[field]
            if fix and changed:
                Story.objects.filter(pk=story.pk).update(**changed)
            if fix and (changed or story.pk in fixed_parts):
                moved = changed.keys() | fixed_parts.get(story.pk, set())
                why = StoryChange.COUNTERS
                if moved & {"comments_count", "paragraph_comments"}:
                    why = StoryChange.COMMENT
                story_changed(story.pk, why)
    for audit in OTHER_AUDITS:
        drift += audit(fix)
    return drift
