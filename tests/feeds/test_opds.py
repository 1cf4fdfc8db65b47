"""The OPDS 1.2 catalog: browsable from /opds/ by following links, every link answering,
only what an anonymous reader may see, a fixed query count per feed."""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from discover.rankings import compute_rankings
from feeds.opds import CATALOG_PAGE
from formats.source import story_identifier
from search.indexing import rebuild_index
from social.actions.votes import do_set_vote
from stories.actions import StoryData, check_cover, do_create_story, do_unpublish_part
from stories.models import Part, Story
from tags.actions import do_make_canonical, do_make_synonym
from tags.models import Tag
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user, png_bytes
from tests.feeds.conftest import Shelf, parsed, path_of

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/terms/}"
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
OPENSEARCH = "application/opensearchdescription+xml"
EPUB = "application/epub+zip"
CATALOG_TYPES = {NAVIGATION, ACQUISITION}
SEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def links_of(xml: bytes) -> list[dict[str, str]]:
    """Every link of a feed and its entries."""
    root = ElementTree.fromstring(xml)  # noqa: S314 - our own output
    return [dict(link.attrib) for link in root.iter(f"{ATOM}link")]


def feed_links(xml: bytes) -> dict[str, dict[str, str]]:
    """The feed's own links (not its entries'), by relation (the last of each)."""
    root = ElementTree.fromstring(xml)  # noqa: S314
    return {link.get("rel", ""): dict(link.attrib) for link in root.findall(f"{ATOM}link")}


def check_catalog_feed(xml: bytes, kind: str) -> None:
    """What Atom (RFC 4287) and OPDS 1.2 require of a catalog feed, element by element: ids,
    titles and dates on the feed and each entry, an author for every entry, links with a
    relation; the start and self links typed; in an acquisition feed, every entry an OPDS
    catalog entry (with an acquisition link); in a navigation feed, none, each entry leading
    to another catalog feed instead."""
    root = ElementTree.fromstring(xml)  # noqa: S314
    assert root.tag == f"{ATOM}feed"
    has_author = root.find(f"{ATOM}author/{ATOM}name") is not None
    for element in (root, *root.findall(f"{ATOM}entry")):
        for required in ("id", "title", "updated"):
            assert len(element.findall(f"{ATOM}{required}")) == 1, (required, xml[:200])
        datetime.fromisoformat(element.findtext(f"{ATOM}updated", ""))
        assert all(link.get("href") and link.get("rel") for link in element.findall(f"{ATOM}link"))
    own = feed_links(xml)
    assert own["self"]["type"] == kind and own["start"]["type"] == NAVIGATION
    for entry in root.findall(f"{ATOM}entry"):
        assert has_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        rels = {link.get("rel", "") for link in entry.findall(f"{ATOM}link")}
        types = {link.get("type") for link in entry.findall(f"{ATOM}link")}
        acquires = any(rel.startswith("http://opds-spec.org/acquisition") for rel in rels)
        assert acquires == (kind == ACQUISITION)
        assert kind == ACQUISITION or types & CATALOG_TYPES


def get_catalog(client: Client, url: str, expected_type: str) -> bytes:
    response = client.get(path_of(url) if url.startswith("http") else url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == expected_type, url
    parsed(response)
    check_catalog_feed(response.content, expected_type)
    return bytes(response.content)


def crowd(count: int, fandom: str = "Harbour Lights") -> list[Story]:
    """`count` public works, each by its own writer, with one part."""
    stories = []
    for n in range(count):
        story = make_story(make_user(), f"Crowd {n:02d}", tags={"fandom": [fandom]})
        make_part(story, "One")
        stories.append(story)
    return stories


def search_template(client: Client, description_url: str) -> str:
    """The catalog search's URL template from the OpenSearch description."""
    response = client.get(path_of(description_url))
    assert response.status_code == 200 and response["Content-Type"] == OPENSEARCH
    root = ElementTree.fromstring(response.content)  # noqa: S314
    templates = {url.get("type"): url.get("template", "") for url in root.iter(f"{SEARCH}Url")}
    return templates[ACQUISITION]


def walk(client: Client, start: str = "/opds/") -> tuple[dict[str, bytes], list[dict[str, str]]]:
    """Breadth first from the root, following every catalog link, and the search its
    OpenSearch description describes; the documents by address, and every other link met."""
    documents: dict[str, bytes] = {}
    others: list[dict[str, str]] = []
    queue = deque([(start, NAVIGATION)])
    while queue:
        url, link_type = queue.popleft()
        if url in documents:
            continue
        documents[url] = get_catalog(client, url, link_type)
        for link in links_of(documents[url]):
            if link.get("type") in CATALOG_TYPES:
                queue.append((path_of(link["href"]), link["type"]))
            elif link.get("type") == OPENSEARCH:
                template = search_template(client, link["href"])
                found = template.replace("{searchTerms}", "lamplighter")
                queue.append((path_of(found.replace("{startPage?}", "")), ACQUISITION))
            else:
                others.append(link)
    return documents, others


# --- browsing --------------------------------------------------------------------------------


def test_the_root_leads_to_new_updated_popular_and_each_kind_of_tag(
    shelf: Shelf, anonymous: Client
) -> None:
    xml = get_catalog(anonymous, "/opds/", NAVIGATION)
    feed = parsed(anonymous.get("/opds/"))
    assert [entry.title for entry in feed.entries] == [
        "New works",
        "Recently updated",
        "Popular",
        "Fandoms",
        "Relationships",
        "Characters",
        "Other tags",
    ]
    own = feed_links(xml)
    assert own["self"]["type"] == NAVIGATION and own["start"]["href"].endswith("/opds/")
    searches = [link for link in links_of(xml) if link["rel"] == "search"]
    assert [link["type"] for link in searches] == [OPENSEARCH]
    targets = {link["rel"]: link for link in links_of(xml) if link.get("type") in CATALOG_TYPES}
    assert targets["http://opds-spec.org/sort/new"]["href"].endswith("/opds/new/")
    assert targets["http://opds-spec.org/sort/popular"]["href"].endswith("/opds/popular/")
    # Every entry is dated by the newest public work.
    shelf.public.refresh_from_db()
    assert shelf.public.updated_at is not None
    assert {entry.updated for entry in feed.entries} == {shelf.public.updated_at.isoformat()}


def test_every_link_of_the_catalog_answers(shelf: Shelf, anonymous: Client) -> None:
    crowd(CATALOG_PAGE + 2)  # a second page in the listings and the fandom's works
    rebuild_index()
    documents, others = walk(anonymous)
    assert {"/opds/new/", "/opds/new/?page=2", "/opds/popular/", "/opds/updated/"} <= set(documents)
    assert "/opds/tags/fandom/harbour-lights/?page=2" in documents
    assert "/opds/search/?q=lamplighter&page=" in documents
    by_type: dict[str, int] = {}
    for link in others:
        by_type[link.get("type", "")] = by_type.get(link.get("type", ""), 0) + 1
        if link["rel"] in {"alternate", "http://opds-spec.org/acquisition"}:
            response = anonymous.get(path_of(link["href"]), follow=True)
            assert response.status_code == 200, link
            assert response["Content-Type"].startswith(link.get("type", "text/html")), link
    assert by_type[EPUB] >= CATALOG_PAGE + 3


def test_the_catalog_never_shows_what_an_anonymous_reader_may_not_see(shelf: Shelf) -> None:
    rebuild_index()
    for client in (Client(), client_for(shelf.writer), client_for(make_user())):
        documents, _others = walk(client)
        everything = b" ".join(documents.values()).decode()
        assert shelf.public.title in everything
        for title in shelf.unseen_titles:
            assert title not in everything, title
        for story in (shelf.members_only, shelf.draft, shelf.taken_down):
            epub = reverse("formats:download", args=[story.pk, "epub"])
            assert epub not in everything


def test_a_signed_in_reader_gets_the_anonymous_catalog(shelf: Shelf) -> None:
    member = client_for(make_user())
    for url in ("/opds/", "/opds/new/", "/opds/tags/fandom/", "/opds/tags/fandom/harbour-lights/"):
        assert member.get(url).content == Client().get(url).content


# --- what an entry says --------------------------------------------------------------------


def test_a_work_entry_carries_what_an_e_reader_app_shows(shelf: Shelf, anonymous: Client) -> None:
    cover = check_cover(SimpleUploadedFile("cover.png", png_bytes(), content_type="image/png"))
    covered = do_create_story(
        shelf.writer,
        StoryData(
            title="Cover Story",
            summary="Under the cover.\nSecond line.",
            rating="general",
            warnings=["none"],
            language="fr",
            tags={"fandom": ["Harbour Lights"], "character": ["Ada"]},
        ),
        cover=cover,
    )
    make_part(covered, "Une")
    xml = get_catalog(anonymous, "/opds/new/", ACQUISITION)
    feed = parsed(anonymous.get("/opds/new/"))
    entry = feed.entries[0]
    assert entry.title == "Cover Story" and entry.author == "Mira"
    assert entry.summary == "Under the cover.\nSecond line."
    assert entry.dcterms_language == "fr" and entry.title_detail.language == "fr"
    published = covered.parts.get().published_at
    assert published is not None and entry.published.startswith(published.date().isoformat())
    assert {(tag.term, tag.scheme.rsplit("/", 2)[-2]) for tag in entry.tags} == {
        ("Harbour Lights", "fandom"),
        ("Ada", "character"),
        ("general", "ratings"),
    }
    root = ElementTree.fromstring(xml)  # noqa: S314
    first = root.findall(f"{ATOM}entry")[0]
    assert first.findtext(f"{DC}language") == "fr"
    # The identifier inside the work's EPUB, so an app knows it has the book already.
    assert first.findtext(f"{DC}identifier") == story_identifier(covered.pk)
    assert first.findtext(f"{DC}issued", "").startswith(published.date().isoformat())
    links = {link.get("rel"): link.attrib for link in first.findall(f"{ATOM}link")}
    acquisition = links["http://opds-spec.org/acquisition"]
    assert acquisition["type"] == EPUB
    assert path_of(acquisition["href"]) == reverse("formats:download", args=[covered.pk, "epub"])
    covered.refresh_from_db()
    image, thumbnail = (
        links["http://opds-spec.org/image"],
        links["http://opds-spec.org/image/thumbnail"],
    )
    assert (image["type"], thumbnail["type"]) == ("image/png", "image/jpeg")
    assert path_of(image["href"]) == covered.cover.url
    assert path_of(thumbnail["href"]) == covered.cover_thumb.url
    assert default_storage.exists(covered.cover.name)
    assert links["alternate"]["href"].endswith(covered.get_absolute_url())
    # A work without a cover has no image links.
    plain = {link.get("rel") for link in root.findall(f"{ATOM}entry")[1].findall(f"{ATOM}link")}
    assert plain == {"alternate", "http://opds-spec.org/acquisition"}


def test_new_works_come_newest_first_and_popular_by_recent_engagement(
    shelf: Shelf, anonymous: Client
) -> None:
    older, newer = crowd(2)
    titles = [entry.title for entry in parsed(anonymous.get("/opds/new/")).entries]
    assert titles == [newer.title, older.title, shelf.public.title]
    do_set_vote(make_user(), Part.objects.get(story=older), True)
    compute_rankings()
    popular = [entry.title for entry in parsed(anonymous.get("/opds/popular/")).entries]
    assert popular[0] == older.title


def test_fandoms_are_listed_canonical_with_their_synonyms_counted(
    shelf: Shelf, anonymous: Client
) -> None:
    canonical = do_make_canonical(Tag.objects.get(name="Harbour Lights"))
    make_part(make_story(make_user(), "Elsewhere", tags={"fandom": ["HL"]}), "One")
    do_make_synonym(Tag.objects.get(name="HL"), canonical.name)
    crowd(1, fandom="Quiet Fields")
    # A fandom whose only works no anonymous reader may see is not listed at all.
    make_part(
        make_story(make_user(), "Hidden", tags={"fandom": ["Secret Garden"]}, restricted=True)
    )
    xml = get_catalog(anonymous, "/opds/tags/fandom/", NAVIGATION)
    feed = parsed(anonymous.get("/opds/tags/fandom/"))
    assert [(entry.title, entry.summary) for entry in feed.entries] == [
        ("Harbour Lights", "2 works"),
        ("Quiet Fields", "1 work"),
    ]
    targets = [link["href"] for link in links_of(xml) if link.get("rel") == "subsection"]
    assert [path_of(href) for href in targets] == [
        "/opds/tags/fandom/harbour-lights/",
        "/opds/tags/fandom/quiet-fields/",
    ]
    works = parsed(anonymous.get("/opds/tags/fandom/harbour-lights/"))
    assert [entry.title for entry in works.entries] == ["Elsewhere", "The Lamplighter"]
    synonym = anonymous.get("/opds/tags/fandom/hl/")
    assert synonym.status_code == 302
    assert synonym["Location"] == "/opds/tags/fandom/harbour-lights/"


def test_pages_link_first_previous_and_next(shelf: Shelf, anonymous: Client) -> None:
    crowd(CATALOG_PAGE)  # with the shelf's public work: one more than a page
    first = feed_links(get_catalog(anonymous, "/opds/new/", ACQUISITION))
    assert "previous" not in first and path_of(first["next"]["href"]) == "/opds/new/?page=2"
    assert first["first"]["href"] == first["self"]["href"]
    second_xml = get_catalog(anonymous, "/opds/new/?page=2", ACQUISITION)
    second = feed_links(second_xml)
    assert "next" not in second and path_of(second["previous"]["href"]) == "/opds/new/"
    assert path_of(second["first"]["href"]) == "/opds/new/"
    assert len(parsed(anonymous.get("/opds/new/?page=2")).entries) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/opds/new/?page=3",
        "/opds/new/?page=0",
        "/opds/new/?page=-1",
        "/opds/new/?page=abc",
        "/opds/new/?page=" + "9" * 40,
        "/opds/popular/?page=2",
        "/opds/tags/planet/",
        "/opds/tags/fandom/?page=2",
        "/opds/tags/fandom/no-such-fandom/",
        "/opds/tags/planet/harbour-lights/",
        "/opds/search/?q=lamp&page=2",
        "/feeds/stories/99999999999999999999999/",
    ],
)
def test_bad_addresses_are_404(shelf: Shelf, anonymous: Client, url: str) -> None:
    assert anonymous.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/opds/", "/opds/new/", "/opds/tags/fandom/", "/opds/search/", "/opds/opensearch.xml"],
)
def test_the_catalog_refuses_posts(shelf: Shelf, anonymous: Client, url: str) -> None:
    assert anonymous.post(url).status_code == 405


# --- search ----------------------------------------------------------------------------------


def test_opensearch_description_is_valid_and_its_template_works(
    shelf: Shelf, anonymous: Client
) -> None:
    rebuild_index()
    response = anonymous.get("/opds/opensearch.xml")
    assert response.status_code == 200 and response["Content-Type"] == OPENSEARCH
    root = ElementTree.fromstring(response.content)  # noqa: S314
    assert root.tag == f"{SEARCH}OpenSearchDescription"
    assert root.findtext(f"{SEARCH}ShortName") == "Talehouse"
    templates = {url.get("type"): url.get("template", "") for url in root.iter(f"{SEARCH}Url")}
    catalog = templates[ACQUISITION]
    for terms, page in (("lamplighter", ""), ("lamplighter", "1")):
        filled = catalog.replace("{searchTerms}", quote(terms)).replace("{startPage?}", page)
        feed = parsed(anonymous.get(path_of(filled)))
        assert [entry.title for entry in feed.entries] == ["The Lamplighter"]
    html = templates["text/html"].replace("{searchTerms}", "lamplighter")
    assert anonymous.get(path_of(html)).status_code == 200


def test_search_finds_public_works_only(shelf: Shelf, anonymous: Client) -> None:
    rebuild_index()
    for query in ("lantern", "lamplighter OR lantern"):
        response = anonymous.get("/opds/search/", {"q": query})
        assert response["Content-Type"] == ACQUISITION
        titles = [entry.title for entry in parsed(response).entries]
        assert titles == ([] if query == "lantern" else ["The Lamplighter"])


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("", "Say what to look for."),
        ("   ", "Say what to look for."),
        ("-lamplighter", "Say what to look for, not only what to leave out."),
        ('"', "Say what to look for, not only what to leave out."),
        ("x" * 500, "Search for at most 200 characters."),
        (" ".join(["w"] * 30), "Search for at most 20 words or phrases."),
        ("zzzyx", "Nothing matches."),
        ("NEAR( OR AND * ^", "Nothing matches."),
    ],
)
def test_what_cannot_be_searched_for_gives_an_empty_feed_saying_why(
    shelf: Shelf, anonymous: Client, query: str, says: str
) -> None:
    rebuild_index()
    feed = parsed(anonymous.get("/opds/search/", {"q": query}))
    assert feed.entries == [] and feed.feed.subtitle == says


# --- query budgets ---------------------------------------------------------------------------

# The listing version (not for search), then: the newest work's date; a page of works, their
# writers and their tags; the tag counts and the tags; the tag with its synonyms and a page of
# its works; search's best matches and a page of them.
CATALOG_QUERIES = {
    "/opds/": 2,
    "/opds/new/": 4,
    "/opds/updated/": 4,
    "/opds/popular/": 4,
    "/opds/tags/fandom/": 3,
    "/opds/tags/fandom/harbour-lights/": 5,
    "/opds/search/?q=crowd": 4,
    "/opds/opensearch.xml": 0,
}


def test_catalog_query_counts_do_not_grow(
    db: None, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.TALEHOUSE_PAGE_CACHE = False  # measure the database path, not the cache
    client = Client()
    for size in (3, 30):
        made = Story.objects.count()
        for n in range(made, size):
            fandom = f"Fandom {n % 7}" if n else "Harbour Lights"
            story = make_story(
                make_user(), f"Crowd {n}", tags={"fandom": [fandom, "Harbour Lights"]}
            )
            make_part(story, "One")
        rebuild_index()
        for url, queries in CATALOG_QUERIES.items():
            with django_assert_num_queries(queries):
                assert client.get(url).status_code == 200, url


def test_a_cached_catalog_feed_costs_one_query(
    shelf: Shelf, anonymous: Client, django_assert_num_queries: Any
) -> None:
    for url in ("/opds/", "/opds/new/", "/opds/tags/fandom/", "/opds/tags/fandom/harbour-lights/"):
        first = anonymous.get(url)
        with django_assert_num_queries(1):
            assert anonymous.get(url).content == first.content


def test_a_tag_count_may_lag_but_the_works_never_do(shelf: Shelf, anonymous: Client) -> None:
    assert parsed(anonymous.get("/opds/tags/fandom/")).entries[0].summary == "1 work"
    do_unpublish_part(Part.objects.get(pk=shelf.published_part.pk))
    # Counted at most COUNTS_TTL ago: the fandom and its count stay a while...
    assert parsed(anonymous.get("/opds/tags/fandom/")).entries[0].summary == "1 work"
    # ...but what it leads to is never stale.
    assert parsed(anonymous.get("/opds/tags/fandom/harbour-lights/")).entries == []
    assert parsed(anonymous.get("/opds/new/")).entries == []


def test_the_home_page_points_e_reader_apps_and_browsers_to_the_catalog(
    shelf: Shelf, anonymous: Client
) -> None:
    html = anonymous.get("/").content.decode()
    assert 'rel="related" type="application/atom+xml;profile=opds-catalog;kind=navigation"' in html
    assert 'href="/opds/"' in html
    assert 'rel="search" type="application/opensearchdescription+xml"' in html
