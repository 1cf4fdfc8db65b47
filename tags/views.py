from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from stories.models import Story
from stories.queries import story_cards
from tags.models import Tag, TagKind


@require_safe
def tag_detail(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    if kind not in TagKind.values:
        raise Http404
    try:
        tag = Tag.objects.get(kind=kind, slug=slug)
    except Tag.DoesNotExist:
        raise Http404 from None
    stories = story_cards(
        Story.objects.visible_to(request.user)
        .public()
        .filter(story_tags__tag=tag)
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(stories, 20).get_page(request.GET.get("page"))
    return render(request, "tags/tag_detail.html", {"tag": tag, "page": page})
