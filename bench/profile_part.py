"""Where the part page's time goes: an in-process profile, one table per route.

Run `make profile` (or `python -m bench.profile_part`). It seeds a fresh SQLite database in a
temporary directory (bench/seed.py), then sends requests straight into Django's WSGI handler,
as a server's worker would, with timers wrapped around each stage of the request: every
middleware, the session and user lookups, the page cache, the queries (and opening the
connection), building the context, the JSON-LD, each template and include, the compact numbers.
Each row is the time spent in that stage itself (its inner stages have their own rows), in
milliseconds per request, so the rows add up to the whole request.
"""

from __future__ import annotations

import functools
import io
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

REQUESTS = int(os.environ.get("PROFILE_REQUESTS", "300"))


class Spans:
    """Exclusive time per named stage: a stage's own time, its inner stages' excluded."""

    def __init__(self) -> None:
        self.own: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._children: list[float] = []

    @contextmanager
    def span(self, name: str) -> Iterator[None]:
        self._children.append(0.0)
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            inner = self._children.pop()
            self.own[name] += elapsed - inner
            self.calls[name] += 1
            if self._children:
                self._children[-1] += elapsed

    def reset(self) -> None:
        self.own.clear()
        self.calls.clear()


SPANS = Spans()


def timed(name: str | Callable[..., str], function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        label = name(*args) if callable(name) else name
        with SPANS.span(label):
            return function(*args, **kwargs)

    return wrapper


def patch(owner: Any, attribute: str, name: str | Callable[..., str]) -> None:
    setattr(owner, attribute, timed(name, getattr(owner, attribute)))


def instrument() -> None:
    """Wrap the stages of a request. Called once, after django.setup()."""
    from django.conf import settings
    from django.contrib import auth
    from django.contrib.sessions.backends.base import SessionBase
    from django.core.handlers.base import BaseHandler
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.template import base as template_base
    from django.utils.module_loading import import_string

    import stories.middleware
    import stories.pagecache
    import stories.views
    import talehouse.templatetags.talehouse as tags

    for dotted in settings.MIDDLEWARE:
        cls = import_string(dotted)
        patch(cls, "__call__", f"middleware: {cls.__name__}")
    patch(auth, "get_user", "auth: load the user")
    patch(SessionBase, "_get_session", "session: load")
    patch(BaseDatabaseWrapper, "connect", "database: open a connection")
    patch(BaseDatabaseWrapper, "close", "database: close the connection")
    patch(stories.views, "cached_page", "page cache: look up")
    patch(stories.middleware, "cached_page", "page cache: look up")
    patch(stories.pagecache, "store_page", "page cache: store")
    patch(stories.pagecache, "store_frame", "page cache: store")
    patch(stories.pagecache, "cut_frame", "page cache: cut the frame")
    patch(stories.pagecache, "fill_frame", "page cache: fill the frame")
    patch(stories.views, "live_pieces", "page cache: fill the frame")
    patch(BaseHandler, "_get_response", "Django: URL resolving, the view's own code")
    patch(stories.views, "part_page_context", "context: the rest")
    patch(stories.views.queries, "table_of_contents", "context: table of contents")
    patch(stories.views.queries, "tags_by_kind", "context: tags")
    patch(stories.views.queries, "more_like_this", "context: more like this")
    patch(stories.views, "comment_threads", "context: comment threads")
    patch(stories.views, "render_jsonld", "view: JSON-LD")
    patch(stories.views, "part_jsonld_html", "view: JSON-LD")
    patch(tags, "compact_number", "templates: compact numbers")
    patch(tags, "exact_number", "templates: compact numbers")

    def template_name(template: Any, *args: Any) -> str:
        return f"template: {template.origin.template_name}"

    patch(template_base.Template, "render", template_name)


@contextmanager
def counting_queries() -> Iterator[list[int]]:
    from django.db import connection

    count = [0]

    def run(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        count[0] += 1
        with SPANS.span("database: queries"):
            return execute(sql, params, many, context)

    with connection.execute_wrapper(run):
        yield count


def call(handler: Any, url: str, cookies: str = "") -> tuple[int, bytes]:
    """One request as a WSGI server sends it, response closed (request_finished) at the end."""
    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT_LANGUAGE": "en",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if cookies:
        environ["HTTP_COOKIE"] = cookies
    status: list[str] = []
    response = handler(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        body = b"".join(response)
    finally:
        response.close()
    return int(status[0].split()[0]), body


def profile(handler: Any, label: str, url: str, page: bool, frames: bool) -> None:
    from django.test import override_settings

    with override_settings(TALEHOUSE_PAGE_CACHE=page, TALEHOUSE_FRAME_CACHE=frames):
        for _ in range(20):  # warm: templates compiled, caches filled
            code, body = call(handler, url)
            assert code == 200, (url, code)
        SPANS.reset()
        with counting_queries() as queries:
            start = time.perf_counter()
            for _ in range(REQUESTS):
                with SPANS.span("Django: WSGI handler, request and response objects"):
                    call(handler, url)
            total = (time.perf_counter() - start) / REQUESTS * 1000
    print(f"\n## {label}  ({len(body):,} bytes, {queries[0] / REQUESTS:g} queries)\n")
    print("| stage | ms per request | share |")
    print("|---|---:|---:|")
    rows = sorted(SPANS.own.items(), key=lambda item: -item[1])
    for name, seconds in rows:
        per_request = seconds / REQUESTS * 1000
        if per_request >= 0.005:
            print(f"| {name} | {per_request:.3f} | {per_request / total:5.1%} |")
    print(f"| **whole request** | **{total:.2f}** | |")


def main() -> None:
    data_dir = tempfile.mkdtemp(prefix="talehouse-profile-")
    os.environ.update(
        TALEHOUSE_DATA_DIR=data_dir,
        TALEHOUSE_DEV="1",
        TALEHOUSE_INSECURE_HTTP="1",
        TALEHOUSE_STATIC_MANIFEST="0",
        TALEHOUSE_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="talehouse.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    from bench import seed

    call_command("migrate", verbosity=0)
    _, seed_url = seed.seed_sized()
    _, heavy_url = seed.heavy()
    instrument()  # before the handler is built: it binds the stages it calls
    handler = get_wsgi_application()
    print(f"In-process profile, {REQUESTS} requests per route after 20 to warm up; SQLite.")
    profile(handler, "seed-sized part, cache hit", seed_url, page=True, frames=True)
    profile(handler, "seed-sized part, page cache off (frame filled)", seed_url, False, True)
    profile(handler, "seed-sized part, cold render (every cache off)", seed_url, False, False)
    heavy = "heavy part (200 parts, 500 comments), every cache off"
    profile(handler, heavy, heavy_url, page=False, frames=False)


if __name__ == "__main__":
    main()
