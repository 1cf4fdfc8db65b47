"""Tag gardening: who may garden, and what each action does to filters, search and tag pages
without renaming anything a writer typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from accounts.models import User
from search.indexing import index_story
from stories.models import Story
from tags.actions import GARDENERS_GROUP
from tags.models import Tag
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user

WORKS = reverse("discover:works")


@pytest.fixture
def gardener(db: None) -> User:
    user = make_user(username="gardener")
    user.user_permissions.add(Permission.objects.get(codename="garden_tags"))
    return user


@pytest.fixture
def gardener_client(gardener: User) -> Client:
    return client_for(gardener)


@pytest.fixture
def works(author: User) -> dict[str, Story]:
    """Two spellings of one pairing, on two works, and a character."""
    stories = {}
    for title, ship in [("Starlight", "Mara/Ash"), ("Tidelight", "Mara & Ash")]:
        story = make_story(
            author, title, tags={"relationship": [ship], "character": ["Mara"], "fandom": ["Sea"]}
        )
        make_part(story, "One", f"<p>{title} begins.</p>")
        stories[title] = story
    return stories


def tag(name: str) -> Tag:
    return Tag.objects.get(name=name)


def garden(client: Client, target: Tag, action: str, name: str = "") -> Any:
    url = reverse("tags:garden_tag", args=[target.pk])
    return client.post(url, {"action": action, "name": name})


def titles(client: Client, **query: str) -> list[str]:
    response = client.get(WORKS, query)
    return sorted(story.title for story in response.context["page"].object_list)


@pytest.mark.parametrize("url_name", ["tags:garden", "tags:garden_tag"])
def test_only_tag_gardeners_may_garden(
    url_name: str, works: dict[str, Story], reader_client: Client, gardener_client: Client
) -> None:
    url = reverse(url_name, args=[tag("Mara").pk] if url_name.endswith("tag") else [])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert reader_client.get(url).status_code == 403
    assert gardener_client.get(url).status_code == 200
    assert gardener_client.put(url).status_code == 405
    if url_name.endswith("tag"):
        assert reader_client.post(url, {"action": "canonical"}).status_code == 403
        assert not tag("Mara").is_canonical


def test_the_garden_lists_unreviewed_tags_most_used_first(
    works: dict[str, Story], gardener_client: Client
) -> None:
    html = gardener_client.get(reverse("tags:garden"), {"kind": "relationship"}).content.decode()
    assert "Mara/Ash" in html and "Mara &amp; Ash" in html and ">Sea<" not in html
    garden(gardener_client, tag("Mara/Ash"), "canonical")
    unreviewed = gardener_client.get(reverse("tags:garden"), {"kind": "relationship"})
    assert "Mara/Ash" not in unreviewed.content.decode()
    canonical = gardener_client.get(reverse("tags:garden"), {"state": "canonical"})
    assert "Mara/Ash" in canonical.content.decode()


def test_a_synonym_finds_both_spellings_and_keeps_what_the_writer_typed(
    works: dict[str, Story], gardener_client: Client, client: Client
) -> None:
    assert titles(client, tag="Mara/Ash") == ["Starlight"]
    response = garden(gardener_client, tag("Mara & Ash"), "synonym", "Mara/Ash")
    assert response.status_code == 400  # the target is not canonical yet
    assert "Mark “Mara/Ash” canonical first." in response.content.decode()
    assert garden(gardener_client, tag("Mara/Ash"), "canonical").status_code == 302
    assert garden(gardener_client, tag("Mara & Ash"), "synonym", "Mara/Ash").status_code == 302

    assert titles(client, tag="Mara/Ash") == ["Starlight", "Tidelight"]
    assert titles(client, tag="Mara & Ash") == ["Starlight", "Tidelight"]
    assert titles(client, xtag="Mara/Ash") == []
    # The synonym's page leads to the canonical one, which names it; the work keeps its tag.
    synonym_page = client.get(tag("Mara & Ash").get_absolute_url())
    assert synonym_page["Location"] == tag("Mara/Ash").get_absolute_url()
    assert "Also tagged as: Mara &amp; Ash" in client.get(synonym_page["Location"]).content.decode()
    assert "Mara &amp; Ash" in client.get(works["Tidelight"].get_absolute_url()).content.decode()
    # Search finds the work by the canonical name too (reindexed on the change).
    index_story(works["Tidelight"].pk)
    assert "Tidelight" in titles(client, q='"Mara/Ash"')


def test_gardening_refuses_what_makes_no_sense_and_changes_nothing(
    works: dict[str, Story], gardener_client: Client
) -> None:
    mara = tag("Mara")
    for action, name, message in [
        ("synonym", "Mara", "A tag cannot be a synonym of itself."),
        ("synonym", "Nobody", "There is no character tag called “Nobody”."),
        ("parent", "No Such Fandom", "There is no fandom tag called “No Such Fandom”."),
        ("rename", "  ", "Give the new name."),
    ]:
        garden(gardener_client, mara, "canonical")
        response = garden(gardener_client, mara, action, name)
        assert response.status_code == 400, action
        assert message in response.content.decode()
    assert garden(gardener_client, tag("Sea"), "parent", "Sea").status_code == 400
    assert (
        gardener_client.post(
            reverse("tags:garden_tag", args=[mara.pk]), {"action": "burn"}
        ).status_code
        == 400
    )
    mara.refresh_from_db()
    assert (mara.canonical, mara.parent) == (None, None)


def test_a_parent_fandom_shows_on_the_tag_page(
    works: dict[str, Story], gardener_client: Client, client: Client
) -> None:
    assert garden(gardener_client, tag("Mara"), "parent", "Sea").status_code == 302
    html = client.get(tag("Mara").get_absolute_url()).content.decode()
    assert f'Fandom: <a href="{tag("Sea").get_absolute_url()}">Sea</a>' in html
    assert "Often tagged together" in html and "Mara/Ash" in html


def test_renaming_makes_the_new_name_canonical_and_the_old_its_synonym(
    works: dict[str, Story], gardener_client: Client, client: Client
) -> None:
    response = garden(gardener_client, tag("Mara"), "rename", "Mara Vell")
    renamed = tag("Mara Vell")
    assert response["Location"] == reverse("tags:garden_tag", args=[renamed.pk])
    assert renamed.is_canonical and tag("Mara").canonical == renamed
    assert titles(client, tag="Mara Vell") == ["Starlight", "Tidelight"]
    story_page = client.get(works["Starlight"].get_absolute_url()).content.decode()
    assert ">Mara</a>" in story_page  # as the writer typed it


def test_gardening_changes_the_cached_pages_of_the_tagged_works(
    works: dict[str, Story], gardener_client: Client, client: Client
) -> None:
    url = works["Starlight"].get_absolute_url()
    client.get(url)
    before = Story.objects.get(pk=works["Starlight"].pk).page_version
    garden(gardener_client, tag("Mara"), "parent", "Sea")
    assert Story.objects.get(pk=works["Starlight"].pk).page_version > before
    assert client.get(url).get("X-Talehouse-Cache") != "hit"


def test_a_staff_member_without_the_permission_cannot_garden(works: dict[str, Story]) -> None:
    staff = make_user(username="staff", is_staff=True)
    assert client_for(staff).get(reverse("tags:garden")).status_code == 403


def test_the_garden_counts_published_works_not_drafts(
    works: dict[str, Story], author: User, gardener_client: Client
) -> None:
    members_only = make_story(author, "Members", tags={"character": ["Mara"]})
    make_part(members_only, "One", "<p>Inside.</p>")
    Story.objects.filter(pk=members_only.pk).update(restricted=True)
    make_story(author, "Draft", tags={"character": ["Mara", "Only In Drafts"]})
    listed = gardener_client.get(reverse("tags:garden"), {"kind": "character"})
    counts = {tag.name: tag.works for tag in listed.context["page"].items}
    # Two public works and a sign-in-only one carry Mara; the draft is not counted.
    assert counts == {"Mara": 3, "Only In Drafts": 0}
    html = listed.content.decode()
    assert "Published works" in html and "drafts are not counted" in html
    detail = gardener_client.get(reverse("tags:garden_tag", args=[tag("Mara").pk]))
    assert detail.context["works"] == 3
    assert "(sign-in-only ones included, drafts not)" in detail.content.decode()


def test_a_member_of_the_tag_gardeners_group_may_garden(works: dict[str, Story]) -> None:
    group = Group.objects.get(name=GARDENERS_GROUP)  # made by a migration
    assert list(group.permissions.values_list("codename", flat=True)) == ["garden_tags"]
    member = make_user(username="newgardener")
    member.groups.add(group)
    client = client_for(member)
    assert client.get(reverse("tags:garden")).status_code == 200
    response = garden(client, tag("Mara"), "canonical")
    assert response.status_code == 302 and tag("Mara").is_canonical


def test_the_header_leads_gardeners_to_the_garden(works: dict[str, Story], reader: User) -> None:
    gardener = make_user(username="tansy", is_staff=True)
    gardener.groups.add(Group.objects.get(name=GARDENERS_GROUP))
    link = f'<a href="{reverse("tags:garden")}">Tag garden</a>'
    page = reverse("discover:works")
    assert link in client_for(gardener).get(page).content.decode()
    staff_only = make_user(username="staff", is_staff=True)
    for who in (reader, staff_only):
        assert link not in client_for(who).get(page).content.decode()
    assert link not in Client().get(page).content.decode()
