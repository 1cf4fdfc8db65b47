"""The writer's pages in a real browser: no axe-core violations, at phone width."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import PASSWORD, make_part, make_story, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_writing_and_account_pages_pass_axe(live_server: Any, new_context: Any) -> None:
    author = make_user(username="ada")
    story = make_story(author, "The Salt Road", summary="A long walk.")
    part = make_part(story, "Setting Out", "<p>They left at dawn.</p>")
    page = new_context(viewport={"width": 360, "height": 800}).new_page()
    page.goto(live_server.url + "/accounts/login/")
    check_accessibility(page, "sign in")
    page.fill("input[name=login]", "ada")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    for name, url in (
        ("my stories", "/write/"),
        ("new story", "/write/new/"),
        ("manage story", f"/write/stories/{story.pk}/"),
        ("edit part", f"/write/parts/{part.pk}/"),
        ("new part", f"/write/stories/{story.pk}/parts/new/"),
        ("profile", "/@ada/"),
        ("edit profile", "/settings/profile/"),
    ):
        page.goto(live_server.url + url)
        if "part" in name:
            page.wait_for_selector("[contenteditable=true][aria-labelledby]")
        check_accessibility(page, name)
        screenshot(page, "writing-" + name.replace(" ", "-"))
