"""Reading views: story page, part page, the whole story on one page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from accounts.models import DEFAULT_READER_SETTINGS, AuthenticatedHttpRequest
from social.actions.votes import has_voted
from social.models import MAX_COMMENT_DEPTH
from social.paragraph_marks import prose_with_comment_buttons
from social.queries import (
    comment_page_number,
    comment_threads,
    mark_permissions,
    own_comments_on_page,
)
from stories import pagecache, queries
from stories.jsonld import interactions, part_jsonld_html, render_jsonld, story_jsonld
from stories.models import Audience, Part, Story
from talehouse.templatetags.talehouse import stats_line


def _visible_story(request: HttpRequest, pk: int) -> Story:
    try:
        return (
            Story.objects.visible_to(request.user)
            .select_related("author__profile", "ranking__best_tag")
            .annotate(listing_version=pagecache.listing_version_subquery())
            .get(pk=pk)
        )
    except Story.DoesNotExist:
        raise Http404 from None


def _shared_context(audience: Audience) -> dict[str, Any]:
    """What a shared page shows in place of one reader's things: nobody's name or account
    settings (the browser applies the reader's own before first paint, reader-prefs.js)."""
    return {
        "shared_page": audience,
        "reader_settings": DEFAULT_READER_SETTINGS,
        "reader_settings_from_account": False,
    }


def cached_page(key: pagecache.PageKey, viewer_id: int | None) -> HttpResponse | None:
    """A shared page from the cache (one query), or None: render it.

    Also called before sessions and auth run, for anonymous readers
    (stories.middleware.CachedPageMiddleware)."""
    if not (settings.TALEHOUSE_PAGE_CACHE or settings.TALEHOUSE_FRAME_CACHE):
        return None
    current = pagecache.Current.of(key)
    if current is None or viewer_id == current.author_id:
        return None
    if (hit := pagecache.get_page(key, current)) is not None:
        return hit
    if key.kind == "part" and (frame := pagecache.get_frame(key, current)) is not None:
        response = HttpResponse(pagecache.fill_frame(frame, live_pieces(current.numbers)))
        response["X-Talehouse-Cache"] = "frame"
        return pagecache.store_page(key, current, response)
    return None


def live_pieces(numbers: pagecache.Numbers) -> dict[str, str]:
    """The part page's live numbers, as `pagecache.live` marked them in the template."""
    counts = render_jsonld(interactions(*numbers))
    return {"part_stats": stats_line(*numbers), "part_counts": counts}


@require_safe
def story_detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    audience = pagecache.shared_audience(request)
    key = pagecache.PageKey.of("story", pk, slug, audience, request) if audience else None
    if key is not None and (cached := cached_page(key, request.user.pk)) is not None:
        return cached
    story = _visible_story(request, pk)
    if slug != story.slug:
        return redirect(story, permanent=True)
    context = story_page_context(request, story)
    if key is None or request.user.pk == story.author_id:
        return pagecache.mark_personal(render(request, "stories/story_detail.html", context))
    context |= _shared_context(key.audience)
    response = render(request, "stories/story_detail.html", context)
    # The versions were read with the story's row, before the page was built from it.
    current = pagecache.Current.read_with(story, story.listing_version, (0, 0, 0))  # type: ignore[attr-defined]
    return pagecache.store_page(key, current, response)


def story_page_context(request: HttpRequest, story: Story) -> dict[str, Any]:
    toc = queries.table_of_contents(story, request.user)
    first_part = next((entry for entry in toc if not entry.is_draft), None)
    return {
        "story": story,
        "tag_groups": queries.tags_by_kind(story),
        "toc": toc,
        "first_part": first_part,
        "discover": queries.more_like_this(story, request.user) if first_part else [],
        "is_author": request.user.is_authenticated and request.user.pk == story.author_id,
        "jsonld": render_jsonld(story_jsonld(story)),
    }


@require_safe
def part_detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    audience = pagecache.shared_audience(request)
    key = pagecache.PageKey.of("part", pk, slug, audience, request) if audience else None
    if key is not None and (cached := cached_page(key, request.user.pk)) is not None:
        return cached
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
    if key is None or request.user.pk == part.story.author_id:
        context = part_page_context(request, part, personal=True)
        return pagecache.mark_personal(render(request, "stories/part_detail.html", context))
    context = part_page_context(request, part, personal=False) | _shared_context(key.audience)
    html = render_to_string("stories/part_detail.html", context, request)
    frame, page = pagecache.cut_frame(html)
    # The versions were read with the part's row, before the page was built from it.
    numbers = (part.reads_count, part.votes_count, part.comments_count)
    current = pagecache.Current.read_with(part.story, part.listing_version, numbers)  # type: ignore[attr-defined]
    pagecache.store_frame(key, current, frame)
    return pagecache.store_page(key, current, HttpResponse(page))


def part_page_context(request: HttpRequest, part: Part, personal: bool) -> dict[str, Any]:
    """Everything the part page shows; a fixed number of queries whatever the story's size.

    A shared page (`personal=False`) holds nothing of one reader's: the reader's vote and
    controls come from `part_reader`; its live numbers are marked (`pagecache.live`) so the
    page cache can keep it as a frame. A personal page (the author's, or one with a message
    waiting) has them inline.
    """
    story = part.story
    toc = queries.table_of_contents(story, request.user)
    index = next(i for i, entry in enumerate(toc) if entry.pk == part.pk)
    readable = [e for e in toc if not e.is_draft or e.pk == part.pk]
    position = readable.index(toc[index])
    previous_part = readable[position - 1] if position > 0 else None
    next_part = readable[position + 1] if position + 1 < len(readable) else None
    page, threads = comment_threads(request.user, part, request.GET.get("comments"))
    if page.number > 1 and not threads:
        raise Http404  # past the last page of comments
    context = {
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
        "discover": queries.more_like_this(story, request.user),
        "is_author": request.user.pk == story.author_id,
        "personal": personal,
        "live_marks": not personal,
        "jsonld": part_jsonld_html(part, live_marks=not personal),
        # Each paragraph with its comment button and count (the same for every reader).
        "prose_html": prose_with_comment_buttons(part) if part.is_published else None,
    }
    if personal and request.user.is_authenticated:
        context["voted"] = has_voted(request.user, part)
        mark_permissions(threads, request.user, story.author_id)
    return context


@login_required
@require_safe
def part_reader(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The part page's per-reader fragment: the reader's vote, comment form, own comments'
    controls and menu, swapped into the shared page by htmx (out of band). Without
    JavaScript the shared page links here, and it is a page of the reader's controls."""
    try:
        part = Part.objects.visible_to(request.user).published().select_related("story").get(pk=pk)
    except Part.DoesNotExist:
        raise Http404 from None
    number = comment_page_number(request.GET.get("comments"))
    own = own_comments_on_page(request.user, part, number)
    context = {
        "part": part,
        "story": part.story,
        "voted": has_voted(request.user, part),
        "own_comments": own,
        "comment_page_number": number,
        "max_comment_depth": MAX_COMMENT_DEPTH,
        "personal": True,
    }
    template = "stories/_part_reader.html" if request.htmx else "stories/part_reader.html"  # type: ignore[attr-defined]
    return pagecache.mark_personal(render(request, template, context))


@require_safe
def story_full(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    """Every published part on one page (AO3's "Entire Work")."""
    story = _visible_story(request, pk)
    parts = Part.objects.visible_to(request.user).published().filter(story=story)
    return render(
        request,
        "stories/story_full.html",
        {
            "story": story,
            "parts": list(parts),
            "tag_groups": queries.tags_by_kind(story),
            "jsonld": render_jsonld(story_jsonld(story)),
            "personal": True,
        },
    )
