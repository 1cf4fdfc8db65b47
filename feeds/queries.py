"""What feeds and the catalog read. Everything starts from an anonymous reader's public
listings (`Story.objects.listed_for`) or from `visible_to` for an anonymous reader: a feed is
fetched by a reader's app without their cookies, and one copy is shared by everyone (a
signed-in reader gets the same feed, never their sign-in-only works)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce
from django.http import Http404

from discover.filters import SORTS
from discover.profile import with_tags
from stories.models import Part, PartQuerySet, Story, StoryQuerySet, StoryTag
from stories.queries import listing_cards
from tags.models import Tag, TagKind
from talehouse.lib.paging import Page, page_of

NOBODY = AnonymousUser()


def public_stories() -> StoryQuerySet:
    """The works any feed may show: an anonymous reader's listings."""
    return Story.objects.listed_for(NOBODY)


def for_entries(stories: StoryQuerySet) -> StoryQuerySet:
    """Stories as feed entries: their writers and their tags in one more query each."""
    return with_tags(listing_cards(stories))


def sorted_by(stories: StoryQuerySet, sort: str) -> StoryQuerySet:
    """In one of the works listing's orders (discover.filters.SORTS): "published" (new),
    "updated", "hot" (popular)."""
    ordering, _label = SORTS[sort]
    return stories.order_by(*ordering)


def story_for_feed(pk: int) -> Story:
    try:
        return Story.objects.visible_to(NOBODY).select_related("author__profile").get(pk=pk)
    except Story.DoesNotExist:
        raise Http404 from None


def new_parts() -> PartQuerySet:
    """Published parts an anonymous reader may see, newest first, with their stories and
    writers (not their text)."""
    return (
        Part.objects.visible_to(NOBODY)
        .select_related("story__author__profile")
        .defer("body_html", "notes_before", "notes_after", "paragraph_comments")
        .order_by("-published_at", "-pk")
    )


@dataclass(frozen=True)
class TagGroup:
    tag: Tag
    ids: list[int]  # the tag and its synonyms: works carrying any of them are the tag's

    def stories(self, stories: StoryQuerySet) -> StoryQuerySet:
        # The ids as numbers, as the tag page does: PostgreSQL then walks the newest works.
        return stories.filter(
            pk__in=StoryTag.objects.filter(tag_id__in=self.ids).values("story_id")
        )


def tag_group(kind: str, slug: str) -> TagGroup:
    """The tag called `kind:slug` with its synonyms, in one query. For a synonym, its
    canonical tag's group with `tag` the canonical (the caller redirects). 404 if none."""
    if kind not in TagKind.values:
        raise Http404
    rows = list(
        Tag.objects.select_related("canonical").filter(
            Q(kind=kind, slug=slug) | Q(canonical__kind=kind, canonical__slug=slug)
        )
    )
    tag = next((row for row in rows if row.kind == kind and row.slug == slug), None)
    if tag is None:
        raise Http404
    if tag.canonical is not None:
        return TagGroup(tag.canonical, [])
    return TagGroup(tag, [tag.pk, *(row.pk for row in rows if row.canonical_id == tag.pk)])


@dataclass(frozen=True)
class TagCount:
    tag: Tag
    works: int
    newest: datetime | None


# Tag counts are kept this long whatever the listings do (with the page cache on).
COUNTS_TTL = 600


def tags_with_counts(kind: str, number: int, per_page: int) -> Page[TagCount]:
    """A page of the tags of one kind that public works carry, synonyms counted under their
    canonical tag, those with most works first: two queries (the counts, then the tags).

    Kept for COUNTS_TTL, not keyed by the listings' version like the feeds: this is the one
    catalog query that reads every public work carrying a kind of tag, and on a busy site the
    listings change every few seconds. A count that lags a few minutes shows no work: which
    works a tag's feed lists is decided when that feed is built."""
    key = f"feeds:tag-counts:{kind}:{number}:{per_page}"
    cached: Page[TagCount] | None = cache.get(key) if settings.TALEHOUSE_PAGE_CACHE else None
    if cached is not None:
        return cached
    counts = (
        StoryTag.objects.filter(story__in=public_stories().values("pk"), tag__kind=kind)
        .annotate(group=Coalesce("tag__canonical_id", "tag_id"))
        .values("group")
        .annotate(works=Count("story_id", distinct=True), newest=Max("story__updated_at"))
        .order_by("-works", "group")
    )
    rows = page_of(counts, number, per_page)
    tags = Tag.objects.in_bulk([row["group"] for row in rows.items])
    items = [TagCount(tags[row["group"]], row["works"], row["newest"]) for row in rows.items]
    page = Page(rows.number, items, rows.has_next)
    if settings.TALEHOUSE_PAGE_CACHE:
        cache.set(key, page, COUNTS_TTL)
    return page
