"""An import in a real browser: the reading page follows the worker by itself (htmx polling
under the site's CSP) and turns into the preview; confirming makes the draft story."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from imports.models import ImportPreview, ImportStatus
from stories.models import Part
from tests.browser.conftest import check_accessibility
from tests.browser.test_library import sign_in
from tests.factories import make_user, run_task_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_large_import_shows_its_progress_then_its_preview(
    live_server: Any, new_context: Any, settings: Any, tmp_path: Any
) -> None:
    settings.TALEHOUSE_IMPORT_INLINE_BYTES = 100  # read by the worker, as a large file is
    make_user(username="writer")
    book = tmp_path / "harbour.md"
    book.write_text(
        "# Harbour Hours\n\n"
        + "".join(f"## Hour {n}\n\nThe tide turned, as it does.\n\n" for n in range(1, 7))
    )
    page = new_context().new_page()
    sign_in(page, live_server.url, "writer")
    page.goto(live_server.url + "/write/")
    page.get_by_role("link", name="Import a story").click()
    check_accessibility(page, "import upload")
    page.set_input_files("input[type=file]", str(book))
    page.get_by_role("button", name="Read the file").click()

    expect(page.get_by_role("heading", name="Reading “harbour.md”")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Reading your file…")
    check_accessibility(page, "import progress")
    run_task_worker()  # the worker reads it; the page, polling, notices and reloads
    assert ImportPreview.objects.get().status == ImportStatus.READY

    expect(page.get_by_role("heading", name="Check your import")).to_be_visible()
    expect(page.get_by_role("heading", name="6 parts, 36 words")).to_be_visible()
    check_accessibility(page, "import preview")
    page.get_by_role("button", name="Create the story as a draft").click()
    expect(page.get_by_role("heading", name="Harbour Hours")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("Imported 6 parts as drafts.")
    assert Part.objects.unchecked("test").count() == 6
