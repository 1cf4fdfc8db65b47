"""Recompute every denormalised counter from its source rows, and report drift."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from social.models import Comment, Read, Vote
from stories.models import Part, Story

COUNTERS = ("reads_count", "votes_count", "comments_count")


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


def find_drift(fix: bool = False) -> list[Drift]:
    """Compare stored counters with the source rows; with `fix`, correct them in place."""
    drift: list[Drift] = []
    with transaction.atomic():
        actual = _actual_part_counts()
        story_totals: dict[int, dict[str, int]] = {}
        for part in Part.objects.only("pk", "story_id", *COUNTERS).iterator():
            real = actual.get(part.pk, {})
            totals = story_totals.setdefault(part.story_id, dict.fromkeys(COUNTERS, 0))
            changed = {}
            for field in COUNTERS:
                value = real.get(field, 0)
                totals[field] += value
                if getattr(part, field) != value:
                    drift.append(Drift("part", part.pk, field, getattr(part, field), value))
                    changed[field] = value
            if fix and changed:
                Part.objects.filter(pk=part.pk).update(**changed)
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
    return drift
