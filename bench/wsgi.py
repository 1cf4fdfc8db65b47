"""The benchmark's WSGI app: Talehouse itself, plus one route that renders the part page's
template from a context captured at start-up, with every database access forbidden.

Comparing the two isolates what the database and context building cost on top of the render.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talehouse.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

talehouse_app = get_wsgi_application()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from stories.models import Part  # noqa: E402
from stories.views import part_page_context  # noqa: E402

NO_DB_PATH = "/__bench/part-no-db/"


def _capture_context() -> dict[str, Any]:
    part = Part.objects.select_related("story__author__profile").get(
        pk=int(os.environ["BENCH_PART_ID"])
    )
    request = RequestFactory().get(part.get_absolute_url())
    request.user = AnonymousUser()
    context = part_page_context(request, part)
    connection.close()
    return context


CONTEXT = _capture_context()


def _forbid_database(*args: Any) -> None:
    raise AssertionError("the no-database render touched the database")


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") != NO_DB_PATH:
        return talehouse_app(environ, start_response)  # type: ignore[no-any-return]
    request = RequestFactory().get(NO_DB_PATH)
    request.user = AnonymousUser()
    with connection.execute_wrapper(_forbid_database):
        body = render_to_string("stories/part_detail.html", CONTEXT, request=request).encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [body]
