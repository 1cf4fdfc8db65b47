"""Feeds are fetched over and over by feed readers and e-reader apps, without cookies: every
feed is the anonymous one, cached whole and answered with 304 when the reader has it already.

A feed shows only stories in public listings, so it can change only when the site's
`ListingVersion` moves (a story joining, leaving or changing in public listings, its parts
included: stories/changes.py) — the same version that keys the cached story pages. The cache
key and the ETag are built from it: one indexed query answers a feed that has not changed,
with the bytes from the cache or a 304. The exception is an order by "hot" (popular works):
rankings are recomputed every RANKINGS_MINUTES without moving the version, so those feeds
are also keyed by the current period of that length.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.utils.translation import get_language

from stories.changes import LISTING_ROW
from stories.models import Audience, ListingVersion
from stories.pagecache import mark_shared

FEED_TTL = 600
RANKINGS_MINUTES = 10  # talehouse/schedule.py: compute_rankings_task

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Stored:
    content: bytes
    content_type: str
    last_modified: str | None


def feed_key(request: HttpRequest, by_rankings: bool) -> str:
    listing = ListingVersion.objects.filter(pk=LISTING_ROW).values_list("value", flat=True)
    version = listing.first() or 0
    period = int(time.time() // (RANKINGS_MINUTES * 60)) if by_rankings else 0
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"feed:{path}:{get_language()}:{version}:{period}"


def shared_feed(by_rankings: bool = False) -> Callable[[View], View]:
    """Serve the view's feed from the cache while the listings have not changed, with an
    ETag (304 to a reader that has this version), as a page shared with every reader.

    The view must build its feed for an anonymous reader whoever asks: a reader's app
    fetches feeds without the reader's cookies, and the copy is shared."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = feed_key(request, by_rankings)
            etag = quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])
            response = get_conditional_response(request, etag=etag)
            if response is None:
                response = _cached_or_built(key, view, request, *args, **kwargs)
            if response.status_code in {200, 304}:
                response["ETag"] = etag
            return mark_shared(response, Audience.ANONYMOUS)

        return wrapper

    return decorate


def _cached_or_built(
    key: str, view: View, request: HttpRequest, *args: Any, **kwargs: Any
) -> HttpResponse:
    stored: Stored | None = cache.get(key) if settings.TALEHOUSE_PAGE_CACHE else None
    if stored is not None:
        response = HttpResponse(stored.content, content_type=stored.content_type)
        if stored.last_modified:
            response["Last-Modified"] = stored.last_modified
        return response
    response = view(request, *args, **kwargs)
    if settings.TALEHOUSE_PAGE_CACHE and response.status_code == 200:
        stored = Stored(response.content, response["Content-Type"], response.get("Last-Modified"))
        cache.set(key, stored, FEED_TTL)
    return response
