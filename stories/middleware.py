"""Answer an anonymous reader's cached story or part page before the rest of the stack runs."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_request

from stories import pagecache
from stories.models import Audience
from stories.views import cached_page

SHARED_PAGES = {"stories:part": "part", "stories:detail": "story"}


class CachedPageMiddleware:
    """A visitor with no session cookie is anonymous with nothing waiting for them (messages
    live in the session), so their story and part pages are the shared anonymous ones: look
    them up here, with one query, and skip sessions, auth, CSRF, messages and the view.

    Placed after the middleware that add headers to every response (security, CSP,
    X-Frame-Options) and before SessionMiddleware. What LocaleMiddleware and CommonMiddleware
    would add to the response is added here, so a page answered here carries the same
    headers as one answered by the view (a test compares them).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES and pagecache.is_shareable_request(
            request
        ):
            response = self.cached(request)
            if response is not None:
                return response
        return self.get_response(request)

    def cached(self, request: HttpRequest) -> HttpResponse | None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        kind = SHARED_PAGES.get(match.view_name)
        if kind is None:
            return None
        language = get_language_from_request(request)
        key = pagecache.PageKey(
            kind,
            int(match.kwargs["pk"]),
            match.kwargs.get("slug", ""),
            Audience.ANONYMOUS,
            request.GET.get("comments", ""),
            language,
        )
        response = cached_page(key, viewer_id=None)
        if response is None:
            return None
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers["Content-Length"] = str(len(response.content))
        return response
