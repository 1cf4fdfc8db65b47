"""More like this: for each story, the stories most like it, computed in the background into
discover.SimilarStory (never on a request) from three signals:

- **tags**: the tags both carry (a synonym counts as its canonical tag), each weighted by how
  rare it is, so sharing a small fandom's pairing says more than sharing "Fluff";
- **readers**: of the story's recent readers, how many also read the other one (`Read` rows,
  signed-in or not), a reader counted once;
- **text**: how alike the two read (title, summary and opening through a small sentence
  embedding model, discover.embeddings), when the model package is installed.

Each signal is scaled to its best candidate, the three are weighed together, and a line keeps
the signal that weighed most as its reason. Candidates are public stories in the same language;
who may see each is decided again when the list is shown (`Story.objects.listed_for`), and a
reader's own stories, what they have read and what their filters hide are left out there."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from discover.models import SimilarityState, SimilarReason, SimilarStory, TagRank
from social.models import Read
from stories.changes import StoryChange, on_story_change, story_changed
from stories.models import Audience, Story, StoryQuerySet, StoryTag
from tags.models import Tag

WEIGHTS = {SimilarReason.TAGS: 0.5, SimilarReason.READERS: 0.3, SimilarReason.TEXT: 0.2}
KEPT = 24
SAME_WRITER_KEPT = 3
# A tag with more works than this offers its best-ranked works as candidates, not all of them
# (at a million works a big fandom holds a hundred thousand).
WIDE_TAG = 2000
WIDE_TAG_CANDIDATES = 200
# A background relationship says less about a story than a main one.
BACKGROUND_WEIGHT = 0.5
# How many recent reads to take the story's readers from, and the most readers kept.
READS_SAMPLED = 5000
READERS_SAMPLED = 500
# One reader in common is chance; two start to say something.
MIN_SHARED_READERS = 2
STALE_AFTER = timedelta(days=1)


def _public() -> StoryQuerySet:
    return Story.objects.visible_to_audience(Audience.MEMBER)


def tag_scores(story: Story) -> dict[int, float]:
    """Candidates sharing a tag, each scored by the share of the story's tag weight (rarity,
    log-scaled) that it carries too: 1.0 when it has every one of the story's tags."""
    own = {
        canonical or tag: (BACKGROUND_WEIGHT if background else 1.0)
        for tag, canonical, background in StoryTag.objects.filter(story=story).values_list(
            "tag_id", "tag__canonical_id", "background"
        )
    }
    if not own:
        return {}
    # Each of the story's tags with its synonyms, resolved once: the queries below then read
    # story tags by tag id alone, from its index.
    canonical_of = {
        tag: canonical or tag
        for tag, canonical in Tag.objects.filter(
            Q(pk__in=list(own)) | Q(canonical_id__in=list(own))
        ).values_list("pk", "canonical_id")
    }
    canonical_of = {tag: canonical for tag, canonical in canonical_of.items() if canonical in own}
    works_in: Counter[int] = Counter()
    uses = (
        StoryTag.objects.filter(tag_id__in=list(canonical_of))
        .values("tag_id")
        .annotate(uses=Count("pk"))
        .values_list("tag_id", "uses")
    )
    for tag, count in uses:
        works_in[canonical_of[tag]] += count
    public = _public()
    total = public.count() or 1
    weight = {
        tag: own[tag] * math.log(1 + total / works) for tag, works in works_in.items() if works
    }
    narrow = [tag for tag, canonical in canonical_of.items() if works_in[canonical] <= WIDE_TAG]
    wide = [tag for tag in weight if works_in[tag] > WIDE_TAG]
    same_language = public.filter(language=story.language)
    candidates: set[int] = set(
        StoryTag.objects.filter(tag_id__in=narrow, story__in=same_language).values_list(
            "story_id", flat=True
        )
    )
    for tag in wide:
        ranked = TagRank.objects.filter(tag_id=tag).order_by("rank")[:WIDE_TAG_CANDIDATES]
        ranked_ids = list(ranked.values_list("story_id", flat=True))
        if not ranked_ids:  # rankings not computed yet: the tag's latest works
            synonyms = [other for other, canonical in canonical_of.items() if canonical == tag]
            ranked_ids = list(
                StoryTag.objects.filter(tag_id__in=synonyms, story__in=same_language)
                .order_by("-story__updated_at")
                .values_list("story_id", flat=True)[:WIDE_TAG_CANDIDATES]
            )
        candidates.update(ranked_ids)
    candidates.discard(story.pk)
    if not candidates:
        return {}
    shared: dict[int, float] = defaultdict(float)
    rows = StoryTag.objects.filter(
        tag_id__in=list(canonical_of), story_id__in=candidates, story__in=same_language
    ).values_list("story_id", "tag_id")
    seen: set[tuple[int, int]] = set()
    for other, tag in rows.iterator(chunk_size=5000):
        canonical = canonical_of[tag]
        if (other, canonical) not in seen:  # a work tagged with two synonyms counts once
            seen.add((other, canonical))
            shared[other] += weight.get(canonical, 0.0)
    whole = sum(weight.values()) or 1.0
    return {other: score / whole for other, score in shared.items() if score > 0}


def reader_scores(story: Story) -> dict[int, float]:
    """Candidates read by at least MIN_SHARED_READERS of the story's recent readers, scored
    by the share of those readers who read them."""
    recent = (
        Read.objects.filter(part__story=story)
        .order_by("-counted_at")
        .values_list("reader_key", flat=True)[:READS_SAMPLED]
    )
    readers = list(dict.fromkeys(recent))[:READERS_SAMPLED]
    if len(readers) < MIN_SHARED_READERS:
        return {}
    rows = (
        Read.objects.filter(reader_key__in=readers)
        .exclude(part__story=story)
        .values("part__story_id")
        .annotate(readers=Count("reader_key", distinct=True))
        .filter(readers__gte=MIN_SHARED_READERS)
        .values_list("part__story_id", "readers")
    )
    counts = dict(rows)
    same_language = set(
        _public().filter(pk__in=list(counts), language=story.language).values_list("pk", flat=True)
    )
    return {other: n / len(readers) for other, n in counts.items() if other in same_language}


def text_scores(story: Story) -> dict[int, float]:
    from discover import embeddings

    return embeddings.nearest(story)


def _combined(signals: dict[SimilarReason, dict[int, float]]) -> list[tuple[int, float, str]]:
    """(story, score, reason), best first: each signal scaled to its best candidate."""
    total: dict[int, float] = defaultdict(float)
    strongest: dict[int, tuple[float, str]] = {}
    for reason, scores in signals.items():
        best = max(scores.values(), default=0.0)
        if best <= 0:
            continue
        for other, score in scores.items():
            part = WEIGHTS[reason] * score / best
            total[other] += part
            if other not in strongest or part > strongest[other][0]:
                strongest[other] = (part, reason.value)
    ranked = sorted(total.items(), key=lambda item: (-item[1], item[0]))
    return [(other, score, strongest[other][1]) for other, score in ranked]


def compute_similar(story_id: int, now: datetime | None = None) -> int:
    """Recompute one story's "more like this"; returns how many lines it kept."""
    now = now or timezone.now()
    story = _public().filter(pk=story_id).first()
    if story is None:  # a draft, or gone: nothing is shown for it
        SimilarStory.objects.filter(story_id=story_id).delete()
        SimilarityState.objects.filter(story_id=story_id).delete()
        return 0
    signals = {
        SimilarReason.TAGS: tag_scores(story),
        SimilarReason.READERS: reader_scores(story),
        SimilarReason.TEXT: text_scores(story),
    }
    ranked = _combined(signals)
    writers = dict(
        _public()
        .filter(pk__in=[other for other, _score, _reason in ranked[: KEPT * 3]])
        .values_list("pk", "author_id")
    )
    kept: list[SimilarStory] = []
    per_writer: Counter[int] = Counter()
    for other, score, reason in ranked:
        writer = writers.get(other)
        if writer is None or per_writer[writer] >= SAME_WRITER_KEPT:
            continue
        per_writer[writer] += 1
        kept.append(
            SimilarStory(
                story_id=story_id, similar_id=other, rank=len(kept) + 1, score=score, reason=reason
            )
        )
        if len(kept) == KEPT:
            break
    with transaction.atomic():
        before = list(
            SimilarStory.objects.filter(story_id=story_id)
            .order_by("rank")
            .values_list("similar_id", "reason")
        )
        SimilarStory.objects.filter(story_id=story_id).delete()
        SimilarStory.objects.bulk_create(kept)
        if before != [(line.similar_id, line.reason) for line in kept]:
            story_changed(story_id, StoryChange.SIMILAR)  # its pages show the new list
        SimilarityState.objects.update_or_create(
            story_id=story_id,
            defaults={
                "computed_at": now,
                "signals": ",".join(reason.value for reason, s in signals.items() if s),
            },
        )
    return len(kept)


def stale_stories(limit: int, now: datetime | None = None) -> list[int]:
    """Public stories whose list was never computed, then the stalest, at most `limit`."""
    now = now or timezone.now()
    never = list(
        _public()
        .exclude(pk__in=SimilarityState.objects.values("story_id"))
        .order_by("-updated_at")
        .values_list("pk", flat=True)[:limit]
    )
    if len(never) >= limit:
        return never
    stale = SimilarityState.objects.filter(computed_at__lt=now - STALE_AFTER).order_by(
        "computed_at"
    )
    return never + list(stale.values_list("story_id", flat=True)[: limit - len(never)])


RECOMPUTE_ON = {
    StoryChange.DETAILS,
    StoryChange.TEXT,
    StoryChange.PUBLISHED,
    StoryChange.UNPUBLISHED,
    StoryChange.PART_DELETED,
}


@on_story_change
def _recompute_after_change(story_id: int, why: StoryChange) -> None:
    if why in RECOMPUTE_ON:
        from discover.tasks import compute_similar_task

        compute_similar_task.enqueue(story_id)
