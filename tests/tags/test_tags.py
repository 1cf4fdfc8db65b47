from __future__ import annotations

from tags.models import Tag, TagKind, get_or_create_tags


def test_names_that_differ_only_in_symbols_are_different_tags(db: None) -> None:
    names = ["C#", "C++", "♥", "★", "Angst?", "Angst!"]
    tags = get_or_create_tags(TagKind.ADDITIONAL, names)
    assert [t.name for t in tags] == names
    assert len({t.slug for t in tags}) == len(names)


def test_spelling_variants_of_one_name_are_one_tag(db: None) -> None:
    tags = get_or_create_tags(TagKind.ADDITIONAL, ["Slow Burn", "slow  burn", "Slow-Burn"])
    assert len(tags) == 1 and Tag.objects.count() == 1
    assert tags[0].slug == "slow-burn"


def test_relationship_tags_keep_slash_and_ampersand_apart(db: None) -> None:
    slash, amp = get_or_create_tags(
        TagKind.RELATIONSHIP, ["Ada Morrow/Teo Vance", "Ada Morrow & Teo Vance"]
    )
    assert slash.slug == "ada-morrow-slash-teo-vance"
    assert amp.slug == "ada-morrow-and-teo-vance"
