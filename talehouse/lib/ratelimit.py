"""A small fixed-window rate limiter on Django's cache (Redis when configured)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_rate_limited(scope: str, key: str, limit: int, period_seconds: int) -> bool:
    """Count one hit for `key` in `scope`; True once more than `limit` hits fall in one window."""
    window = int(time.time() // period_seconds)
    cache_key = f"rl:{scope}:{key}:{window}"
    # add() is atomic: the first hit of a window creates the counter, later ones increment it.
    if cache.add(cache_key, 1, timeout=period_seconds + 1):
        return False
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: start again
        cache.add(cache_key, 1, timeout=period_seconds + 1)
        return False
    return count > limit


def over_limit(scope: str, key: str) -> bool:
    """Count one hit for `key` against `scope`'s limit in TALEHOUSE_RATE_LIMITS."""
    limit, period = settings.TALEHOUSE_RATE_LIMITS[scope]
    return is_rate_limited(scope, key, limit, period)


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """The site's answer past a limit: a page that says to wait, status 429."""
    return render(request, "errors/429.html", status=429)
