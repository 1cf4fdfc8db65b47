"""The benchmark's WSGI app: Talehouse itself, plus one route that renders the part page's
template from a context captured at start-up, with every database access forbidden.

Both go through the same Django handler and middleware, so the difference between them is what
the database and building the page's context cost on top of rendering it.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talehouse.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402

from stories.models import Part  # noqa: E402
from stories.views import part_page_context  # noqa: E402
from talehouse import urls  # noqa: E402

NO_DB_PATH = "__bench/part-no-db/"


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


def part_without_database(request: HttpRequest) -> HttpResponse:
    with connection.execute_wrapper(_forbid_database):
        return render(request, "stories/part_detail.html", CONTEXT)


urls.urlpatterns.insert(0, path(NO_DB_PATH, part_without_database))
clear_url_caches()
