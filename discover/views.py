"""Discover: the works listing of the whole archive, filtered and sorted from the URL."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import AuthenticatedHttpRequest, User
from discover import profile
from discover.filters import (
    FACET_SAMPLE,
    SORTS,
    WorksFilter,
    WorksFilterForm,
    tag_counts,
    tag_param,
)
from discover.models import MAX_HIDE_RULES, FilterSettings, HideRule
from discover.profile import TAGS_PREFETCH, mark_hidden, with_tags, with_tags_for
from search.indexing import snippets
from social.models import Read
from stories.models import Story, StoryStatus
from stories.pagecache import mark_personal
from stories.queries import DISCOVER_COUNT, listing_cards, more_like_this, story_cards
from talehouse.lib.paging import COUNT_CAP, CappedPaginator
from talehouse.lib.ratelimit import over_limit, too_many_requests

WORKS_PER_PAGE = 20
HOME_PAGE_SIZE = 12


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The front page: the newest updates, the way to Discover; the reader's filters fold."""
    stories = story_cards(Story.objects.listed_for(request.user).order_by("-updated_at", "-pk"))
    page = Paginator(with_tags_for(request.user, stories), HOME_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    mark_hidden(request.user, list(page.object_list))
    return render(request, "discover/home.html", {"page": page})


SHELF_SIZE = 8


@require_safe
def discover(request: HttpRequest) -> HttpResponse:
    """Hot, new, completed, and fresh and under-read works: a few of each, with the way to
    the whole listing sorted the same way. One query a shelf (and a reader's filters)."""
    visible = Story.objects.listed_for(request.user)
    hot_first = (F("ranking__hot").desc(nulls_last=True), "-updated_at", "-pk")
    shelves = [
        (
            "hot",
            _("Hot right now"),
            visible.filter(ranking__hot__gt=0).order_by(*hot_first),
            "sort=hot",
        ),
        ("new", _("New stories"), visible.order_by("-published_at", "-pk"), "sort=published"),
        (
            "completed",
            _("Completed"),
            visible.filter(status=StoryStatus.COMPLETE).order_by(*hot_first),
            "complete=on&sort=hot",
        ),
        (
            "fresh",
            _("Fresh and under-read"),
            WorksFilter(sort="fresh").apply(visible),
            "sort=fresh",
        ),
    ]
    shown: list[dict[str, Any]] = []
    every: list[Story] = []
    for key, title, stories, query in shelves:
        items = list(stories[:SHELF_SIZE])
        every += items
        shown.append({"key": key, "title": title, "stories": items, "query": query})
    # The writers (and a reader's tags, for their filters) of every shelf at once.
    writers = User.objects.select_related("profile")
    prefetch_related_objects(every, Prefetch("author", queryset=writers))
    if request.user.is_authenticated:
        prefetch_related_objects(every, TAGS_PREFETCH)
        mark_hidden(request.user, every)
    return render(request, "discover/discover.html", {"shelves": shown})


@require_safe
def works(request: HttpRequest) -> HttpResponse:
    form = WorksFilterForm(request.GET)
    context: dict[str, Any] = {"form": form, "sorts": SORTS}
    if not form.is_valid():
        # Say what is wrong beside the filters; show no works rather than the wrong ones.
        return render(request, "discover/works.html", context, status=400)
    chosen = WorksFilter.from_form(form.cleaned_data)
    stories = chosen.apply(Story.objects.listed_for(request.user))
    page = CappedPaginator(with_tags(listing_cards(stories)), WORKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    mark_hidden(request.user, list(page.object_list))  # fills the page's result cache
    for story in page.object_list:
        story.background_count = sum(1 for st in story.story_tags.all() if st.background)
    if chosen.search is not None:
        # Where each found work matches, for the works on this page only: one query.
        found = snippets(chosen.search, [story.pk for story in page.object_list])
        for story in page.object_list:
            story.snippet = found.get(story.pk, "")
    query = request.GET.copy()
    query.pop("page", None)
    context |= {
        "page": page,
        "counts": tag_counts(stories) if page.paginator.count else [],
        "count_cap": COUNT_CAP,
        "facet_sample": FACET_SAMPLE,
        "included": [tag_param(tag) for tag in form.cleaned_data["include_tags"]],
        "excluded": [tag_param(tag) for tag in form.cleaned_data["exclude_tags"]],
        "chosen_tags": form.cleaned_data["include_tags"],
        "left_out_tags": form.cleaned_data["exclude_tags"],
        "main_tags": form.cleaned_data["main_tags"],
        "query": query.urlencode(),
    }
    return render(request, "discover/works.html", context)


LIKE_THIS_PAGE = 24


@require_safe
def like_this(request: HttpRequest, pk: int) -> HttpResponse:
    """A story's "more like this" (discover.similar). For a signed-in reader it leaves out
    their own stories, what they have read and what their filters hide; on a story or part
    page, htmx swaps it in for the shared page's list."""
    story = Story.objects.visible_to(request.user).public().filter(pk=pk).first()
    if story is None:
        raise Http404(_("No such work."))
    fragment = bool(request.htmx)  # type: ignore[attr-defined]
    count = DISCOVER_COUNT if fragment else LIKE_THIS_PAGE
    leave_out: list[Any] = []
    if request.user.is_authenticated:
        leave_out = [
            Read.objects.filter(user=request.user).values("part__story_id"),
            Story.objects.unchecked("the reader's own stories")
            .filter(author=request.user)
            .values("pk"),
        ]
    # Room for the works the reader's filters hide, which are left out here, not folded.
    cards = more_like_this(story, request.user, count * 2, leave_out, fill=fragment)
    if request.user.is_authenticated:
        prefetch_related_objects(cards, TAGS_PREFETCH)
        mark_hidden(request.user, cards)
    cards = [card for card in cards if not getattr(card, "hidden_because", "")][:count]
    if fragment:
        response = render(
            request, "discover/_like_this_cards.html", {"story": story, "cards": cards}
        )
    else:
        response = render(request, "discover/like_this.html", {"story": story, "cards": cards})
    return mark_personal(response) if request.user.is_authenticated else response


# --- the personal filter profile -------------------------------------------------------------

FILTER_ACTIONS = {"hide_tag", "hide_writer", "hide_story", "remove", "max_relationships"}


def _apply_filter_action(request: AuthenticatedHttpRequest, action: str) -> str:
    """Carry out one change to the reader's profile; the message to show. ValidationError
    says what is wrong."""
    post = request.POST
    if action == "hide_tag":
        added = profile.do_hide_tag(request.user, post.get("pattern", ""))
        return _("Works with matching tags are now hidden.") if added else _("Already hidden.")
    if action == "hide_writer":
        name = post.get("writer", "").strip().lstrip("@")
        writer = User.objects.filter(username__iexact=name, is_active=True).first()
        if writer is None:
            raise ValidationError(_("There is no writer called “%(name)s”.") % {"name": name})
        added = profile.do_hide_writer(request.user, writer)
        return _("Works by this writer are now hidden.") if added else _("Already hidden.")
    if action == "hide_story":
        story = access_visible_story(request.user, post.get("story", ""))
        added = profile.do_hide_story(request.user, story)
        return _("This work is now hidden.") if added else _("Already hidden.")
    if action == "remove":
        rule_id = post.get("rule", "")
        removed = rule_id.isdigit() and profile.do_remove_rule(request.user, int(rule_id))
        return _("Rule removed.") if removed else _("That rule was already gone.")
    limit = profile.check_max_relationships(post.get("max_relationships", ""))
    profile.do_set_max_relationships(request.user, limit)
    return _("Relationship limit saved.")


def access_visible_story(user: User, raw_id: str) -> Story:
    story = (
        Story.objects.visible_to(user).public().filter(pk=int(raw_id) if raw_id.isdigit() else 0)
    )
    found = story.first()
    if found is None:
        raise Http404(_("No such work."))
    return found


@login_required
@require_http_methods(["GET", "POST"])
def filters(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reader's filter profile: what it hides, and the forms to change it."""
    error = ""
    if request.method == "POST":
        if over_limit("library_edit", str(request.user.pk)):
            return too_many_requests(request)
        action = request.POST.get("action", "")
        if action not in FILTER_ACTIONS:
            return HttpResponse(_("Choose what to change."), status=400)
        try:
            done = _apply_filter_action(request, action)
        except ValidationError as problem:
            error = problem.messages[0]
        else:
            messages.success(request, done)
            back = request.POST.get("next", "")
            if back and url_has_allowed_host_and_scheme(back, {request.get_host()}):
                return redirect(back)
            return redirect("discover:filters")
    rules = HideRule.objects.filter(reader=request.user).select_related("writer__profile", "story")
    settings = FilterSettings.objects.filter(reader=request.user).first()
    context = {
        "rules": rules,
        "max_relationships": settings.max_relationships if settings else None,
        "error": error,
        "max_rules": MAX_HIDE_RULES,
    }
    return render(request, "discover/filters.html", context, status=400 if error else 200)
