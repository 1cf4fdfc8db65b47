"""Reading lists in a real browser: from a story page, add the story to a new list and find
it on the list's page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from library.models import ListEntry
from tests.browser.test_library import sign_in
from tests.factories import make_part, make_story, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_adds_a_story_to_a_new_list_from_its_page(
    live_server: Any, new_context: Any
) -> None:
    from tests.browser.conftest import check_accessibility

    story = make_story(make_user(username="writer"), "The Quiet Harbour")
    make_part(story, "One", "<p>Words.</p>")
    make_user(username="reader")
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(page, live_server.url, "reader")

    page.goto(live_server.url + story.get_absolute_url())
    page.click("summary:has-text('Add to a list')")  # the shelf control, loaded by htmx
    page.fill("#shelf-list-title", "Rainy days")
    page.click(".shelf-list-form button:has-text('Add to list')")

    expect(page).to_have_url(re.compile(r"/library/lists/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Rainy days")
    expect(page.locator(".list-entry")).to_contain_text("The Quiet Harbour")
    expect(page.get_by_text("Added to your new list “Rainy days”.")).to_be_visible()
    assert ListEntry.objects.filter(reading_list__title="Rainy days", story=story).exists()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the list page is {width}px wide"
    check_accessibility(page, "a reading list (360px)")
