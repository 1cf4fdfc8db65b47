"""Tag suggestions on a phone: a writer types the start of a tag in the story form and picks an
existing one from the suggestions, after tags typed before it; without JavaScript the box is a
plain text box."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from stories.models import Story
from tags.models import Tag
from tests.browser.conftest import check_accessibility, screenshot
from tests.browser.test_library import sign_in
from tests.factories import make_part, make_story, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def suggestions(page: Page, box_id: str) -> list[list[str]]:
    """The datalist's options as [value, label]."""
    options: list[list[str]] = page.evaluate(
        """(id) => Array.from(document.getElementById(id).list?.options || [])
            .map((option) => [option.value, option.label === option.value ? "" : option.label])""",
        box_id,
    )
    return options


def new_story(page: Page, title: str) -> None:
    page.get_by_label("Title").fill(title)
    page.get_by_role("checkbox", name="No Archive Warnings Apply").check()
    page.get_by_role("button", name="Create story").click()
    expect(page.get_by_text("Story created.")).to_be_visible()


def test_a_writer_picks_an_existing_tag_while_typing_on_a_phone(
    live_server: Any, new_context: Any
) -> None:
    other = make_user(username="other")
    tags = {"additional": ["Slow Burn", "Slowburn", "Found Family"], "character": ["Slater"]}
    make_part(make_story(other, "Older Work", tags=tags))
    make_story(other, "A Draft", tags={"additional": ["Slow Secret"]})  # never suggested
    Tag.objects.filter(name="Slow Burn").update(is_canonical=True)
    Tag.objects.filter(name="Slowburn").update(canonical=Tag.objects.get(name="Slow Burn"))
    make_user(username="writer")

    page = new_context(viewport={"width": 360, "height": 800}).new_page()
    sign_in(page, live_server.url, "writer")
    page.goto(live_server.url + "/write/new/")
    box = page.get_by_label("Additional tags")
    box.press_sequentially("Found Family, slo", delay=30)
    # The canonical tag first, then its synonym saying what it stands for; each option
    # completes the last name and keeps the ones typed before it.
    expect(page.locator("#id_additional_tags-suggestions option")).to_have_count(2)
    assert suggestions(page, "id_additional_tags") == [
        ["Found Family, Slow Burn", ""],
        ["Found Family, Slowburn", "Slowburn → Slow Burn"],
    ]
    assert box.get_attribute("list") == "id_additional_tags-suggestions"
    check_accessibility(page, "the story form with tag suggestions (360px)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "tag-suggestions-360")

    # Headless Chromium draws no datalist popup, so the pick is made as the browser makes it:
    # the box takes the option's value, with an input event. The list then empties.
    box.fill("Found Family, Slow Burn")
    expect(page.locator("#id_additional_tags-suggestions option")).to_have_count(0)
    # Another kind's box suggests its own kind only.
    characters = page.get_by_label("Characters")
    characters.press_sequentially("sl", delay=30)
    expect(page.locator("#id_characters-suggestions option")).to_have_count(1)
    assert suggestions(page, "id_characters") == [["Slater", ""]]
    characters.fill("")

    new_story(page, "The Long Way Round")
    story = Story.objects.unchecked("test").get(title="The Long Way Round")
    assert sorted(st.tag.name for st in story.story_tags.select_related("tag")) == [
        "Found Family",
        "Slow Burn",
    ]

    # The works filters suggest tags of every kind, saying which kind each is.
    page.goto(live_server.url + "/works/")
    page.get_by_label("Include tags").press_sequentially("sl", delay=30)
    expect(page.locator("#include-tags-suggestions option")).to_have_count(3)
    assert suggestions(page, "include-tags") == [
        ["Slow Burn", "Additional tag"],
        ["Slater", "Character"],
        ["Slowburn", "Slowburn → Slow Burn · Additional tag"],
    ]


def test_without_javascript_tags_are_typed_as_before(live_server: Any, new_context: Any) -> None:
    make_user(username="writer")
    page = new_context(viewport={"width": 360, "height": 800}, java_script_enabled=False).new_page()
    sign_in(page, live_server.url, "writer")
    page.goto(live_server.url + "/write/new/")
    box = page.get_by_label("Additional tags")
    assert box.get_attribute("list") is None
    box.fill("Brand New Tag, Another")
    new_story(page, "Plain Typing")
    story = Story.objects.unchecked("test").get(title="Plain Typing")
    assert {st.tag.name for st in story.story_tags.select_related("tag")} == {
        "Brand New Tag",
        "Another",
    }
