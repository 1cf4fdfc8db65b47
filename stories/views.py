"""Reading views: story page, part page, the whole story on one page."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from social.actions import has_voted
from social.models import MAX_COMMENT_DEPTH
from stories import pagecache, queries
from stories.jsonld import part_jsonld, render_jsonld, story_jsonld
from stories.models import Part, Story


def _visible_story(request: HttpRequest, pk: int) -> Story:
    try:
        return (
            Story.objects.visible_to(request.user)
            .select_related("author__profile")
            .annotate(listing_version=pagecache.listing_version_subquery())
            .get(pk=pk)
        )
    except Story.DoesNotExist:
        raise Http404 from None


@require_safe
def story_detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    cacheable = pagecache.is_cacheable(request)
    if cacheable and (hit := pagecache.get_page("story", pk, slug, request)) is not None:
        return hit
    story = _visible_story(request, pk)
    if slug != story.slug:
        return redirect(story, permanent=True)
    response = render(request, "stories/story_detail.html", story_page_context(request, story))
    if cacheable:
        # The versions were read with the story's row, before the page was built from it.
        versions = (story.page_version, story.listing_version)  # type: ignore[attr-defined]
        pagecache.store_page("story", pk, slug, versions, request, response.content)
    return response


def story_page_context(request: HttpRequest, story: Story) -> dict[str, Any]:
    toc = queries.table_of_contents(story, request.user)
    first_part = next((entry for entry in toc if not entry.is_draft), None)
    return {
        "story": story,
        "tag_groups": queries.tags_by_kind(story),
        "toc": toc,
        "first_part": first_part,
        "is_author": request.user.is_authenticated and request.user.pk == story.author_id,
        "jsonld": render_jsonld(story_jsonld(story)),
    }


@require_safe
def part_detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    cacheable = pagecache.is_cacheable(request)
    if cacheable and (hit := pagecache.get_page("part", pk, slug, request)) is not None:
        return hit
    try:
        part = (
            Part.objects.visible_to(request.user)
            .select_related("story__author__profile")
            .annotate(listing_version=pagecache.listing_version_subquery())
            .get(pk=pk)
        )
    except Part.DoesNotExist:
        raise Http404 from None
    if slug != part.slug:
        return redirect(part, permanent=True)
    response = render(request, "stories/part_detail.html", part_page_context(request, part))
    if cacheable:
        # The versions were read with the part's row, before the page was built from it.
        versions = (part.story.page_version, part.listing_version)  # type: ignore[attr-defined]
        pagecache.store_page("part", pk, slug, versions, request, response.content)
    return response


def part_page_context(request: HttpRequest, part: Part) -> dict[str, Any]:
    """Everything the part page shows; a fixed number of queries whatever the story's size."""
    story = part.story
    toc = queries.table_of_contents(story, request.user)
    index = next(i for i, entry in enumerate(toc) if entry.pk == part.pk)
    readable = [e for e in toc if not e.is_draft or e.pk == part.pk]
    position = readable.index(toc[index])
    previous_part = readable[position - 1] if position > 0 else None
    next_part = readable[position + 1] if position + 1 < len(readable) else None
    page, threads = queries.comment_threads(part, request.GET.get("comments"))
    if page.number > 1 and not threads:
        raise Http404  # past the last page of comments
    return {
        "part": part,
        "story": story,
        "toc": toc,
        "part_number": toc[index].number,
        "previous_part": previous_part,
        "next_part": next_part,
        "tag_groups": queries.tags_by_kind(story),
        "comment_page": page,
        "comment_threads": threads,
        "max_comment_depth": MAX_COMMENT_DEPTH,
        "voted": has_voted(request.user, part),
        "discover": queries.discover_more(story, request.user),
        "is_author": request.user.is_authenticated and request.user.pk == story.author_id,
        "jsonld": render_jsonld(part_jsonld(part)),
    }


@require_safe
def story_full(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    """Every published part on one page (AO3's "Entire Work")."""
    story = _visible_story(request, pk)
    parts = Part.objects.filter(story=story).published()
    return render(
        request,
        "stories/story_full.html",
        {
            "story": story,
            "parts": list(parts),
            "tag_groups": queries.tags_by_kind(story),
            "jsonld": render_jsonld(story_jsonld(story)),
        },
    )


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    stories = queries.story_cards(
        Story.objects.visible_to(request.user).public().order_by("-updated_at", "-pk")
    )
    page = Paginator(stories, 12).get_page(request.GET.get("page"))
    return render(request, "stories/home.html", {"page": page})
