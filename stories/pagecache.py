"""Whole-page cache for anonymous readers of story and part pages.

Anonymous pages carry nothing per reader (reader settings live in the browser, votes and
comment forms are for signed-in readers), so one rendering serves everyone. Each entry is
stored under the story's `page_version`, a column that every change to the story, its parts or
its counters increments in the same transaction as the change. A hit first reads the current
version with one indexed query, so the cache is exact and coherent across processes whatever
the cache backend: an unpublished part or a hidden story is gone at once, and the numbers on a
cached page are the numbers in the database.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest, HttpResponse

from stories.models import Part, Story

PAGE_TTL = 60 * 60


def bump_story_version(story_id: int) -> None:
    """Call inside the transaction that changes what a story's pages show."""
    Story.objects.filter(pk=story_id).update(page_version=F("page_version") + 1)


def is_cacheable(request: HttpRequest) -> bool:
    # Only plain anonymous GETs; a session (flash messages) makes a page personal.
    return (
        settings.TALEHOUSE_PAGE_CACHE
        and request.method == "GET"
        and not request.user.is_authenticated
        and not request.session.session_key
        and set(request.GET) <= {"comments"}
    )


def _page_key(kind: str, pk: int, slug: str, version: int, request: HttpRequest) -> str:
    return f"page:{kind}:{pk}:{slug}:{version}:{request.GET.get('comments', '')}"


def _current_version(kind: str, pk: int) -> int | None:
    if kind == "part":
        versions = Part.objects.filter(pk=pk).values_list("story__page_version", flat=True)
        return next(iter(versions), None)
    return next(iter(Story.objects.filter(pk=pk).values_list("page_version", flat=True)), None)


def get_page(kind: str, pk: int, slug: str, request: HttpRequest) -> HttpResponse | None:
    version = _current_version(kind, pk)
    if version is None:
        return None
    body = cache.get(_page_key(kind, pk, slug, version, request))
    if body is None:
        return None
    response = HttpResponse(body)
    response["X-Talehouse-Cache"] = "hit"
    return response


def store_page(
    kind: str, pk: int, slug: str, version: int, request: HttpRequest, body: bytes
) -> None:
    """`version` must be the one read together with the rows the page was rendered from."""
    cache.set(_page_key(kind, pk, slug, version, request), body, PAGE_TTL)
