"""Reads of tags for pages other than a tag's own: suggestions while a writer or reader types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import CharField, Exists, Func, OuterRef, Q, Value
from django.db.models.functions import Concat, Upper
from django.utils.translation import gettext as _

from stories.models import Audience, Story
from tags.models import Tag, TagKind

SUGGESTIONS = 10  # at most this many tags per answer
MAX_PREFIX = 150  # a tag's name is at most this long
# Sorts after every character a name can hold: "AB" <= name < "AB" + this is "starts with AB".
_AFTER_ALL = "\U0010ffff"


class NameKey(Func):
    """A tag's name in capitals, compared byte by byte, as the `tags_tag_prefix_*` indexes hold
    it (tags/migrations/0004): a prefix is then a range of the index, read in its order, so a
    suggestion stops at its first few matches instead of sorting every tag that starts with
    "the". SQLite compares bytes already; PostgreSQL is told to ("C")."""

    function = "UPPER"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = self.as_sql(compiler, connection, **extra)
        return f'{sql} COLLATE "C"', params


@dataclass(frozen=True)
class Suggestion:
    name: str
    kind: str
    is_canonical: bool
    synonym_of: str  # the canonical tag's name, for a synonym; else ""

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "kind_label": str(TagKind(self.kind).label),
            "canonical": self.is_canonical,
            "synonym_of": self.synonym_of,
        }


def check_suggest_query(raw_prefix: str, raw_kind: str) -> tuple[str, str]:
    """The prefix typed (spaces collapsed, may be empty) and the kind asked for ("" is any)."""
    prefix = " ".join(raw_prefix.split())
    if len(prefix) > MAX_PREFIX:
        raise ValidationError(
            _("A tag is at most %(n)d characters.") % {"n": MAX_PREFIX}, code="long"
        )
    if raw_kind and raw_kind not in TagKind.values:
        raise ValidationError(_("There is no such kind of tag."), code="kind")
    return prefix, raw_kind


def in_public_use() -> Exists:
    """The tag is on at least one work every visitor may read."""
    public_works = Story.objects.visible_to_audience(Audience.ANONYMOUS)
    return Exists(public_works.filter(story_tags__tag=OuterRef("pk")))


def suggested_tags(prefix: str, kind: str = "", limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Existing tags whose name starts with `prefix` (case aside), of `kind` or any: canonical
    tags first (a gardener reviewed them), then the others a visitor may know of, those on a
    work every visitor may read; each group by name. A tag typed only on drafts or sign-in-only
    works is never suggested (it could give such a work away). A synonym names its canonical
    tag. One query, two when fewer than `limit` canonical tags match."""
    if not prefix:
        return []
    start = Upper(Value(prefix))
    tags = Tag.objects.alias(key=NameKey("name")).filter(
        key__gte=start, key__lt=Concat(start, Value(_AFTER_ALL))
    )
    if kind:
        tags = tags.filter(kind=kind)
    fields = ("name", "kind", "is_canonical", "canonical__name")
    found = list(tags.filter(is_canonical=True).order_by("key", "pk").values_list(*fields)[:limit])
    if len(found) < limit:
        others = tags.filter(Q(is_canonical=False), in_public_use())
        found += others.order_by("key", "pk").values_list(*fields)[: limit - len(found)]
    return [
        Suggestion(name, tag_kind, is_canonical, synonym_of or "")
        for name, tag_kind, is_canonical, synonym_of in found
    ]
