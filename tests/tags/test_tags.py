from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from discover.profile import do_hide_tag
from tags.models import Tag, TagKind, get_or_create_tags
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user


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


def test_a_canonical_tag_page_lists_works_tagged_with_its_synonyms(
    client: Any, author: Any
) -> None:
    from tests.factories import make_part, make_story

    make_part(make_story(author, "Tagged Canonically", tags={"relationship": ["Wren/Tamsin"]}))
    make_part(make_story(author, "Tagged By Synonym", tags={"relationship": ["Tamsin/Wren"]}))
    canonical = Tag.objects.get(name="Wren/Tamsin")
    Tag.objects.filter(name="Tamsin/Wren").update(canonical=canonical)
    html = client.get(canonical.get_absolute_url()).content.decode()
    assert "Tagged Canonically" in html and "Tagged By Synonym" in html
    synonym_page = client.get(Tag.objects.get(name="Tamsin/Wren").get_absolute_url())
    assert synonym_page.status_code == 302
    assert synonym_page["Location"] == canonical.get_absolute_url()


# A tag page for a signed-in reader: the visitor's six (tests/stories/test_reading.py), the four
# of every personal page (session, user, reader settings, unread badge), the page's tags, the
# reader's filter profile (rules, settings; the tags its rules hide are cached), and whether
# they may garden the tag (their own permissions and their groups').
TAG_PAGE_QUERIES_SIGNED_IN = 6 + 4 + 3 + 2


@pytest.mark.parametrize("works", [3, 30])
def test_a_tag_page_costs_a_signed_in_reader_the_same_whatever_the_number_of_works(
    author: User, works: int, django_assert_num_queries: Any
) -> None:
    for n in range(works):
        make_part(
            make_story(author, f"Work {n}", tags={"fandom": ["Starfall"], "additional": [f"T{n}"]})
        )
    reader = make_user(username="picky")
    do_hide_tag(reader, f"T{works - 1}")  # the newest work, on the first page
    client = client_for(reader)
    url = Tag.objects.get(name="Starfall").get_absolute_url()
    client.get(url)  # the hidden tags are cached, sessions settle
    with django_assert_num_queries(TAG_PAGE_QUERIES_SIGNED_IN):
        response = client.get(url)
    hidden = {s.title for s in response.context["page"].object_list if s.hidden_because}
    assert hidden == {f"Work {works - 1}"}
