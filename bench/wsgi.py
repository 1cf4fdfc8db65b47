"""The benchmark's WSGI app: Talehouse itself, plus two routes that serve what the part page
would, without its work, through the same Django handler and middleware:

- `/__bench/same-bytes/`: the seed-sized part page's bytes, captured at start-up and returned
  from memory by a plain view — the floor Python can reach for that page;
- `/__bench/template-only/`: the heavy part page's template rendered from a context captured at
  start-up, with every database access forbidden — what rendering alone costs.
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
from django.template.loader import render_to_string  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402

from stories import pagecache  # noqa: E402
from stories.models import Audience, Part  # noqa: E402
from stories.views import _shared_context, part_page_context  # noqa: E402
from talehouse import urls  # noqa: E402


def _heavy_context() -> dict[str, Any]:
    part = Part.objects.select_related("story__author__profile").get(
        pk=int(os.environ["BENCH_HEAVY_PART_ID"])
    )
    request = RequestFactory().get(part.get_absolute_url())
    request.user = AnonymousUser()
    context = part_page_context(request, part, personal=False)
    return context | _shared_context(Audience.ANONYMOUS)


HEAVY_CONTEXT = _heavy_context()
SEED_BYTES = Client(HTTP_HOST="127.0.0.1").get(os.environ["BENCH_SEED_URL"]).content
connection.close()


def _forbid_database(*args: Any) -> None:
    raise AssertionError("the no-database render touched the database")


def template_only(request: HttpRequest) -> HttpResponse:
    with connection.execute_wrapper(_forbid_database):
        html = render_to_string("stories/part_detail.html", HEAVY_CONTEXT, request)
        return HttpResponse(pagecache.cut_frame(html)[1])  # as the view sends it


def same_bytes(request: HttpRequest) -> HttpResponse:
    return HttpResponse(SEED_BYTES)


urls.urlpatterns[:0] = [
    path("__bench/template-only/", template_only),
    path("__bench/same-bytes/", same_bytes),
]
clear_url_caches()
