"""Whole-page cache for anonymous readers of story and part pages.

Anonymous pages carry nothing per reader (reader settings live in the browser, votes and
comment forms are for signed-in readers), so one rendering serves everyone. Each entry is
stored under two versions kept in the database and incremented in the same transaction as the
change they track:

- the story's `page_version`: anything its own pages show (text, parts, tags, counters);
- the site's `ListingVersion`: any story joining, leaving or changing in public listings,
  since a page also shows other stories ("discover more").

A hit reads both with one indexed query, so the cache is coherent across processes whatever
the cache backend: an unpublished part or a hidden story is gone at once, and a page's own
numbers are the database's. Other stories' counts in "discover more" may lag by PAGE_TTL.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Subquery
from django.http import HttpRequest, HttpResponse

from stories.models import ListingVersion, Part, Story

PAGE_TTL = 60
LISTING_ROW = 1


def version_bump() -> dict[str, Any]:
    """Update arguments that move a story's page_version: add them to an UPDATE of the story
    that already changes what its pages show (a counter), saving a second query."""
    return {"page_version": F("page_version") + 1}


def bump_story_version(story_id: int) -> None:
    """Call inside the transaction that changes what a story's own pages show."""
    Story.objects.filter(pk=story_id).update(**version_bump())


def bump_listing_version() -> None:
    """Call inside the transaction that changes a story's place or card in public listings."""
    updated = ListingVersion.objects.filter(pk=LISTING_ROW).update(value=F("value") + 1)
    if not updated:
        ListingVersion.objects.get_or_create(pk=LISTING_ROW, defaults={"value": 1})


def listing_version_subquery() -> Subquery:
    """Annotate it onto the query that loads a page's story, so both are read together."""
    return Subquery(ListingVersion.objects.filter(pk=LISTING_ROW).values("value")[:1])


def is_cacheable(request: HttpRequest) -> bool:
    # Only plain anonymous GETs; a session (flash messages) makes a page personal.
    return (
        settings.TALEHOUSE_PAGE_CACHE
        and request.method in {"GET", "HEAD"}
        and not request.user.is_authenticated
        and not request.session.session_key
        and set(request.GET) <= {"comments"}
    )


Versions = tuple[int, int | None]  # (the story's page_version, the ListingVersion)


def _page_key(kind: str, pk: int, slug: str, versions: Versions, request: HttpRequest) -> str:
    page, listing = versions
    return f"page:{kind}:{pk}:{slug}:{page}:{listing or 0}:{request.GET.get('comments', '')}"


def _current_versions(kind: str, pk: int) -> Versions | None:
    listing = listing_version_subquery()
    if kind == "part":
        row = Part.objects.filter(pk=pk).values_list("story__page_version", listing).first()
    else:
        row = Story.objects.filter(pk=pk).values_list("page_version", listing).first()
    return (row[0], row[1]) if row else None


def get_page(kind: str, pk: int, slug: str, request: HttpRequest) -> HttpResponse | None:
    versions = _current_versions(kind, pk)
    if versions is None:
        return None
    body = cache.get(_page_key(kind, pk, slug, versions, request))
    if body is None:
        return None
    response = HttpResponse(body)
    response["X-Talehouse-Cache"] = "hit"
    return response


def store_page(
    kind: str, pk: int, slug: str, versions: Versions, request: HttpRequest, body: bytes
) -> None:
    """`versions` must be the ones read together with the rows the page was rendered from."""
    cache.set(_page_key(kind, pk, slug, versions, request), body, PAGE_TTL)
