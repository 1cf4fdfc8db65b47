"""The whole loop in a real browser: a writer publishes, a reader reads, votes and comments."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from social.jobs import flush_pending_reads
from stories.models import Part, Story
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DIALOGUE = [
    "“Are you coming?” Wren asked.",
    "“In a minute.”",
    "“You said that an hour ago.”",
    "“And I meant it then, too.”",
]


def sign_up_and_confirm(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=email]", f"{username}@example.com")
    page.fill("input[name=username]", username)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.fill("input[name=display_name]", username.capitalize())
    page.click("main form button[type=submit]")
    expect(page.locator("main h1")).to_contain_text(re.compile("verify", re.I))
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", str(mail.outbox[-1].body))
    assert link, mail.outbox[-1].body
    page.goto(link.group(0).replace("http://testserver", base))
    page.click("main form button[type=submit]")


def write_part(page: Page, title: str, paragraphs: list[str]) -> None:
    page.fill("input[name=title]", title)
    editor = page.locator("[contenteditable=true].ProseMirror")
    editor.click()
    for index, paragraph in enumerate(paragraphs):
        if index:
            page.keyboard.press("Enter")
        page.keyboard.type(paragraph)
    page.click("button[name=publish]")
    expect(page.locator("#part-title")).to_have_text(title)


def stats(page: Page) -> dict[str, int]:
    line = page.locator("#part-stats")
    return {
        kind: int(line.locator(f"[data-stat={kind}]").get_attribute("data-exact") or "-1")
        for kind in ("reads", "votes", "comments")
    }


def test_a_writer_publishes_and_a_reader_reads_votes_and_comments(
    live_server: Any, new_context: Any
) -> None:
    base = live_server.url

    # The writer signs up, confirms their email and writes a story with two parts.
    writer = new_context().new_page()
    sign_up_and_confirm(writer, base, "wren")
    writer.goto(f"{base}/write/new/")
    writer.fill("input[name=title]", "Lanterns on the Water")
    writer.fill("textarea[name=summary]", "Two friends and a harbour festival.")
    writer.check("input[name=warnings][value=none]")
    writer.fill("input[name=fandoms]", "Original Work")
    writer.fill("input[name=relationships]", "Wren Adair/Tamsin Cole")
    writer.click("form.stacked-form button[type=submit]")
    expect(writer.get_by_role("heading", name="New part", exact=True)).to_be_visible()
    write_part(writer, "The Festival", DIALOGUE)
    story = Story.objects.get(title="Lanterns on the Water")
    writer.goto(f"{base}/write/stories/{story.pk}/parts/new/")
    write_part(writer, "After the Lights", ["The harbour was quiet again."])
    writer.click("form[action='/accounts/logout/'] button")
    expect(writer.get_by_role("link", name="Sign in")).to_be_visible()

    # A reader signs in, reads part 1, votes, comments and moves on to part 2.
    make_user(username="reader", email="reader@example.com")
    reader = new_context().new_page()
    reader.goto(f"{base}/accounts/login/")
    reader.fill("input[name=login]", "reader")
    reader.fill("input[name=password]", PASSWORD)
    reader.click("main form button[type=submit]")
    part_one = Part.objects.get(title="The Festival")
    with reader.expect_response(re.compile(r"/read/$")) as beacon:
        reader.goto(f"{base}{part_one.get_absolute_url()}")
    assert beacon.value.status == 204
    expect(reader.locator(".prose")).to_contain_text("You said that an hour ago.")
    reader.click(".vote-button")
    expect(reader.locator(".vote-button")).to_have_attribute("aria-pressed", "true")
    # The stats line under the title follows the vote button, both ways (one response).
    votes = reader.locator("#part-stats [data-stat=votes]")
    expect(votes).to_have_attribute("data-exact", "1")
    reader.click(".vote-button")
    expect(reader.locator(".vote-button")).to_have_attribute("aria-pressed", "false")
    expect(votes).to_have_attribute("data-exact", "0")
    reader.click(".vote-button")
    expect(votes).to_have_attribute("data-exact", "1")
    reader.fill("#new-comment-body", "The lanterns!\nI could see them.")
    reader.click("form.comment-form button[type=submit]")
    expect(reader.locator(".comment-body")).to_contain_text("I could see them.")
    reader.click("a[rel=next]")
    expect(reader.locator("#part-title")).to_have_text("After the Lights")

    # The worker applies the queued read; the stats line shows exact numbers.
    flush_pending_reads()
    reader.goto(f"{base}{part_one.get_absolute_url()}")
    assert stats(reader) == {"reads": 1, "votes": 1, "comments": 1}
    expect(reader.locator("#part-stats")).to_contain_text("1 read")

    # Reading the same part again the same day does not count twice.
    reader.reload()
    reader.wait_for_timeout(3600)
    flush_pending_reads()
    reader.reload()
    assert stats(reader)["reads"] == 1


def test_pages_pass_axe_in_light_and_dark_themes(live_server: Any, new_context: Any) -> None:
    author = make_user(username="ada")
    from tests.factories import make_part, make_story

    story = make_story(author, "The Salt Road", summary="A long walk to the sea.")
    part = make_part(story, "Setting Out", "".join(f"<p>{line}</p>" for line in DIALOGUE * 20))
    make_part(story, "The Ferry", "<p>They crossed at dawn.</p>")
    base = live_server.url
    for theme in ("light", "dark"):
        for width in (360, 1280):
            context = new_context(viewport={"width": width, "height": 900})
            context.add_init_script(
                "window.localStorage.setItem('talehouse-reader', JSON.stringify({theme: '"
                + theme
                + "'}))"
            )
            page = context.new_page()
            for name, url in (
                ("home", "/"),
                ("story", story.get_absolute_url()),
                ("part", part.get_absolute_url()),
            ):
                page.goto(base + url)
                assert page.evaluate("document.documentElement.dataset.theme") == theme
                check_accessibility(page, f"{name} ({theme}, {width}px)")
                screenshot(page, f"{name}-{theme}-{width}")


def test_reader_settings_stay_with_an_anonymous_reader_and_a_member(
    live_server: Any, new_context: Any
) -> None:
    from accounts.models import Profile
    from tests.factories import make_part, make_story

    author = make_user(username="ines")
    part = make_part(make_story(author, "Tidewater"), "Low Tide", "<p>The sea went out.</p>")
    url = live_server.url + part.get_absolute_url()

    page = new_context().new_page()
    page.goto(url)
    page.click("summary:has-text('Reading settings')")
    page.check("input[name=theme][value=sepia]")
    page.check("input[name=size][value=xl]")
    assert page.evaluate("document.documentElement.dataset.theme") == "sepia"
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "sepia"
    assert page.evaluate("document.documentElement.dataset.size") == "xl"
    assert page.is_checked("input[name=theme][value=sepia]")

    reader = make_user(username="member")
    member = new_context().new_page()
    member.goto(live_server.url + "/accounts/login/")
    member.fill("input[name=login]", "member")
    member.fill("input[name=password]", PASSWORD)
    member.click("main form button[type=submit]")
    member.goto(url)
    member.click("summary:has-text('Reading settings')")
    with member.expect_response(re.compile(r"/settings/reader/$")):
        member.check("input[name=theme][value=dark]")
    assert Profile.objects.get(user=reader).reader_settings["theme"] == "dark"
    other_device = new_context().new_page()
    other_device.goto(live_server.url + "/accounts/login/")
    other_device.fill("input[name=login]", "member")
    other_device.fill("input[name=password]", PASSWORD)
    other_device.click("main form button[type=submit]")
    other_device.goto(url)
    # The shared member page is painted with what this browser knows; the per-reader
    # fragment then brings the account's settings.
    # (expect polls from Playwright's side: a wait_for_function string would be eval, which
    # our CSP refuses.)
    expect(other_device.locator("html")).to_have_attribute("data-theme", "dark")
    assert other_device.is_checked("input[name=theme][value=dark]")


def test_long_unbroken_titles_never_widen_a_phone_screen(
    live_server: Any, new_context: Any
) -> None:
    from tests.factories import make_part, make_story

    author = make_user(username="longwinded")
    story = make_story(author, "A" * 200, summary="B" * 300)
    part = make_part(story, "C" * 200, "<p>" + "D" * 500 + "</p>")
    page = new_context(viewport={"width": 360, "height": 800}).new_page()
    for url in ("/", story.get_absolute_url(), part.get_absolute_url()):
        page.goto(live_server.url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{url} is {width}px wide"


def test_stats_blind_mode_hides_every_count_on_every_page(
    live_server: Any, new_context: Any
) -> None:
    from tests.factories import make_part, make_story

    author = make_user(username="ines")
    part = make_part(make_story(author, "Tidewater"), "Low Tide", "<p>The sea went out.</p>")
    page = new_context().new_page()
    page.goto(live_server.url + part.get_absolute_url())
    stats = page.locator("#part-stats .stat").first
    expect(stats).to_be_visible()

    page.click("summary:has-text('Reading settings')")
    page.get_by_label("Hide reads, votes and counts everywhere").check()
    expect(stats).to_be_hidden()
    expect(page.get_by_text("The sea went out.")).to_be_visible()
    # Remembered in this browser, on the next pages too: a story page and the works listing.
    for url in (part.story.get_absolute_url(), "/works/"):
        page.goto(live_server.url + url)
        expect(page.locator(".stat").first).to_be_hidden()
        check_accessibility(page, f"{url} in stats-blind mode")
    page.goto(live_server.url + part.get_absolute_url())
    page.click("summary:has-text('Reading settings')")
    page.get_by_label("Show", exact=True).check()
    expect(page.locator("#part-stats .stat").first).to_be_visible()
