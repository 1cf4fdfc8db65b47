"""Rankings, computed periodically into discover.StoryRanking and discover.TagRank (the
`compute_rankings` task), never on a request.

"Hot" is recent engagement: reads, votes and comments of the last 30 days, each counted with
the weight of how recent it is (the last day counts fully, older days less and less), a vote
worth four reads and a comment six. A story's rank in a tag is its place among that tag's hot
works (a canonical tag counts its synonyms' works); the story page shows its best one."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from discover.models import StoryRanking, TagRank
from social.models import Comment, Read, Vote
from stories.changes import StoryChange, stories_changed
from stories.models import StoryTag

# (days back, weight): the last day counts fully, the rest of the week less, the month least.
WINDOWS = [(1, 1.0), (3, 0.6), (7, 0.3), (30, 0.1)]
SOURCES = [(Read, "counted_at", 1.0, Q()), (Vote, "created_at", 4.0, Q())]
COMMENTS = (Comment, "created_at", 6.0, Q(is_deleted=False))
RANKS_PER_TAG = 100
# A rank is worth showing among at least this many ranked works.
MIN_WORKS_FOR_A_RANK = 3


def hot_scores(now: datetime) -> dict[int, float]:
    """Each story with engagement in the last 30 days, and its hot score: one grouped query
    per kind of engagement."""
    scores: dict[int, float] = defaultdict(float)
    for model, field, weight, condition in [*SOURCES, COMMENTS]:
        windows = {
            f"within_{days}": Count("pk", filter=Q(**{f"{field}__gte": now - timedelta(days)}))
            for days, _weight in WINDOWS
        }
        since = now - timedelta(days=WINDOWS[-1][0])
        rows = (
            model.objects.filter(condition, **{f"{field}__gte": since})  # type: ignore[attr-defined]
            .values("part__story_id")
            .annotate(**windows)
        )
        for row in rows:
            # Counts are cumulative (the last day is within the last 3 days): weigh the slices.
            previous = 0
            for days, window_weight in WINDOWS:
                count = row[f"within_{days}"]
                scores[row["part__story_id"]] += weight * window_weight * (count - previous)
                previous = count
    return dict(scores)


def tag_ranks(scores: dict[int, float]) -> dict[int, list[int]]:
    """For each tag (synonyms counted under their canonical tag), its hot works, best first,
    at most RANKS_PER_TAG of them."""
    works: dict[int, set[int]] = defaultdict(set)
    rows = StoryTag.objects.filter(story_id__in=list(scores)).values_list(
        "story_id", "tag_id", "tag__canonical_id"
    )
    for story_id, tag_id, canonical_id in rows.iterator(chunk_size=5000):
        works[canonical_id or tag_id].add(story_id)
    return {
        tag_id: sorted(stories, key=lambda pk: (-scores[pk], pk))[:RANKS_PER_TAG]
        for tag_id, stories in works.items()
    }


@transaction.atomic
def compute_rankings(now: datetime | None = None) -> int:
    """Recompute every ranking; the story pages whose shown rank moved are rebuilt."""
    now = now or timezone.now()
    scores = hot_scores(now)
    ranks = tag_ranks(scores)
    best: dict[int, tuple[int, int]] = {}  # story -> (rank, tag)
    rank_rows = []
    for tag_id, stories in ranks.items():
        for place, story_id in enumerate(stories, 1):
            rank_rows.append(TagRank(tag_id=tag_id, story_id=story_id, rank=place))
            if len(stories) >= MIN_WORKS_FOR_A_RANK and (
                story_id not in best or (place, tag_id) < best[story_id]
            ):
                best[story_id] = (place, tag_id)
    before = dict(
        (story_id, (rank, tag_id))
        for story_id, rank, tag_id in StoryRanking.objects.values_list(
            "story_id", "best_rank", "best_tag_id"
        )
    )
    StoryRanking.objects.all().delete()
    StoryRanking.objects.bulk_create(
        [
            StoryRanking(
                story_id=story_id,
                hot=score,
                best_rank=best.get(story_id, (None, None))[0],
                best_tag_id=best.get(story_id, (None, None))[1],
                computed_at=now,
            )
            for story_id, score in scores.items()
        ],
        batch_size=2000,
    )
    TagRank.objects.all().delete()
    TagRank.objects.bulk_create(rank_rows, batch_size=2000)
    moved = {
        story_id
        for story_id in set(before) | set(best)
        if before.get(story_id, (None, None)) != best.get(story_id, (None, None))
    }
    stories_changed(moved, StoryChange.RANK)
    return len(scores)
