"""The works listing's filters, AO3-style: tags to include and exclude (any kind, synonyms
counted), ratings, warnings to leave out, complete only, language, a word-count range, updated
since; and the sorts. Everything lives in the URL, so a filtered listing can be shared."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from search.indexing import search
from search.query import MAX_QUERY_CHARS, SearchText, parse
from stories.models import (
    LANGUAGE_CHOICES,
    ArchiveWarning,
    Rating,
    StoryQuerySet,
    StoryStatus,
    StoryTag,
    warning_flags,
)
from tags.models import Tag, TagKind

StrOrPromise = str | Promise
MAX_TAGS = 20  # included plus excluded, per listing
NUMERIC = {"inputmode": "numeric", "pattern": "[0-9]*", "size": "8"}
FRESH_DAYS = 30  # "fresh and under-read": published within this many days, fewest reads first

SORTS: dict[str, tuple[tuple[Any, ...], StrOrPromise]] = {
    # name: (ordering, label)
    "relevance": (("-search_rank", "-pk"), _("Best match (with a search)")),
    "updated": (("-updated_at", "-pk"), _("Last updated")),
    "hot": ((F("ranking__hot").desc(nulls_last=True), "-updated_at", "-pk"), _("Hot right now")),
    "published": (("-published_at", "-pk"), _("First published")),
    "reads": (("-reads_count", "-pk"), _("Reads")),
    "votes": (("-votes_count", "-pk"), _("Votes")),
    "comments": (("-comments_count", "-pk"), _("Comments")),
    "words": (("-word_count", "-pk"), _("Words")),
    "fresh": (("reads_count", "-published_at", "-pk"), _("Fresh and under-read")),
}


class TagListField(forms.Field):
    """Tags named in the URL as `kind:slug` (how tag links and the facets write them), or
    typed as names, comma-separated."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        names: list[str] = []
        for raw in values:
            names += [" ".join(part.split()) for part in str(raw).split(",") if part.strip()]
        return names


class WorksFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search"), max_length=MAX_QUERY_CHARS)
    tag = TagListField(required=False, label=_("Include tags"))
    xtag = TagListField(required=False, label=_("Exclude tags"))
    main = TagListField(required=False, label=_("Relationships, as the main pairing only"))
    rating = forms.MultipleChoiceField(
        required=False, choices=Rating.choices, widget=forms.CheckboxSelectMultiple
    )
    xwarning = forms.MultipleChoiceField(
        label=_("Leave out works with these warnings"),
        required=False,
        choices=ArchiveWarning.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    complete = forms.BooleanField(required=False, label=_("Complete works only"))
    language = forms.ChoiceField(
        required=False, choices=[("", _("Any language")), *LANGUAGE_CHOICES]
    )
    # Text boxes that ask for digits: a number input could not show back what was mistyped.
    words_from = forms.IntegerField(
        required=False, min_value=0, label=_("Words from"), widget=forms.TextInput(NUMERIC)
    )
    words_to = forms.IntegerField(
        required=False, min_value=0, label=_("Words to"), widget=forms.TextInput(NUMERIC)
    )
    updated_since = forms.DateField(
        required=False, label=_("Updated since"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(name, label) for name, (_order, label) in SORTS.items()],
        label=_("Sort by"),
    )

    def clean_q(self) -> SearchText | None:
        return parse(self.cleaned_data.get("q") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("words_from"), data.get("words_to")
        if low is not None and high is not None and low > high:
            self.add_error("words_to", _("“Words to” must not be below “Words from”."))
        names = [*data.get("tag", []), *data.get("xtag", []), *data.get("main", [])]
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(
                _("Filter by at most %(n)d tags at once.") % {"n": MAX_TAGS}, code="too_many"
            )
        found = resolve_tags(names)
        for field_name in ("tag", "xtag", "main"):
            missing = [name for name in data.get(field_name, []) if name not in found]
            if missing:
                self.add_error(
                    field_name,
                    _("No tag is called %(names)s.") % {"names": ", ".join(missing)},
                )
        data["include_tags"] = [found[n] for n in data.get("tag", []) if n in found]
        data["exclude_tags"] = [found[n] for n in data.get("xtag", []) if n in found]
        data["main_tags"] = [found[n] for n in data.get("main", []) if n in found]
        return data


def resolve_tags(names: list[str]) -> dict[str, Tag]:
    """`kind:slug` or plain names to tags, in one query. A plain name may match tags of
    several kinds ("Robin" the character and the fandom): the first kind in TagKind wins."""
    wanted = Q(pk__in=[])
    for name in names:
        kind, _sep, slug = name.partition(":")
        if kind in TagKind.values and slug:
            wanted |= Q(kind=kind, slug=slug)
        wanted |= Q(slug=Tag.slug_for(name))
    order = {kind: n for n, kind in enumerate(TagKind.values)}
    tags = sorted(Tag.objects.filter(wanted), key=lambda tag: order[tag.kind])
    found: dict[str, Tag] = {}
    for name in names:
        kind, _sep, slug = name.partition(":")
        for tag in tags:
            if (tag.kind, tag.slug) == (kind, slug) or tag.slug == Tag.slug_for(name):
                found[name] = tag
                break
    return found


def tag_param(tag: Tag) -> str:
    return f"{tag.kind}:{tag.slug}"


@dataclass
class WorksFilter:
    """A checked filter, applied to a queryset of stories the reader may see."""

    include: list[list[int]] = field(default_factory=list)  # each tag as its synonym group
    main: list[list[int]] = field(default_factory=list)  # included as a main pairing only
    exclude: list[int] = field(default_factory=list)
    ratings: list[str] = field(default_factory=list)
    without_warnings: list[str] = field(default_factory=list)
    complete: bool = False
    language: str = ""
    words_from: int | None = None
    words_to: int | None = None
    updated_since: datetime | None = None
    search: SearchText | None = None
    sort: str = "updated"

    @classmethod
    def from_form(cls, data: dict[str, Any]) -> WorksFilter:
        groups = synonym_groups([*data["include_tags"], *data["exclude_tags"], *data["main_tags"]])
        since = data.get("updated_since")
        return cls(
            include=[groups[tag.pk] for tag in data["include_tags"]],
            main=[groups[tag.pk] for tag in data["main_tags"]],
            exclude=[pk for tag in data["exclude_tags"] for pk in groups[tag.pk]],
            ratings=list(data.get("rating") or []),
            without_warnings=list(data.get("xwarning") or []),
            complete=bool(data.get("complete")),
            language=data.get("language") or "",
            words_from=data.get("words_from"),
            words_to=data.get("words_to"),
            updated_since=(datetime.combine(since, time.min, tzinfo=UTC) if since else None),
            search=data.get("q"),
            # A search is sorted by best match unless the reader chose another order.
            sort=data.get("sort") or ("relevance" if data.get("q") else "updated"),
        )

    def apply(self, stories: StoryQuerySet) -> StoryQuerySet:
        sort = self.sort if self.search is not None or self.sort != "relevance" else "updated"
        if self.search is not None:
            stories = search(stories, self.search, by_relevance=sort == "relevance")
        for group in self.include:
            # Driven from the tag's side (the tag-then-story index): the candidates are the
            # tag's works, not the whole archive tested one by one.
            stories = stories.filter(
                pk__in=StoryTag.objects.filter(tag_id__in=group).values("story_id")
            )
        for group in self.main:
            stories = stories.filter(
                pk__in=StoryTag.objects.filter(tag_id__in=group, background=False).values(
                    "story_id"
                )
            )
        if self.exclude:
            stories = stories.exclude(
                Exists(StoryTag.objects.filter(story=OuterRef("pk"), tag_id__in=self.exclude))
            )
        if self.ratings:
            stories = stories.filter(rating__in=self.ratings)
        if self.without_warnings:
            mask = warning_flags(self.without_warnings)
            stories = stories.alias(flagged=F("warning_bits").bitand(mask)).filter(flagged=0)
        if self.complete:
            stories = stories.filter(status=StoryStatus.COMPLETE)
        if self.language:
            stories = stories.filter(language=self.language)
        if self.words_from is not None:
            stories = stories.filter(word_count__gte=self.words_from)
        if self.words_to is not None:
            stories = stories.filter(word_count__lte=self.words_to)
        if self.updated_since is not None:
            stories = stories.filter(updated_at__gte=self.updated_since)
        if self.sort == "fresh":
            stories = stories.filter(published_at__gte=timezone.now() - timedelta(FRESH_DAYS))
        ordering, _label = SORTS[sort]
        return stories.order_by(*ordering)


def synonym_groups(tags: list[Tag]) -> dict[int, list[int]]:
    """Each tag's synonym group (its canonical tag and every synonym of it), in one query:
    filtering by any name of a tag finds works tagged with any other."""
    roots = {tag.pk: tag.canonical_id or tag.pk for tag in tags}
    members: dict[int, list[int]] = {root: [root] for root in roots.values()}
    if roots:
        synonyms = Tag.objects.filter(canonical_id__in=set(roots.values()))
        for pk, root in synonyms.exclude(pk__in=set(roots.values())).values_list(
            "pk", "canonical_id"
        ):
            members[root].append(pk)
    return {pk: sorted(members[root]) for pk, root in roots.items()}


# The tag counts beside a listing are counted over its first this many works: over a whole
# archive they took 2 s at 100,000 works (bench/archive.py).
FACET_SAMPLE = 1000


def tag_counts(stories: StoryQuerySet, limit: int = 30) -> list[dict[str, Any]]:
    """The tags most used among the first FACET_SAMPLE works of a result (in its order), with
    how many of those works carry each: one query."""
    return list(
        StoryTag.objects.filter(story__in=stories.values("pk")[:FACET_SAMPLE])
        .values("tag__kind", "tag__slug", "tag__name")
        .annotate(works=Count("story_id"))
        .order_by("-works", "tag__name")[:limit]
    )
