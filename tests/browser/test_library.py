"""Resume at the paragraph on another device, in a real browser: the position beacon, the
library's "Continue reading", and the part page scrolled to the paragraph."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from library.actions import do_save_position
from library.models import PartRead, ReadingPosition
from stories.models import Part
from tests.factories import PASSWORD, make_part, make_story, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARAGRAPHS = 200
TARGET = 120


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.get_by_role("link", name="Library")).to_be_visible()


def long_part(title: str = "The Long Night") -> Part:
    author = make_user(username="writer")
    story = make_story(author, "A Very Long Story")
    make_part(story, "Before", "<p>Earlier.</p>")
    body = "".join(
        f"<p>Paragraph {i}: the tide came in and went out.</p>" for i in range(PARAGRAPHS)
    )
    return make_part(story, title, body)


def test_a_reader_continues_on_another_device_at_the_paragraph(
    live_server: Any, new_context: Any
) -> None:
    part = long_part()
    make_user(username="reader")
    base = live_server.url

    # Device one: read down to a paragraph; the beacon (every ~10 s) records it.
    phone = new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(phone, base, "reader")
    phone.goto(base + part.get_absolute_url())
    target = phone.locator("#prose p").nth(TARGET)
    pid = target.get_attribute("data-pid")
    assert pid
    with phone.expect_response(re.compile(r"/position/$"), timeout=25000) as beacon:
        target.evaluate("p => p.scrollIntoView({block: 'start'})")
    assert beacon.value.status == 204
    position = ReadingPosition.objects.get(reader__username="reader")
    assert (position.part_id, position.paragraph) == (part.pk, pid)
    assert PartRead.objects.filter(reader__username="reader", part=part).exists()

    # Device two: the library's "Continue reading" opens the part at that paragraph.
    laptop = new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(laptop, base, "reader")
    laptop.goto(base + "/library/")
    laptop.get_by_role("link", name=re.compile("Continue reading")).click()
    expect(laptop).to_have_url(re.compile(re.escape(part.get_absolute_url()) + f"#p-{pid}$"))
    paragraph = laptop.locator(f'#prose p[data-pid="{pid}"]')
    expect(paragraph).to_be_in_viewport()
    expect(paragraph).to_contain_text(f"Paragraph {TARGET}:")
    # The per-reader fragment brought the read marks: this part is marked in the contents.
    current = laptop.locator(".toc li[aria-current=page]")
    expect(current).to_have_class(re.compile(r"\bis-read\b"))
    expect(current).to_contain_text("(read)")
    expect(paragraph).to_be_in_viewport()
    # And in the story page's contents, with the shelf control.
    laptop.goto(base + part.story.get_absolute_url())
    expect(laptop.locator(".toc li.is-read")).to_contain_text(part.title)


def test_a_part_without_paragraph_ids_resumes_by_paragraph_index(
    live_server: Any, new_context: Any
) -> None:
    part = long_part()
    # A part stored before paragraphs had ids: the script counts paragraphs instead.
    Part.objects.filter(pk=part.pk).update(
        body_html=re.sub(r' data-pid="[0-9a-f]+"', "", part.body_html)
    )
    reader = make_user(username="reader")
    do_save_position(reader, part, f"i{TARGET}")
    page = new_context().new_page()
    sign_in(page, live_server.url, "reader")
    page.goto(live_server.url + "/library/")
    page.get_by_role("link", name=re.compile("Continue reading")).click()
    expect(page.locator("#prose p").nth(TARGET)).to_be_in_viewport()


def test_the_shelf_control_and_library_pages_at_phone_width(
    live_server: Any, new_context: Any
) -> None:
    from tests.browser.conftest import check_accessibility

    part = long_part()
    reader = make_user(username="reader")
    do_save_position(reader, part, "i3")
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(page, live_server.url, "reader")

    # The story page loads the reader's shelf control into the shared page (htmx).
    page.goto(live_server.url + part.story.get_absolute_url())
    form = page.locator("#shelf-form")
    expect(form).to_contain_text("In your library: Reading.")
    page.select_option("#id_shelf", "paused")
    page.click("summary:has-text('Private note')")
    page.fill("#id_note", "Back after the exams.")
    page.click(".shelf-note button:has-text('Save')")
    expect(page.get_by_text("In your library: Paused.")).to_be_visible()
    expect(form).to_have_count(1)  # swapped in place
    assert page.url.endswith(part.story.get_absolute_url())  # no page load
    check_accessibility(page, "story page with the shelf control (360px)")
    page.click(".shelf-row button:has-text('Remove from library')")
    expect(page.get_by_text("Not in your library.")).to_be_visible()
    page.click(".shelf-row button:has-text('Add to library')")
    expect(page.get_by_text("In your library: Reading.")).to_be_visible()
    page.select_option("#id_shelf", "paused")
    page.click("summary:has-text('Private note')")
    page.fill("#id_note", "Back after the exams.")
    page.click(".shelf-note button:has-text('Save')")
    expect(page.get_by_text("In your library: Paused.")).to_be_visible()

    for url in ("/library/", "/library/history/", "/library/history/clear/"):
        page.goto(live_server.url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{url} is {width}px wide"
        check_accessibility(page, f"{url} (360px)")
    page.goto(live_server.url + "/library/")
    expect(page.locator("#shelf-paused + .library-list")).to_contain_text("Back after the exams.")
