"""One visibility filter: every story, part and comment query a page runs went through
`visible_to` (or says why it need not). A view that builds its own query fails here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db.models import QuerySet
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from social.actions.comments import do_add_comment
from social.models import Comment
from stories.models import VISIBILITY_HINT, Part, Story
from stories.paragraphs import paragraphs
from tags.models import Tag
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user

GUARDED = (Story, Part, Comment)
READING_METHODS = ("_fetch_all", "count", "exists", "aggregate", "iterator", "in_bulk")


@pytest.fixture
def unchecked_queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record every evaluated story, part or comment query that skipped the filter."""
    found: list[str] = []

    def guard(name: str) -> Callable[..., Any]:
        original = getattr(QuerySet, name)

        def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
            if issubclass(self.model, GUARDED) and VISIBILITY_HINT not in self._hints:
                query = f"{self.model.__name__}: {self.query}"
                found.extend([query] if query not in found else [])
            return original(self, *args, **kwargs)

        return checked

    for name in READING_METHODS:
        monkeypatch.setattr(QuerySet, name, guard(name))
    yield found


def our_url_names() -> set[str]:
    """Every named URL of our own apps (not allauth's or the admin's)."""
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in {"admin"} or "allauth" in str(pattern.urlconf_name):
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


@pytest.fixture
def site(db: None) -> dict[str, Any]:
    author = make_user(username="author")
    reader = make_user(username="reader")
    story = make_story(author, "Open Book", tags={"fandom": ["Original Work"]})
    part = make_part(story, "One", "<p>Words.</p>")
    make_part(story, "Two (draft)", "<p>Draft.</p>", publish=False)
    members = make_story(author, "Members Only", restricted=True)
    make_part(members, "Inside")
    comment = do_add_comment(reader, part, "Lovely.")
    return {"author": author, "reader": reader, "story": story, "part": part, "comment": comment}


def reading_urls(site: dict[str, Any]) -> dict[str, str]:
    story, part, comment = site["story"], site["part"], site["comment"]
    tag = Tag.objects.get(name="Original Work")
    return {
        "home": reverse("home"),
        "robots_txt": reverse("robots_txt"),
        "django.contrib.sitemaps.views.sitemap": "/sitemap.xml",
        "accounts:profile": reverse("accounts:profile", args=["author"]),
        "accounts:profile_edit": reverse("accounts:profile_edit"),
        "stories:detail": story.get_absolute_url(),
        "stories:full": reverse("stories:full", args=[story.pk]),
        "stories:part": part.get_absolute_url(),
        "stories:part_reader": reverse("stories:part_reader", args=[part.pk]),
        "tags:detail": tag.get_absolute_url(),
        "tags:suggest": reverse("tags:suggest") + "?q=orig",
        "stories:my_stories": reverse("stories:my_stories"),
        "stories:story_create": reverse("stories:story_create"),
        "stories:story_manage": reverse("stories:story_manage", args=[story.pk]),
        "stories:story_edit": reverse("stories:story_edit", args=[story.pk]),
        "stories:story_delete": reverse("stories:story_delete", args=[story.pk]),
        "stories:part_create": reverse("stories:part_create", args=[story.pk]),
        "stories:part_edit": reverse("stories:part_edit", args=[part.pk]),
        "stories:part_delete": reverse("stories:part_delete", args=[part.pk]),
        "social:comment_add": reverse("social:comment_add", args=[part.pk]),
        "social:comment_edit": reverse("social:comment_edit", args=[comment.pk]),
        "social:comment_delete": reverse("social:comment_delete", args=[comment.pk]),
        "social:paragraph_comments": reverse(
            "social:paragraph_comments", args=[part.pk, paragraphs(part.body_html)[0][0]]
        ),
        "notifications:subscription": reverse("notifications:subscription", args=[story.pk]),
        "notifications:list": reverse("notifications:list"),
        "notifications:settings": reverse("notifications:settings"),
        "notifications:unsubscribe": reverse("notifications:unsubscribe", args=["bad-token"]),
        "library:library": reverse("library:library"),
        "library:shelf": reverse("library:shelf", args=[story.pk]),
        "library:history": reverse("library:history"),
        "library:history_clear": reverse("library:history_clear"),
        "library:history_json": reverse("library:history_json"),
        "library:history_csv": reverse("library:history_csv"),
        **reading_list_urls(site),
        "discover:works": reverse("discover:works") + "?sort=reads&xwarning=death",
        "tags:garden": reverse("tags:garden"),
        "discover:filters": reverse("discover:filters"),
        "discover:discover": reverse("discover:discover"),
        "discover:like_this": reverse("discover:like_this", args=[story.pk]),
        "tags:garden_tag": reverse("tags:garden_tag", args=[Tag.objects.get(slug="slow-burn").pk]),
        "formats:download": reverse("formats:download", args=[story.pk, "epub"]),
        "formats:download_status": reverse("formats:download_status", args=[story.pk, "pdf"]),
        **import_urls(site),
        **feed_urls(site),
    }


def feed_urls(site: dict[str, Any]) -> dict[str, str]:
    """The Atom feeds and the OPDS catalog (feeds/), with a search index to search."""
    from search.indexing import rebuild_index

    rebuild_index()
    fandom = ["fandom", "original-work"]
    return {
        "feeds:story": reverse("feeds:story", args=[site["story"].pk]),
        "feeds:writer": reverse("feeds:writer", args=["author"]),
        "feeds:tag": reverse("feeds:tag", args=fandom),
        "feeds:opds_root": reverse("feeds:opds_root"),
        "feeds:opds_new": reverse("feeds:opds_new"),
        "feeds:opds_updated": reverse("feeds:opds_updated"),
        "feeds:opds_popular": reverse("feeds:opds_popular"),
        "feeds:opds_tags": reverse("feeds:opds_tags", args=["fandom"]),
        "feeds:opds_tag": reverse("feeds:opds_tag", args=fandom),
        "feeds:opds_search": reverse("feeds:opds_search") + "?q=open+OR+members",
        "feeds:opensearch": reverse("feeds:opensearch"),
    }


def import_urls(site: dict[str, Any]) -> dict[str, str]:
    """The author's import of parts into their story, read and waiting for them (imports/)."""
    from imports.actions import do_start_import
    from imports.models import ImportPreview

    story = site["story"]
    preview = ImportPreview.objects.filter(owner=site["author"]).first() or do_start_import(
        site["author"], "more.md", b"## Three\n\nWords.\n", story
    )
    return {
        "imports:start": reverse("imports:start"),
        "imports:start_parts": reverse("imports:start_parts", args=[story.pk]),
        "imports:preview": reverse("imports:preview", args=[preview.pk]),
        "imports:status": reverse("imports:status", args=[preview.pk]),
    }


def reading_list_urls(site: dict[str, Any]) -> dict[str, str]:
    """The reader's public list holding the story, and their bookmark of it (made once)."""
    from library.models import Bookmark, ListEntry, ReadingList

    story = site["story"]
    reading_list, _ = ReadingList.objects.get_or_create(
        owner=site["reader"], title="Favourites", defaults={"is_public": True}
    )
    entry, _ = ListEntry.objects.get_or_create(
        reading_list=reading_list, story=story, defaults={"position": 1}
    )
    Bookmark.objects.get_or_create(reader=site["reader"], story=story, is_public=True)
    return {
        "library:lists": reverse("library:lists"),
        "library:list_create": reverse("library:list_create"),
        "library:list_detail": reverse("library:list_detail", args=[reading_list.pk]),
        "library:list_edit": reverse("library:list_edit", args=[reading_list.pk]),
        "library:list_delete": reverse("library:list_delete", args=[reading_list.pk]),
        "library:list_add": reverse("library:list_add", args=[story.pk]),
        "library:entry_edit": reverse("library:entry_edit", args=[reading_list.pk, entry.pk]),
        "library:bookmarks": reverse("library:bookmarks"),
        "library:bookmark": reverse("library:bookmark", args=[story.pk]),
    }


# URLs that answer no GET, so no page is built from them.
POST_ONLY = {
    "accounts:reader_settings",
    "stories:part_autosave",
    "stories:part_publish",
    "stories:part_unpublish",
    "stories:part_move",
    "stories:part_schedule",
    "stories:part_unschedule",
    "notifications:follow",
    "notifications:subscribe",
    "notifications:announce",
    "notifications:read",
    "notifications:read_all",
    "social:vote",
    "social:read_beacon",
    "social:comment_freeze",
    "social:comment_policy",
    "library:position",
    "library:history_pause",
    "library:entry_move",
    "library:entry_remove",
    "library:bookmark_delete",
    "imports:confirm",
    "imports:cancel",
}


def test_the_crawl_covers_every_page_of_ours(site: dict[str, Any]) -> None:
    assert our_url_names() == set(reading_urls(site)) | POST_ONLY


@pytest.mark.parametrize("who", ["anonymous", "reader", "author"])
def test_every_page_queries_stories_parts_and_comments_through_visible_to(
    site: dict[str, Any], unchecked_queries: list[str], settings: Any, who: str
) -> None:
    settings.TALEHOUSE_PAGE_CACHE = False  # build every page, not a cached copy
    user: User | None = None if who == "anonymous" else site[who]
    client = Client() if user is None else client_for(user)
    for name, url in reading_urls(site).items():
        response = client.get(url)
        assert response.status_code < 500, name
        assert unchecked_queries == [], f"{who} {name}: {unchecked_queries}"


def test_the_guard_catches_a_query_that_skips_the_filter(
    site: dict[str, Any], unchecked_queries: list[str]
) -> None:
    list(Story.objects.filter(title="Open Book"))
    list(Story.objects.visible_to(site["reader"]).filter(title="Open Book"))
    assert len(unchecked_queries) == 1 and "Story" in unchecked_queries[0]
