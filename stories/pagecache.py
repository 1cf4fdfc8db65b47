"""Whole-page cache for anonymous readers of story and part pages.

Anonymous pages carry nothing per reader (reader settings live in the browser, votes and
comment forms are for signed-in readers), so one rendering serves everyone. An entry is valid
while the story's version is unchanged; every action that changes what a page shows bumps
that version, so an unpublished part or a hidden story disappears at once. Counters may lag by
at most PAGE_TTL seconds; the database stays exact.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

PAGE_TTL = 60
VERSION_TTL = 60 * 60 * 24 * 30


def _version_key(story_id: int) -> str:
    return f"story-version:{story_id}"


def bump_story_version(story_id: int) -> None:
    """Invalidate every cached page of a story (its page, its parts, the entire-story view)."""
    try:
        cache.incr(_version_key(story_id))
    except ValueError:
        cache.set(_version_key(story_id), 1, VERSION_TTL)


def story_version(story_id: int) -> int:
    """Read before rendering: a bump during the render then makes the stored page stale."""
    return int(cache.get(_version_key(story_id), 0))


def bump_on_commit(story_id: int) -> None:
    """Invalidate now and again at commit: a page rendered from the old rows while the
    transaction was open would otherwise be stored under the new version."""
    bump_story_version(story_id)
    transaction.on_commit(lambda: bump_story_version(story_id))


def is_cacheable(request: HttpRequest) -> bool:
    # Only plain anonymous GETs; a session (flash messages) makes a page personal.
    return (
        settings.TALEHOUSE_PAGE_CACHE
        and request.method == "GET"
        and not request.user.is_authenticated
        and not request.session.session_key
        and set(request.GET) <= {"comments"}
    )


def _page_key(kind: str, pk: int, slug: str, request: HttpRequest) -> str:
    return f"page:{kind}:{pk}:{slug}:{request.GET.get('comments', '')}"


def get_page(kind: str, pk: int, slug: str, request: HttpRequest) -> HttpResponse | None:
    entry: Any = cache.get(_page_key(kind, pk, slug, request))
    if entry is None:
        return None
    story_id, version, body = entry
    if cache.get(_version_key(story_id), 0) != version:
        return None
    response = HttpResponse(body)
    response["X-Talehouse-Cache"] = "hit"
    return response


def store_page(
    kind: str, pk: int, slug: str, request: HttpRequest, story_id: int, version: int, body: bytes
) -> None:
    cache.set(_page_key(kind, pk, slug, request), (story_id, version, body), PAGE_TTL)
