"""A reader's personal filter profile: what it hides, and why each hidden work is hidden.

Hidden works are not dropped from a listing: they are folded in place, saying which rule hid
them, with "show anyway" one click away (the template's <details>). So the rules are checked
against the works of the page being shown, which costs the same whatever the archive's size."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils.translation import gettext as _

from accounts.models import User, Viewer
from discover.models import MAX_HIDE_RULES, MAX_PATTERN, FilterSettings, HideRule
from stories.models import Story, StoryTag
from tags.models import Tag, TagKind

# A pattern broad enough to match more tags than this is refused when saved.
MAX_TAGS_PER_PATTERN = 5000


def check_tag_pattern(raw: str) -> str:
    pattern = " ".join((raw or "").split())
    pattern = re.sub(r"\*+", "*", pattern)
    if not pattern.replace("*", "").strip():
        raise ValidationError(_("A tag pattern needs some letters, not only *."), code="empty")
    if len(pattern) > MAX_PATTERN:
        raise ValidationError(
            _("A tag pattern can be at most %(n)d characters.") % {"n": MAX_PATTERN}, code="long"
        )
    if _tags_matching([pattern])[: MAX_TAGS_PER_PATTERN + 1].count() > MAX_TAGS_PER_PATTERN:
        raise ValidationError(_("That pattern matches too many tags."), code="broad")
    return pattern


def _pattern_q(pattern: str, field_name: str) -> Q:
    """A database condition every name matching `pattern` meets (checked exactly after)."""
    pieces = pattern.split("*")
    if len(pieces) == 1:
        return Q(**{f"{field_name}__iexact": pattern})
    condition = Q()
    if pieces[0]:
        condition &= Q(**{f"{field_name}__istartswith": pieces[0]})
    if pieces[-1]:
        condition &= Q(**{f"{field_name}__iendswith": pieces[-1]})
    for middle in pieces[1:-1]:
        if middle:
            condition &= Q(**{f"{field_name}__icontains": middle})
    return condition


def _tags_matching(patterns: list[str]) -> Any:
    """Tags whose name, or whose canonical tag's name, may match one of the patterns."""
    condition = Q(pk__in=[])
    for pattern in patterns:
        condition |= _pattern_q(pattern, "name") | _pattern_q(pattern, "canonical__name")
    return Tag.objects.filter(condition)


def _any_pattern(patterns: list[str]) -> re.Pattern[str]:
    """One expression for all the patterns (only * is a wildcard), each a named group: a tag
    name is tested once, whatever the number of rules."""
    alternatives = (
        f"(?P<p{n}>{'.*'.join(re.escape(piece) for piece in pattern.split('*'))})"
        for n, pattern in enumerate(patterns)
    )
    return re.compile(f"(?:{'|'.join(alternatives)})\\Z", re.IGNORECASE | re.DOTALL)


# Which tags a set of patterns hides, remembered this many seconds: matching patterns against
# every tag name reads the whole tag table (0.2 s at 300,000 tags, bench/archive.py). A tag
# created meanwhile is hidden once the entry expires.
HIDDEN_TAGS_SECONDS = 600


def _hidden_tags(patterns: list[str]) -> dict[int, str]:
    """Tag id -> the pattern hiding it, for these patterns (cached: one query on a miss)."""
    key = "filter-tags:" + hashlib.sha256("\n".join(sorted(patterns)).encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    hidden: dict[int, str] = {}
    any_pattern = _any_pattern(patterns)
    candidates = _tags_matching(patterns).values_list("pk", "name", "canonical__name")
    for pk, name, canonical_name in candidates[: MAX_TAGS_PER_PATTERN * 2]:
        for candidate in (name, canonical_name):
            found = candidate and any_pattern.match(candidate)
            if found and found.lastgroup:
                hidden[pk] = patterns[int(found.lastgroup[1:])]
                break
    cache.set(key, hidden, HIDDEN_TAGS_SECONDS)
    return hidden


@dataclass
class FilterProfile:
    hidden_tags: dict[int, str] = field(default_factory=dict)  # tag id -> the pattern
    hidden_writers: dict[int, str] = field(default_factory=dict)  # writer id -> their name
    writer_rules: dict[int, int] = field(default_factory=dict)  # writer id -> the rule's id
    hidden_stories: set[int] = field(default_factory=set)
    max_relationships: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.hidden_tags
            or self.hidden_writers
            or self.hidden_stories
            or self.max_relationships is not None
        )

    @classmethod
    def of(cls, user: Viewer) -> FilterProfile:
        """The reader's profile: two queries, three with tag patterns; none for a visitor."""
        profile = cls()
        if not user.is_authenticated:
            return profile
        patterns = []
        for rule in HideRule.objects.filter(reader=user).select_related("writer__profile"):
            if rule.tag_pattern:
                patterns.append(rule.tag_pattern)
            elif rule.writer is not None:
                profile.hidden_writers[rule.writer.pk] = rule.writer.display_name
                profile.writer_rules[rule.writer.pk] = rule.pk
            elif rule.story_id is not None:
                profile.hidden_stories.add(rule.story_id)
        settings = FilterSettings.objects.filter(reader=user).first()
        profile.max_relationships = settings.max_relationships if settings else None
        if patterns:
            profile.hidden_tags = _hidden_tags(patterns)
        return profile

    def reason(self, story: Story, story_tags: list[StoryTag]) -> str:
        """Why the reader's profile hides this work, or "" if it does not."""
        if story.pk in self.hidden_stories:
            return _("you hid this work")
        if story.author_id in self.hidden_writers:
            return _("writer %(name)s") % {"name": self.hidden_writers[story.author_id]}
        for story_tag in story_tags:
            if story_tag.tag_id in self.hidden_tags:
                return _("tag “%(pattern)s”") % {"pattern": self.hidden_tags[story_tag.tag_id]}
        if self.max_relationships is not None:
            ships = sum(1 for st in story_tags if st.tag.kind == TagKind.RELATIONSHIP)
            if ships > self.max_relationships:
                return _("more than %(n)d relationship tags") % {"n": self.max_relationships}
        return ""


TAGS_PREFETCH = Prefetch("story_tags", queryset=StoryTag.objects.select_related("tag"))


def with_tags(stories: Any) -> Any:
    """Stories with their tags in one more query, as the profile and the blurbs read them."""
    return stories.prefetch_related(TAGS_PREFETCH)


def with_tags_for(user: Viewer, stories: Any) -> Any:
    """`with_tags` where a filter profile may apply (a signed-in reader); else as they are."""
    return with_tags(stories) if user.is_authenticated else stories


def mark_hidden(user: Viewer, stories: list[Story]) -> None:
    """Set `hidden_because` on each story (its tags prefetched) for this reader."""
    profile = FilterProfile.of(user)
    for story in stories:
        story.hidden_because = (  # type: ignore[attr-defined]
            "" if profile.is_empty else profile.reason(story, list(story.story_tags.all()))
        )


def fold_hidden(user: Viewer, stories: list[Story]) -> FilterProfile:
    """Set `hidden_because` on each story for this reader, for a page of stories loaded
    without their tags: the tags are fetched (one query) only when a rule looks at them. Two
    queries for a signed-in reader, three with tag rules or a relationship limit (four when
    the tags the rules hide are not cached); none for a visitor. The profile, for notes."""
    profile = FilterProfile.of(user)
    needs_tags = bool(profile.hidden_tags) or profile.max_relationships is not None
    if needs_tags:
        prefetch_related_objects(stories, TAGS_PREFETCH)
    for story in stories:
        story_tags = list(story.story_tags.all()) if needs_tags else []
        story.hidden_because = (  # type: ignore[attr-defined]
            "" if profile.is_empty else profile.reason(story, story_tags)
        )
    return profile


# --- editing the profile -------------------------------------------------------------------


def _check_room(reader: User) -> None:
    if HideRule.objects.filter(reader=reader).count() >= MAX_HIDE_RULES:
        raise ValidationError(
            _("A filter profile holds at most %(n)d rules: remove one first.")
            % {"n": MAX_HIDE_RULES},
            code="full",
        )


def _add(reader: User, **target: Any) -> bool:
    """Add a rule; False if the reader already has it."""
    if HideRule.objects.filter(reader=reader, **target).exists():
        return False
    _check_room(reader)
    try:
        with transaction.atomic():
            HideRule.objects.create(reader=reader, **target)
    except IntegrityError:  # the same rule, added at the same moment
        return False
    return True


def do_hide_tag(reader: User, raw_pattern: str) -> bool:
    return _add(reader, tag_pattern=check_tag_pattern(raw_pattern))


def do_hide_writer(reader: User, writer: User) -> bool:
    if writer.pk == reader.pk:
        raise ValidationError(_("You cannot hide yourself."), code="self")
    return _add(reader, writer=writer)


def do_hide_story(reader: User, story: Story) -> bool:
    return _add(reader, story=story)


def do_remove_rule(reader: User, rule_id: int) -> bool:
    return bool(HideRule.objects.filter(reader=reader, pk=rule_id).delete()[0])


def check_max_relationships(raw: str) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > 50:
        raise ValidationError(
            _("Give a whole number from 0 to 50, or leave it empty for no limit."), code="range"
        )
    return int(text)


def do_set_max_relationships(reader: User, limit: int | None) -> None:
    FilterSettings.objects.update_or_create(reader=reader, defaults={"max_relationships": limit})
