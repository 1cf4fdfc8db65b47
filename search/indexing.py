"""Keeping the search index in step with the stories, and searching it.

Every change that moves what a story is found by (its details, a published part's text, a
part published, unpublished, moved or deleted) reindexes the story through the task queue
after the change commits. `manage.py rebuild_search_index` rebuilds the lot."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, FloatField, Func, Value
from django.db.models.expressions import RawSQL
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from search.backends import backend, config_for
from search.models import MAX_INDEXED_BODY, SearchDocument
from search.query import SearchText
from stories.changes import StoryChange, on_story_change
from stories.models import Part, Story, StoryQuerySet
from talehouse.lib.sanitize import html_to_text


@on_story_change
def _reindex_after_change(story_id: int, why: StoryChange) -> None:
    if why.moves_text:
        from search.tasks import index_story_task

        index_story_task.enqueue(story_id)
    # A deleted story takes its document with it (a cascade, seen by the receiver below).


@receiver(pre_delete, sender=SearchDocument)
def _forget_deleted_document(sender: Any, instance: SearchDocument, **kwargs: Any) -> None:
    backend().removed(instance)


def _text_of(story: Story) -> str:
    """The published parts' text, in reading order, cut to MAX_INDEXED_BODY characters."""
    texts, length = [], 0
    parts = Part.objects.unchecked("indexing a public story's published parts").published()
    for html in parts.filter(story=story).order_by("position").values_list("body_html", flat=True):
        text = html_to_text(html)
        texts.append(text)
        length += len(text) + 2
        if length >= MAX_INDEXED_BODY:
            break
    return "\n\n".join(texts)[:MAX_INDEXED_BODY]


def _tags_of(story: Story) -> str:
    """Tag names, with each synonym's canonical name: searching for either finds the work."""
    names: list[str] = []
    for tag in story.story_tags.select_related("tag__canonical"):
        names.append(tag.tag.name)
        if tag.tag.canonical is not None:
            names.append(tag.tag.canonical.name)
    return ", ".join(dict.fromkeys(names))


@transaction.atomic
def index_story(story_id: int) -> bool:
    """Write the story's search document (True), or drop it if the story is gone or has no
    published part (False). Who may see a found story is decided when searching."""
    story = Story.objects.unchecked("indexing by id").filter(pk=story_id).first()
    old = SearchDocument.objects.select_for_update().filter(story_id=story_id).first()
    if story is None or not story.published_parts_count:
        if old is not None:
            old.delete()
        return False
    document = SearchDocument(
        story=story,
        config=config_for(story.language),
        title=story.title,
        summary=story.summary,
        tags=_tags_of(story),
        body=_text_of(story),
    )
    document.save()
    backend().written(document, old)
    return True


def rebuild_index() -> int:
    """Index every story with a published part and drop documents of the others."""
    stale = SearchDocument.objects.exclude(
        story__in=Story.objects.unchecked("rebuilding the index").public()
    )
    for document in stale.iterator():
        with transaction.atomic():
            document.delete()
    public = Story.objects.unchecked("rebuilding the index").public()
    count = 0
    for story_id in public.values_list("pk", flat=True).iterator():
        count += index_story(story_id)
    return count


# Sorted by best match, a search keeps its best this many matches: ranking is computed for them
# alone (ranking every match of a common word took 90 s at 100,000 works, bench/archive.py).
BEST_MATCHES = 1000


def search(stories: StoryQuerySet, query: SearchText, by_relevance: bool) -> StoryQuerySet:
    """The stories among `stories` that match. By relevance: the BEST_MATCHES best, each with
    its `search_rank` (higher first); otherwise every match, for the listing's own sort."""
    if by_relevance:
        best = backend().best(query, BEST_MATCHES)
        if not best:
            return stories.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
        # One CASE written as SQL text: as a tree of a thousand When() expressions, Django
        # took longer to compile it (three times a page) than the database to run it. The
        # numbers are ours (ids and scores, made int and float), never a reader's text.
        cases = " ".join(f"WHEN {int(pk)} THEN {float(score)!r}" for pk, score in best)
        rank = Func(
            F("pk"),
            template=f"CASE %(expressions)s {cases} ELSE 0.0 END",
            output_field=FloatField(),
        )
        return stories.filter(pk__in=[pk for pk, _score in best]).annotate(search_rank=rank)
    matches, params = backend().matches(query)
    # Fixed SQL from search/backends.py; the reader's words only ever travel as parameters.
    return stories.filter(pk__in=RawSQL(matches, params))  # type: ignore[arg-type]  # noqa: S611


def snippets(query: SearchText, story_ids: list[int]) -> dict[int, str]:
    return backend().snippets(query, story_ids)
