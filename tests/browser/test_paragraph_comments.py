"""Inline comments in a real browser: a reader picks a paragraph, comments on it beside the
text and sees its count in the margin — with a pointer, and with the keyboard alone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from social.models import Comment
from stories.models import Part
from stories.paragraphs import paragraphs
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import PASSWORD, make_part, make_story, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINES = [
    "The tide came in without asking.",
    "“Did you hear that?” Mara whispered.",
    "“Only the bell,” said Ash.",
    "Nobody had rung the bell in forty years.",
]


def a_part() -> Part:
    writer = make_user(username="writer")
    story = make_story(writer, "The Drowned Bell")
    return make_part(story, "Low Water", "".join(f"<p>{line}</p>" for line in LINES))


def sign_in(page: Page, base: str, username: str) -> None:
    make_user(username=username)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.locator("form[action='/accounts/logout/']")).to_have_count(1)


def test_a_reader_comments_on_a_paragraph_and_sees_its_count(
    live_server: Any, new_context: Any
) -> None:
    part = a_part()
    pid = paragraphs(part.body_html)[1][0]
    page = new_context(viewport={"width": 360, "height": 800}).new_page()
    sign_in(page, live_server.url, "mara")
    page.goto(live_server.url + part.get_absolute_url())

    # The reader taps the paragraph, then its comment button.
    page.get_by_text("“Did you hear that?” Mara whispered.").click()
    button = page.get_by_role("button", name="Comments on paragraph 2 (0)")
    expect(button).to_be_visible()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    panel = page.locator(f"#pc-panel-{pid}")
    expect(panel.get_by_role("heading", name="Paragraph 2: 0 comments")).to_be_focused()
    check_accessibility(page, "part page with a paragraph's thread open (360px)")

    stat = page.locator("#part-stats [data-stat=comments]")
    expect(stat).to_have_attribute("data-exact", "0")
    panel.get_by_label("Comment on this paragraph").fill("The bell! I have chills.")
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.locator(".comment-body")).to_contain_text("I have chills.")
    counted = page.get_by_role("button", name="Comments on paragraph 2 (1)")
    expect(counted.locator(".pc-count")).to_have_text("1")
    expect(panel.get_by_role("heading", name="Paragraph 2: 1 comment")).to_be_focused()
    # The stats line under the title counts it too, from the same response.
    expect(stat).to_have_attribute("data-exact", "1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "paragraph-comments-360")

    # Close: the thread goes, focus returns to the paragraph's button. Still the same page.
    panel.get_by_role("button", name="Close").click()
    expect(panel).to_have_count(0)
    expect(counted).to_be_focused()
    expect(counted).to_have_attribute("aria-expanded", "false")
    assert page.url.endswith(part.get_absolute_url())

    comment = Comment.objects.get()
    assert (comment.paragraph_id, comment.body) == (pid, "The bell! I have chills.")

    # Another reader, anonymous, sees the count in the margin of the (rebuilt) shared page.
    other = new_context(viewport={"width": 1280, "height": 900}).new_page()
    other.goto(live_server.url + part.get_absolute_url())
    margin = other.get_by_role("button", name="Comments on paragraph 2 (1)")
    expect(margin.locator(".pc-count")).to_have_text("1")
    margin.click()
    expect(other.locator(f"#pc-panel-{pid}")).to_contain_text("The bell! I have chills.")
    expect(other.get_by_role("link", name="Sign in to comment on this paragraph")).to_be_visible()
    check_accessibility(other, "part page, anonymous, thread open (1280px)")


def test_a_reader_comments_on_a_paragraph_with_the_keyboard_alone(
    live_server: Any, new_context: Any
) -> None:
    part = a_part()
    pid = paragraphs(part.body_html)[2][0]
    page = new_context().new_page()
    sign_in(page, live_server.url, "ash")
    page.goto(live_server.url + part.get_absolute_url())

    def tab_to(selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to(f"button#pc-{pid}")
    button = page.locator(f"#pc-{pid}")
    expect(button).to_be_visible()  # a focused button shows, with or without comments
    page.keyboard.press("Enter")
    panel = page.locator(f"#pc-panel-{pid}")
    expect(panel.get_by_role("heading", name="Paragraph 3: 0 comments")).to_be_focused()

    tab_to(f"#pc-panel-{pid} textarea")
    page.keyboard.type("Forty years!")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(panel.get_by_role("heading", name="Paragraph 3: 1 comment")).to_be_focused()
    expect(button.locator(".pc-count")).to_have_text("1")
    expect(button).to_have_accessible_name("Comments on paragraph 3 (1)")
    expect(page.locator("#part-stats [data-stat=comments]")).to_have_attribute("data-exact", "1")

    # Escape closes the thread and gives focus back to the paragraph's button.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(button).to_be_focused()
    assert Comment.objects.get().paragraph_id == pid

    # An empty comment is refused in place, with focus on the field that needs fixing.
    page.keyboard.press("Enter")
    expect(panel.get_by_role("heading", name="Paragraph 3: 1 comment")).to_be_focused()
    panel.locator("textarea").evaluate("el => el.removeAttribute('required')")
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.get_by_role("alert")).to_contain_text("Write something before posting.")
    expect(panel.locator("textarea")).to_be_focused()
    assert Comment.objects.count() == 1


def test_a_guest_comments_on_a_story_open_to_guests(live_server: Any, new_context: Any) -> None:
    from social.actions.moderation import do_set_comment_policy
    from stories.models import CommentPolicy

    part = a_part()
    do_set_comment_policy(part.story, CommentPolicy.OPEN)
    pid = paragraphs(part.body_html)[2][0]
    page = new_context(viewport={"width": 360, "height": 800}).new_page()
    page.goto(live_server.url + part.get_absolute_url())

    # The whole-part form, on its own page: signed with a name, marked as a guest's.
    page.get_by_role("link", name="Comment as a guest").click()
    check_accessibility(page, "a guest's comment form (360px)")
    page.get_by_label("Your name").fill("Kit")
    page.get_by_label("Add a comment").fill("Came for the bell, stayed for Ash.")
    page.get_by_role("button", name="Post comment").click()
    comment = page.locator(".comment", has_text="stayed for Ash")
    expect(comment.locator(".badge-guest")).to_have_text("Guest")
    expect(comment.locator(".comment-meta")).to_contain_text("Kit")

    # A paragraph, beside the text, the same way a member does it.
    page.get_by_text("“Only the bell,” said Ash.").click()
    page.get_by_role("button", name="Comments on paragraph 3 (0)").click()
    panel = page.locator(f"#pc-panel-{pid}")
    panel.get_by_label("Your name").fill("Kit")
    panel.get_by_label("Comment on this paragraph").fill("Ash knows something.")
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.locator(".comment-body")).to_contain_text("Ash knows something.")
    expect(page.get_by_role("button", name="Comments on paragraph 3 (1)")).to_be_visible()
    guests = Comment.objects.filter(user=None, guest_name="Kit")
    assert sorted(guests.values_list("paragraph_id", flat=True)) == ["", pid]
