"""The demo's tag gardener and what she has gardened so far: canonical tags, synonyms and
parent fandoms, through the real gardening actions."""

from __future__ import annotations

from django.contrib.auth.models import Group

from accounts.models import User
from tags.actions import GARDENERS_GROUP, do_make_canonical, do_make_synonym, do_set_parent
from tags.models import Tag, TagKind

GARDENER = ("tansy", "Tansy (tag gardener)")
CANONICAL = [
    (TagKind.FANDOM, "Original Work"),
    (TagKind.FANDOM, "Starfall Academy"),
    (TagKind.ADDITIONAL, "Slow Burn"),
    (TagKind.ADDITIONAL, "Found Family"),
    (TagKind.ADDITIONAL, "Grief"),
    (TagKind.ADDITIONAL, "Coastal Town"),
    (TagKind.ADDITIONAL, "One-Shots"),
    (TagKind.ADDITIONAL, "Murder Mystery"),
    # The generated library's (discover/demo.py).
    (TagKind.FANDOM, "The Lantern Guild"),
    (TagKind.FANDOM, "Hollow Crown Chronicles"),
    (TagKind.FANDOM, "Orbital Nine"),
    (TagKind.FANDOM, "Tidewater Saga"),
    (TagKind.FANDOM, "The Clockwork Court"),
    (TagKind.ADDITIONAL, "Enemies to Lovers"),
    (TagKind.ADDITIONAL, "Hurt/Comfort"),
    (TagKind.ADDITIONAL, "Humour"),
    (TagKind.ADDITIONAL, "Alternate Universe - Coffee Shop"),
]
# Another writer's spelling of the same idea: both find each other's works.
SYNONYMS = [
    (TagKind.ADDITIONAL, "Seaside Town", "Coastal Town"),
    (TagKind.ADDITIONAL, "Anthology", "One-Shots"),
    (TagKind.ADDITIONAL, "Locked Room Mystery", "Murder Mystery"),
    (TagKind.ADDITIONAL, "Slowburn", "Slow Burn"),
    (TagKind.ADDITIONAL, "Chosen Family", "Found Family"),
    (TagKind.ADDITIONAL, "Enemies Turned Lovers", "Enemies to Lovers"),
    (TagKind.ADDITIONAL, "Hurt and Comfort", "Hurt/Comfort"),
    (TagKind.ADDITIONAL, "Humor", "Humour"),
    (TagKind.ADDITIONAL, "Coffee Shop AU", "Alternate Universe - Coffee Shop"),
]


def add_tag_gardening(make_user: object) -> User:
    gardener: User = make_user(*GARDENER)  # type: ignore[operator]
    # A staff role: staff, in the group tags/migrations/0003 made (the header links her garden).
    User.objects.filter(pk=gardener.pk).update(is_staff=True)
    gardener.groups.add(Group.objects.get(name=GARDENERS_GROUP))
    for kind, name in CANONICAL:
        tag = Tag.objects.filter(kind=kind, name=name).first()
        if tag is not None:
            do_make_canonical(tag)
    for kind, name, canonical in SYNONYMS:
        tag = Tag.objects.filter(kind=kind, name=name).first()
        if tag is not None:
            do_make_synonym(tag, canonical)
    # Characters and relationships belong to the fandom of the works they appear in.
    for fandom in Tag.objects.filter(kind=TagKind.FANDOM, is_canonical=True):
        others = Tag.objects.filter(
            kind__in=[TagKind.CHARACTER, TagKind.RELATIONSHIP],
            parent=None,
            story_tags__story__story_tags__tag=fandom,
        ).distinct()
        for tag in others:
            do_set_parent(tag, fandom.name)
    return gardener
