"""Site-wide middleware of our own."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class SharedPageMiddleware:
    """Keep a page shared with every anonymous reader cacheable by a reverse proxy.

    Placed before SessionMiddleware, so it sees the response after the session has added
    `Vary: Cookie` (reading `request.user` touches the session). That page is the same for
    every anonymous visitor whatever their cookies (members, who have a session cookie, are
    sent past the proxy's cache by its configuration), so `Cookie` leaves `Vary`. A response
    that sets a cookie is somebody's own and is not shared at all.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(response, "shared_with_everyone", False):
            return response
        if response.cookies:
            del response["Cache-Control"]
            patch_cache_control(response, private=True, no_cache=True)
            return response
        vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
        kept = [v for v in vary if v.lower() != "cookie"]
        if kept:
            response["Vary"] = ", ".join(kept)
        elif "Vary" in response:
            del response["Vary"]
        return response
