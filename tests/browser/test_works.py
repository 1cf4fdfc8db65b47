"""Filtering the works listing on a phone: type a tag, narrow by a counted tag, leave a warning
out, and share the URL."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from stories.actions import StoryData, do_create_story
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import PASSWORD, make_part, make_user, run_task_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_filters_works_on_a_phone(live_server: Any, new_context: Any) -> None:
    writer = make_user(username="teller")
    shapes = [
        ("Harbour Song", ["none"], ["Mara", "Ash"]),
        ("Salt and Iron", ["violence"], ["Mara"]),
        ("The Quiet Light", ["none"], ["Ash"]),
    ]
    for title, warnings, characters in shapes:
        story = do_create_story(
            writer,
            StoryData(
                title=title,
                warnings=warnings,
                rating="teen",
                tags={"fandom": ["Harbour Lights"], "character": characters},
            ),
        )
        make_part(story, "One", f"<p>The tide turned for {title}.</p>")
    run_task_worker()  # the search index is kept by the task queue

    page = new_context(viewport={"width": 360, "height": 800}).new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Browse").click()
    expect(page.get_by_role("heading", name="3 works")).to_be_visible()

    page.get_by_label("Include tags").fill("Mara")
    page.get_by_role("button", name="Show works").click()
    expect(page.get_by_role("heading", name="2 works")).to_be_visible()
    expect(page.get_by_role("link", name="Harbour Song")).to_be_visible()
    expect(page.get_by_role("link", name="The Quiet Light")).to_have_count(0)

    # Narrow by a tag counted in the result, and leave out violent works.
    page.get_by_role("checkbox", name="include Ash").check()
    page.get_by_role("checkbox", name="Graphic Depictions Of Violence").check()
    page.get_by_role("button", name="Show works").click()
    expect(page.get_by_role("heading", name="1 work")).to_be_visible()
    expect(page.get_by_role("link", name="Harbour Song")).to_be_visible()
    assert "tag=character%3Amara" in page.url and "xwarning=violence" in page.url
    check_accessibility(page, "the works listing with filters (360px)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "works-filtered-360")

    # The URL is the filter: another reader opening it sees the same works.
    shared = new_context().new_page()
    shared.goto(page.url)
    expect(shared.get_by_role("heading", name="1 work")).to_be_visible()

    # Searching from the header: the words are found in the text and marked.
    shared.get_by_role("searchbox", name="Search stories").fill("iron tide")
    shared.get_by_role("button", name="Search", exact=True).click()
    expect(shared.get_by_role("heading", name="1 work")).to_be_visible()
    expect(shared.locator(".work-snippet mark").first).to_have_text("tide")
    check_accessibility(shared, "search results")


def test_more_like_this_leaves_out_what_a_member_has_read(
    live_server: Any, new_context: Any
) -> None:
    from social.models import Read
    from stories.models import Part

    writer = make_user(username="teller")
    tags = {"fandom": ["Harbour Lights"], "relationship": ["Mara/Ash"]}
    parts = {}
    for title in ("Harbour Song", "Salt and Iron", "The Quiet Light"):
        story = do_create_story(writer, StoryData(title=title, warnings=["none"], tags=tags))
        parts[title] = make_part(story, "One", f"<p>The tide turned for {title}.</p>")
    run_task_worker()  # publishing queued each story's "more like this"
    reader = make_user(username="gull")
    Read.objects.create(
        part=Part.objects.unchecked("test").get(pk=parts["Salt and Iron"].pk),
        reader_key=f"u:{reader.pk}",
        user=reader,
        counted_at=timezone.now(),
    )
    story_url = live_server.url + parts["Harbour Song"].story.get_absolute_url()

    anonymous = new_context().new_page()
    anonymous.goto(story_url)
    cards = anonymous.locator("#more-like-this .story-card-title")
    expect(cards).to_have_text(["Salt and Iron", "The Quiet Light"], ignore_case=False)

    page = new_context().new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "gull")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.goto(story_url)
    page.locator("#more-like-this").scroll_into_view_if_needed()
    # The shared page's list, then the reader's own swapped in: what they read is left out.
    expect(page.locator("#more-like-this .story-card-title")).to_have_text(["The Quiet Light"])
    check_accessibility(page, "a story page with more like this")
