from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from discover.profile import mark_hidden, with_tags_for
from stories.models import Story, StoryQuerySet, StoryTag
from stories.queries import listing_cards
from tags.actions import may_garden
from tags.models import Tag, TagKind
from tags.queries import check_suggest_query, suggested_tags
from talehouse.lib.paging import COUNT_CAP, CappedPaginator
from talehouse.lib.ratelimit import over_limit


@require_safe
def tag_detail(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    if kind not in TagKind.values:
        raise Http404
    try:
        tag = Tag.objects.select_related("canonical", "parent").get(kind=kind, slug=slug)
    except Tag.DoesNotExist:
        raise Http404 from None
    if tag.canonical is not None and tag.canonical.pk != tag.pk:
        # A synonym's page is its canonical tag's page (tag gardening merges them).
        return redirect(tag.canonical, permanent=False)
    synonyms = list(Tag.objects.filter(canonical=tag).order_by("name"))
    # The tag's ids as numbers, not a subquery: PostgreSQL then knows how many works a big
    # tag holds and walks the newest works instead of sorting all of the tag's (78 ms -> 9 ms
    # for a fandom of 18,000 works, bench/archive.py).
    group = [tag.pk, *(synonym.pk for synonym in synonyms)]
    stories = listing_cards(
        Story.objects.listed_for(request.user)
        .filter(pk__in=StoryTag.objects.filter(tag_id__in=group).values("story_id"))
        .order_by("-updated_at", "-pk")
    )
    # The reader's filter profile folds what it hides.
    page = CappedPaginator(with_tags_for(request.user, stories), 20).get_page(
        request.GET.get("page")
    )
    mark_hidden(request.user, list(page.object_list))
    context = {
        "tag": tag,
        "page": page,
        "synonyms": synonyms,
        "related": related_tags(group, stories) if page.paginator.count else [],
        "may_garden": may_garden(request.user),
        "count_cap": COUNT_CAP,
    }
    return render(request, "tags/tag_detail.html", context)


# Related tags are counted over the tag's newest this many works (a big fandom's whole list
# took a third of a second at 100,000 works, bench/archive.py).
RELATED_SAMPLE = 1000


def related_tags(group: list[int], stories: StoryQuerySet, limit: int = 12) -> list[Tag]:
    """The tags most often on the same works as a tag (`group`: it and its synonyms, left
    out), among its newest RELATED_SAMPLE works, with `works` counted: one query."""
    return list(
        Tag.objects.filter(story_tags__story__in=stories.values("pk")[:RELATED_SAMPLE])
        .exclude(pk__in=group)
        .exclude(canonical__in=group)
        .annotate(works=Count("story_tags"))
        .order_by("-works", "name")[:limit]
    )


@require_safe
def suggest(request: HttpRequest) -> JsonResponse:
    """Existing tags starting with what is being typed (`q`), of one `kind` or any (`kind`
    left out): JSON for tags/static/tags/tag-suggest.js. The same answer for everyone, so it
    touches no session, is limited per address and may be kept by a browser or proxy."""
    if over_limit("tag_suggest", str(request.META.get("REMOTE_ADDR", ""))):
        return JsonResponse({"error": _("Too many requests: wait a moment.")}, status=429)
    try:
        prefix, kind = check_suggest_query(request.GET.get("q", ""), request.GET.get("kind", ""))
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=400)
    found = suggested_tags(prefix, kind)
    response = JsonResponse({"tags": [suggestion.as_json() for suggestion in found]})
    # A new tag shows up within the minute; typing the same letters again costs nothing.
    patch_cache_control(response, public=True, max_age=60)
    return response
