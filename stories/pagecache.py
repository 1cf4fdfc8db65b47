"""Whole-page cache of the shared story and part pages, one copy per audience.

A shared page carries nothing of one reader's (reader settings live in the browser; votes,
comment forms and the member's menu come from the per-reader fragment, stories/views.py
`part_reader`), so one rendering serves every anonymous visitor, and another every member
(members may see sign-in-only stories). The story's author always gets a fresh, personal page
(drafts, tools). Entries are keyed by versions kept in the database and incremented in the
same transaction as the change they track (through `stories.changes`, the only writer):

- the story's `page_version`: anything its own pages show (text, parts, tags, counters);
- the story's `content_version`: the same, except reads and votes being counted;
- the site's `ListingVersion`: any story joining, leaving or changing in public listings,
  since a page also shows other stories ("discover more").

Two layers, both read after one indexed query (`Current.of`) that also brings the part's
live numbers:

- the page: the exact bytes, keyed by `page_version`;
- the frame: the page with its live numbers (stats line, JSON-LD counts) cut out, keyed by
  `content_version`. After a read or a vote is counted the page key is dead but the frame
  is not: the numbers are written into it, and the page is stored again, without a render.

So the cache is coherent across processes whatever the cache backend: an unpublished part or
a hidden story is gone at once, and a page's own numbers are the database's. Other stories'
counts in "discover more" may lag by PAGE_TTL.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from stories.changes import LISTING_ROW
from stories.models import Audience, ListingVersion, Part, Story

PAGE_TTL = 60
FRAME_TTL = 600


def listing_version_subquery() -> Subquery:
    """Annotate it onto the query that loads a page's story, so both are read together."""
    return Subquery(ListingVersion.objects.filter(pk=LISTING_ROW).values("value")[:1])


def shared_audience(request: HttpRequest) -> Audience | None:
    """The audience whose shared page this request may get, or None for a personal page.

    A shared page is the same bytes for every reader of its audience (anonymous visitors, or
    members): prose, numbers, navigation. What belongs to one reader (their vote, their own
    comments' controls, their name in the menu) comes from the per-reader fragment. A visitor
    with a session but no account (a flash message waiting) and a member with a message
    waiting get a fresh page, so the message shows.
    """
    if not is_shareable_request(request):
        return None
    if request.user.is_authenticated:
        return None if len(messages.get_messages(request)) else Audience.MEMBER
    return None if request.session.session_key else Audience.ANONYMOUS


def is_shareable_request(request: HttpRequest) -> bool:
    return request.method in {"GET", "HEAD"} and set(request.GET) <= {"comments"}


MAX_ROW_ID = 2**63 - 1  # the largest BigAutoField value; the URL's <int:> has no limit


@dataclass(frozen=True)
class PageKey:
    kind: str  # "story" or "part"
    pk: int
    slug: str
    audience: Audience
    comments_page: str
    language: str

    @classmethod
    def of(cls, kind: str, pk: int, slug: str, audience: Audience, request: HttpRequest) -> PageKey:
        comments = request.GET.get("comments", "")
        return cls(kind, pk, slug, audience, comments, get_language() or settings.LANGUAGE_CODE)

    def page_at(self, current: Current) -> str:
        return self._at("page", current.page_version, current.listing_version)

    def frame_at(self, current: Current) -> str:
        return self._at("frame", current.content_version, current.listing_version)

    def _at(self, layer: str, version: int, listing: int) -> str:
        return (
            f"{layer}:{self.kind}:{self.pk}:{self.slug}:{self.audience}:{self.language}:"
            f"{version}:{listing}:{self.comments_page}"
        )


Numbers = tuple[int, int, int]  # a part's reads, votes and comments


@dataclass(frozen=True)
class Current:
    """What the database says now about a page's story: its versions, its author (whose own
    view is personal: drafts and tools) and, for a part, its live numbers."""

    page_version: int
    content_version: int
    listing_version: int
    author_id: int
    numbers: Numbers

    @classmethod
    def of(cls, key: PageKey) -> Current | None:
        # Raw SQL, prepared once: this runs on every cache hit, where building an ORM query
        # cost more than the rest of the hit. It reads versions and numbers, never content,
        # so it needs no visibility check: a hit serves a page built through visible_to, and
        # any change to who may see it moved the versions.
        if key.pk > MAX_ROW_ID:
            return None  # no such row; SQLite's driver would overflow on the parameter
        with connection.cursor() as cursor:
            cursor.execute(_current_sql(key.kind), [key.pk])
            row = cursor.fetchone()
        if row is None:
            return None
        page, content, listing, author_id, reads, votes, comments = row
        return cls(page, content, listing or 0, author_id, (reads, votes, comments))

    @classmethod
    def read_with(cls, story: Story, listing_version: int | None, numbers: Numbers) -> Current:
        """The versions loaded with the rows a page is about to be rendered from."""
        return cls(
            story.page_version, story.content_version, listing_version or 0, story.author_id,
            numbers,
        )  # fmt: skip


def _current_sql(kind: str) -> str:
    # Built from our own table and column names only; the pk is a parameter.
    q = connection.ops.quote_name
    listing_table = q(ListingVersion._meta.db_table)
    listing = f"(SELECT {q('value')} FROM {listing_table} WHERE id = {LISTING_ROW})"  # noqa: S608
    versions = f"s.{q('page_version')}, s.{q('content_version')}, {listing}, s.{q('author_id')}"
    story = q(Story._meta.db_table)
    if kind == "story":
        return f"SELECT {versions}, 0, 0, 0 FROM {story} s WHERE s.id = %s"  # noqa: S608
    part = q(Part._meta.db_table)
    numbers = f"p.{q('reads_count')}, p.{q('votes_count')}, p.{q('comments_count')}"
    joined = f"{part} p JOIN {story} s ON s.id = p.{q('story_id')}"
    return f"SELECT {versions}, {numbers} FROM {joined} WHERE p.id = %s"  # noqa: S608


def get_page(key: PageKey, current: Current) -> HttpResponse | None:
    if not settings.TALEHOUSE_PAGE_CACHE:
        return None
    body = cache.get(key.page_at(current))
    if body is None:
        return None
    response = HttpResponse(body)
    response["X-Talehouse-Cache"] = "hit"
    return mark_shared(response, key.audience)


def store_page(key: PageKey, current: Current, response: HttpResponse) -> HttpResponse:
    """`current` must be what was read together with the rows the page was rendered from."""
    if settings.TALEHOUSE_PAGE_CACHE:
        cache.set(key.page_at(current), response.content, PAGE_TTL)
    return mark_shared(response, key.audience)


# Live numbers are marked while a shared page renders, cut out into a frame, and never sent:
# the marks carry a per-process secret, so no text a writer or commenter types can forge one
# (and user HTML is sanitised with comments stripped besides).
_MARK = secrets.token_hex(8)
_LIVE = re.compile(f"<!--{_MARK}:(\\w+)-->(.*?)<!--/{_MARK}-->", re.DOTALL)

Frame = tuple[str, ...]  # text, name of a live piece, text, name, ..., text


def live(name: str, html: str) -> SafeString:
    """Mark a piece of a shared page that shows live numbers (see `cut_frame`)."""
    return mark_safe(f"<!--{_MARK}:{name}-->{html}<!--/{_MARK}-->")  # noqa: S308 - html is safe


def cut_frame(html: str) -> tuple[Frame, str]:
    """The page as a frame (its live pieces cut out) and as it is sent (marks removed)."""
    pieces = _LIVE.split(html)  # text, name, inner, text, name, inner, ..., text
    frame = tuple(piece for i, piece in enumerate(pieces) if i % 3 != 2)
    page = "".join(piece for i, piece in enumerate(pieces) if i % 3 != 1)
    return frame, page


def fill_frame(frame: Frame, pieces: Mapping[str, str]) -> str:
    return "".join(pieces[part] if i % 2 else part for i, part in enumerate(frame))


def get_frame(key: PageKey, current: Current) -> Frame | None:
    if not settings.TALEHOUSE_FRAME_CACHE:
        return None
    return cache.get(key.frame_at(current))  # type: ignore[no-any-return]


def store_frame(key: PageKey, current: Current, frame: Frame) -> None:
    if settings.TALEHOUSE_FRAME_CACHE:
        cache.set(key.frame_at(current), frame, FRAME_TTL)


def mark_shared(response: HttpResponse, audience: Audience) -> HttpResponse:
    """Headers of a shared page. An anonymous one may be kept by a reverse proxy for
    PAGE_TTL (`s-maxage`); talehouse.middleware.SharedPageMiddleware drops `Vary: Cookie`
    from it and refuses to share it if anything set a cookie. A members' page stays private:
    it may show sign-in-only stories."""
    if audience == Audience.ANONYMOUS:
        patch_cache_control(response, public=True, max_age=0, s_maxage=PAGE_TTL)
        response.shared_with_everyone = True  # type: ignore[attr-defined]
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response


def mark_personal(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_cache=True)
    return response
