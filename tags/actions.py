"""Tag gardening: a tag gardener marks tags canonical, makes others their synonyms, gives
tags a parent fandom, merges and renames. No tag a writer typed is lost or renamed behind
their back: a work keeps showing the tag as its writer typed it; gardening only decides which
name a tag is filtered and searched under, and where its tag page leads."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User, Viewer
from stories.changes import StoryChange, stories_changed
from stories.models import StoryTag
from tags.models import Tag, TagKind, get_or_create_tags

GARDEN_PERMISSION = "tags.garden_tags"
# The group holding that permission (tags/migrations/0003): a tag gardener is a member of it.
GARDENERS_GROUP = "Tag gardeners"


def may_garden(user: Viewer) -> bool:
    return bool(user.is_authenticated and user.has_perm(GARDEN_PERMISSION))


def access_tag_for_gardening(user: User, tag_id: int) -> Tag:
    if not may_garden(user):
        raise PermissionDenied(_("Only tag gardeners can change tags."))
    try:
        return Tag.objects.select_related("canonical", "parent").get(pk=tag_id)
    except Tag.DoesNotExist:
        raise Http404(_("No such tag.")) from None


def _tagged_stories_changed(tag_ids: set[int]) -> None:
    """Every work carrying these tags shows, filters and is found differently now."""
    stories = StoryTag.objects.filter(tag_id__in=tag_ids).values_list("story_id", flat=True)
    stories_changed(set(stories), StoryChange.DETAILS)


def _find(kind: str, name: str) -> Tag:
    tag = Tag.objects.filter(kind=kind, slug=Tag.slug_for(" ".join(name.split()))).first()
    if tag is None:
        raise ValidationError(_("There is no %(kind)s tag called “%(name)s”.") % {
            "kind": TagKind(kind).label.lower(), "name": name}, code="missing")  # fmt: skip
    return tag


@transaction.atomic
def do_make_canonical(tag: Tag) -> Tag:
    """Mark a tag as the name to use. A synonym made canonical stands on its own again."""
    group = {tag.pk, *([tag.canonical_id] if tag.canonical_id else [])}
    Tag.objects.filter(pk=tag.pk).update(is_canonical=True, canonical=None)
    tag.is_canonical, tag.canonical = True, None
    _tagged_stories_changed(group)
    return tag


@transaction.atomic
def do_make_synonym(tag: Tag, canonical_name: str) -> Tag:
    """Make `tag` a synonym of the canonical tag of the same kind called `canonical_name`:
    filtering and searching by either finds works tagged with both, and `tag`'s page leads
    there. Its own synonyms follow it, so no chain forms."""
    target = _find(tag.kind, canonical_name)
    if target.canonical_id:
        target = Tag.objects.get(pk=target.canonical_id)
    if target.pk == tag.pk:
        raise ValidationError(_("A tag cannot be a synonym of itself."), code="self")
    if not target.is_canonical:
        raise ValidationError(
            _("Mark “%(name)s” canonical first.") % {"name": target.name}, code="not_canonical"
        )
    moved = set(Tag.objects.filter(Q(pk=tag.pk) | Q(canonical=tag)).values_list("pk", flat=True))
    Tag.objects.filter(pk__in=moved).update(canonical=target, is_canonical=False)
    tag.canonical, tag.is_canonical = target, False
    _tagged_stories_changed(moved | {target.pk})
    return tag


@transaction.atomic
def do_set_parent(tag: Tag, fandom_name: str) -> Tag:
    """Give a tag its fandom (or none, with an empty name): tag pages and filters show it."""
    parent = None
    if fandom_name.strip():
        if tag.kind == TagKind.FANDOM:
            raise ValidationError(_("A fandom has no parent fandom."), code="fandom")
        parent = _find(TagKind.FANDOM, fandom_name)
    Tag.objects.filter(pk=tag.pk).update(parent=parent)
    tag.parent = parent
    _tagged_stories_changed({tag.pk})
    return tag


@transaction.atomic
def do_rename(tag: Tag, new_name: str) -> Tag:
    """Rename a tag the only way that renames nothing a writer typed: the new name becomes
    the canonical tag (created if need be) and the old one, with its synonyms, its synonym."""
    name = " ".join(new_name.split())
    if not name:
        raise ValidationError(_("Give the new name."), code="empty")
    (renamed,) = get_or_create_tags(tag.kind, [name])
    if renamed.pk == tag.pk:
        raise ValidationError(_("That is already the tag's name."), code="same")
    Tag.objects.filter(pk=renamed.pk).update(is_canonical=True, canonical=None, parent=tag.parent)
    do_make_synonym(tag, renamed.name)
    return Tag.objects.get(pk=renamed.pk)
