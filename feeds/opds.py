"""The OPDS 1.2 catalog at /opds/, for e-reader apps (KOReader and the like): a root
navigation feed; acquisition feeds of new, recently updated and popular works; navigation
feeds of fandoms and other tags (synonyms counted under their canonical tag) leading to each
tag's works; an OpenSearch description and search. Every work's entry links its EPUB.

Pages are numbered (`?page=`) and linked with first/previous/next, without counting: a page
reads one row more than it shows. A page past the end, or a page number that is not one, is
404. Every feed is the anonymous reader's (feeds/queries.py), shared and cached."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe

from discover.filters import SORTS, StrOrPromise
from feeds.cache import shared_feed
from feeds.entries import absolute, story_entry
from feeds.generators import (
    ACQUISITION_TYPE,
    HTML_TYPE,
    NAVIGATION_TYPE,
    OPENSEARCH_TYPE,
    SORT_NEW,
    SORT_POPULAR,
    AcquisitionFeed,
    AtomFeed,
    Link,
    NavigationFeed,
)
from feeds.queries import (
    for_entries,
    public_stories,
    sorted_by,
    tag_group,
    tags_with_counts,
)
from search.indexing import search
from search.query import MAX_QUERY_CHARS, parse
from stories.models import Audience, Story, StoryQuerySet
from stories.pagecache import mark_shared
from tags.models import TagKind
from talehouse.lib.paging import Page, page_of

CATALOG_PAGE = 25

# Each kind of tag: the title of its list, and what the list is.
KINDS = {
    TagKind.FANDOM: (gettext_lazy("Fandoms"), gettext_lazy("Works by fandom.")),
    TagKind.RELATIONSHIP: (gettext_lazy("Relationships"), gettext_lazy("Works by pairing.")),
    TagKind.CHARACTER: (gettext_lazy("Characters"), gettext_lazy("Works by character.")),
    TagKind.ADDITIONAL: (gettext_lazy("Other tags"), gettext_lazy("Works by any other tag.")),
}


@dataclass(frozen=True)
class Listing:
    """A listing of all public works, in one of the works listing's orders."""

    rel: str  # the link's relation in the root feed
    sort: str  # discover.filters.SORTS
    title: StrOrPromise
    summary: StrOrPromise


LISTINGS = {
    "feeds:opds_new": Listing(
        SORT_NEW, "published", gettext_lazy("New works"), gettext_lazy("The newest works first.")
    ),
    "feeds:opds_updated": Listing(
        "subsection",
        "updated",
        gettext_lazy("Recently updated"),
        gettext_lazy("Works with the newest parts first."),
    ),
    "feeds:opds_popular": Listing(
        SORT_POPULAR,
        "hot",
        gettext_lazy("Popular"),
        gettext_lazy("The works read, voted for and talked about most in the last days."),
    ),
}


def url(name: str, *args: Any, page: int = 1, **query: str) -> str:
    """An absolute catalog URL; page one is left out, so each page has one address."""
    params: dict[str, Any] = {key: value for key, value in query.items() if value}
    if page != 1:
        params["page"] = page
    return absolute(reverse(name, args=args) + ("?" + urlencode(params) if params else ""))


def page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "")
    if not raw:
        return 1
    if not re.fullmatch(r"[0-9]{1,6}", raw) or int(raw) < 1:
        raise Http404
    return int(raw)


def new_feed(
    feed_class: type[AtomFeed],
    title: str,
    self_url: str,
    alternate: str,
    up: str | None = None,
    subtitle: str | None = None,
    more_links: list[Link] | None = None,
    feed_id: str | None = None,
) -> AtomFeed:
    """A catalog feed with the links every one carries: itself, the start, the search. Its
    id is `feed_id` (a paged feed's first page) or its own address."""
    links = [
        Link(self_url, "self", feed_class.content_type),
        Link(url("feeds:opds_root"), "start", NAVIGATION_TYPE),
        Link(url("feeds:opensearch"), "search", OPENSEARCH_TYPE),
        *([Link(up, "up", NAVIGATION_TYPE)] if up else []),
        *(more_links or []),
    ]
    return feed_class(
        title=title,
        link=alternate,
        description=None,
        subtitle=subtitle,
        feed_guid=feed_id or self_url,
        author_name=settings.SITE_NAME,
        author_link=settings.SITE_URL + "/",
        links=links,
    )


def respond(feed: AtomFeed) -> HttpResponse:
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return response


def paging_links(at: Callable[[int], str], page: Page[Any], link_type: str) -> list[Link]:
    links = [Link(at(1), "first", link_type)]
    if page.has_previous:
        links.append(Link(at(page.number - 1), "previous", link_type))
    if page.has_next:
        links.append(Link(at(page.number + 1), "next", link_type))
    return links


def navigation_entry(
    title: str, summary: str, target: Link, alternate: str, updated: datetime
) -> dict[str, Any]:
    """An entry leading to another feed (`target`), known by that feed's address."""
    return {
        "title": title,
        "link": alternate,
        "description": None,
        "unique_id": target.href,
        "updateddate": updated,
        "summary": summary,
        "summary_type": "text",
        "links": [target],
    }


# --- the root ----------------------------------------------------------------------------------


@require_safe
@shared_feed()
def catalog(request: HttpRequest) -> HttpResponse:
    # Every entry leads to works updated at the latest when the newest public work was.
    newest = public_stories().aggregate(newest=Max("updated_at"))["newest"] or timezone.now()
    title = _("%(site)s catalog") % {"site": settings.SITE_NAME}
    feed = new_feed(NavigationFeed, title, url("feeds:opds_root"), settings.SITE_URL + "/")
    for name, shown in LISTINGS.items():
        target = Link(url(name), shown.rel, ACQUISITION_TYPE)
        alternate = works_page(shown.sort)
        entry = navigation_entry(str(shown.title), str(shown.summary), target, alternate, newest)
        feed.add_item(**entry)
    for kind, (kind_title, summary) in KINDS.items():
        target = Link(url("feeds:opds_tags", kind), "subsection", NAVIGATION_TYPE)
        entry = navigation_entry(str(kind_title), str(summary), target, feed.feed["link"], newest)
        feed.add_item(**entry)
    return respond(feed)


# --- works: new, updated, popular ------------------------------------------------------------


def works_page(sort: str) -> str:
    """The works listing in the same order: a feed's web page."""
    return absolute(reverse("discover:works") + f"?sort={sort}")


def works_feed(
    request: HttpRequest,
    stories: StoryQuerySet,
    title: str,
    at: Callable[[int], str],
    alternate: str,
    up: str,
) -> HttpResponse:
    """An acquisition feed of the requested page of `stories` (sorted); `at(n)` is the
    address of page n."""
    page = page_of(for_entries(stories), page_number(request), CATALOG_PAGE)
    if page.is_past_the_end:
        raise Http404
    return respond(acquisition_feed(page, title, at, alternate, up))


def acquisition_feed(
    page: Page[Story],
    title: str,
    at: Callable[[int], str],
    alternate: str,
    up: str,
    subtitle: str | None = None,
) -> AtomFeed:
    paging = paging_links(at, page, ACQUISITION_TYPE)
    feed = new_feed(
        AcquisitionFeed, title, at(page.number), alternate, up, subtitle, paging, feed_id=at(1)
    )
    for story in page.items:
        feed.add_item(**story_entry(story, catalog=True))
    return feed


def listing(request: HttpRequest, name: str) -> HttpResponse:
    shown = LISTINGS[name]
    return works_feed(
        request,
        sorted_by(public_stories(), shown.sort),
        str(shown.title),
        lambda number: url(name, page=number),
        works_page(shown.sort),
        url("feeds:opds_root"),
    )


@require_safe
@shared_feed()
def new_works(request: HttpRequest) -> HttpResponse:
    return listing(request, "feeds:opds_new")


@require_safe
@shared_feed()
def updated_works(request: HttpRequest) -> HttpResponse:
    return listing(request, "feeds:opds_updated")


@require_safe
@shared_feed(by_rankings=True)
def popular_works(request: HttpRequest) -> HttpResponse:
    return listing(request, "feeds:opds_popular")


# --- tags ----------------------------------------------------------------------------------


@require_safe
@shared_feed()
def tags(request: HttpRequest, kind: str) -> HttpResponse:
    """The tags of one kind that public works carry, each leading to its works."""
    if kind not in TagKind.values:
        raise Http404
    page = tags_with_counts(kind, page_number(request), CATALOG_PAGE)
    if page.is_past_the_end:
        raise Http404

    def at(number: int) -> str:
        return url("feeds:opds_tags", kind, page=number)

    feed = new_feed(
        NavigationFeed,
        str(KINDS[TagKind(kind)][0]),
        at(page.number),
        settings.SITE_URL + "/",
        up=url("feeds:opds_root"),
        more_links=paging_links(at, page, NAVIGATION_TYPE),
        feed_id=at(1),
    )
    for counted in page.items:
        tag = counted.tag
        target = Link(url("feeds:opds_tag", tag.kind, tag.slug), "subsection", ACQUISITION_TYPE)
        works = ngettext("%(n)s work", "%(n)s works", counted.works) % {"n": counted.works}
        tag_page = absolute(tag.get_absolute_url())
        updated = counted.newest or tag.created_at
        feed.add_item(**navigation_entry(tag.name, works, target, tag_page, updated))
    return respond(feed)


@require_safe
@shared_feed()
def tag_works(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    """The works with a tag or any of its synonyms, newest updates first (as on the tag
    page); a synonym leads to its canonical tag's feed."""
    group = tag_group(kind, slug)
    tag = group.tag
    if not group.ids:
        return redirect("feeds:opds_tag", tag.kind, tag.slug)
    return works_feed(
        request,
        sorted_by(group.stories(public_stories()), "updated"),
        tag.name,
        lambda number: url("feeds:opds_tag", tag.kind, tag.slug, page=number),
        absolute(tag.get_absolute_url()),
        url("feeds:opds_tags", tag.kind),
    )


# --- search --------------------------------------------------------------------------------


@require_safe
def search_works(request: HttpRequest) -> HttpResponse:
    """Works matching `q` (the site's search syntax), best match first. What cannot be
    searched for gives an empty feed saying why. Not cached: every query is its own."""
    raw = request.GET.get("q", "")
    shown = raw[:MAX_QUERY_CHARS]  # what the feed repeats of a query too long to search for
    number = page_number(request)
    problem = _("Say what to look for.")
    found: Page[Story] = Page(number, [], False)
    try:
        query = parse(raw)
    except ValidationError as error:
        query, problem = None, error.messages[0]
    if query is not None:
        ordering, _label = SORTS["relevance"]
        matches = search(public_stories(), query, by_relevance=True).order_by(*ordering)
        found = page_of(for_entries(matches), number, CATALOG_PAGE)
        problem = "" if found.items else _("Nothing matches.")
    if found.is_past_the_end:
        raise Http404
    feed = acquisition_feed(
        found,
        _("Search: %(query)s") % {"query": shown},
        lambda number: url("feeds:opds_search", q=shown, page=number),
        absolute(reverse("discover:works") + "?" + urlencode({"q": shown})),
        url("feeds:opds_root"),
        subtitle=problem or None,
    )
    return mark_shared(respond(feed), Audience.ANONYMOUS)


@require_safe
def opensearch(request: HttpRequest) -> HttpResponse:
    """The OpenSearch description: how an app (or a browser) searches the works."""
    context = {
        "site_name": settings.SITE_NAME,
        "catalog_search": url("feeds:opds_search"),
        "works": absolute(reverse("discover:works")),
        "types": {"acquisition": ACQUISITION_TYPE, "html": HTML_TYPE},
    }
    body = render_to_string("feeds/opensearch.xml", context)
    return mark_shared(HttpResponse(body, content_type=OPENSEARCH_TYPE), Audience.ANONYMOUS)
