"""A file is made once per story version and served to every reader; a change makes a new one
(or only re-labels the old one, when the file would not change); a large story is made by the
worker while the reader watches its progress."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from formats import actions
from formats.models import StoryFile
from formats.tasks import build_file_task
from social.actions.comments import do_add_comment
from stories.actions import do_delete_story, do_save_part, do_unpublish_part
from stories.models import Part, Story
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user, run_task_worker
from tests.formats.conftest import download_url, fetch, make_long_story

HTMX = {"HX-Request": "true"}


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_the_second_download_builds_nothing(
    client: Client, reader_client: Client, part: Part, builds: Counter[str]
) -> None:
    _response, first = fetch(client, part.story, "epub")
    _response, again = fetch(reader_client, part.story, "epub")
    _response, once_more = fetch(client, part.story, "epub")
    assert builds == {"epub": 1}
    assert first == again == once_more
    row = StoryFile.objects.get()
    assert (row.version, row.size) == (part.story.content_version, len(first))


def test_an_edit_makes_a_new_file_and_the_old_one_goes(
    client: Client,
    part: Part,
    builds: Counter[str],
    downloads_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _response, before = fetch(client, part.story, "txt")
        do_save_part(part, "The First Night", "<p>“Goodbye,” she said.</p>")
        _response, after = fetch(client, part.story, "txt")
    assert builds == {"txt": 2}
    assert (
        "Hello" in before.decode() and "Goodbye" in after.decode() and "Hello" not in after.decode()
    )
    assert len(stored_files(downloads_root)) == 1  # the old file was deleted once replaced


def test_a_comment_moves_the_story_version_but_rebuilds_nothing(
    client: Client, reader: User, part: Part, builds: Counter[str]
) -> None:
    _response, before = fetch(client, part.story, "md")
    do_add_comment(reader, part, "Lovely.")
    story = Story.objects.get(pk=part.story_id)
    assert not StoryFile.objects.get().is_fresh_for(story.content_version)
    _response, after = fetch(client, story, "md")
    assert builds == {"md": 1} and before == after
    assert StoryFile.objects.get().version == story.content_version  # re-labelled


def test_unpublishing_a_part_takes_it_out_of_the_file(client: Client, part: Part) -> None:
    second = make_part(part.story, "The Second Night", "<p>Later words.</p>")
    _response, before = fetch(client, part.story, "html")
    do_unpublish_part(second)
    _response, after = fetch(client, part.story, "html")
    assert "Later words." in before.decode() and "Later words." not in after.decode()


def test_every_download_is_served_as_an_attachment_named_after_the_story(
    client: Client, part: Part
) -> None:
    for fmt, content_type in [
        ("epub", "application/epub+zip"), ("pdf", "application/pdf"),
        ("html", "text/html; charset=utf-8"), ("txt", "text/plain; charset=utf-8"),
        ("md", "text/markdown; charset=utf-8"),
    ]:  # fmt: skip
        response, body = fetch(client, part.story, fmt)
        assert response.status_code == 200 and body
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="the-quiet-harbour.{fmt}"'
        assert response["Cache-Control"] == "private, no-cache"


# --- large stories: the worker --------------------------------------------------------------


@pytest.fixture
def small_inline_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every story counts as large: its files are made by the worker."""
    monkeypatch.setattr(actions, "INLINE_WORDS", dict.fromkeys(actions.INLINE_WORDS, 0))
    monkeypatch.setattr(actions, "PROGRESS_EVERY_SECONDS", 0)


@pytest.mark.django_db(transaction=True)
def test_a_large_story_is_made_by_the_worker_while_the_reader_sees_its_progress(
    small_inline_limit: None, builds: Counter[str]
) -> None:
    story = make_long_story(make_user(username="long"), parts=30, paragraphs=3)
    reader = client_for(make_user(username="patient"))
    url = download_url(story, "epub")

    waiting = reader.get(url)
    assert waiting.status_code == 202 and waiting["Retry-After"]
    page = waiting.content.decode()
    status_url = reverse("formats:download_status", args=[story.pk, "epub"])
    assert f'data-hx-get="{status_url}"' in page and 'data-hx-trigger="every 2s"' in page
    assert f'<meta http-equiv="refresh" content="4; url={url}">' in page  # without JavaScript
    assert reader.get(url).status_code == 202  # asked again: still one build queued
    assert DBTaskResult.objects.filter(task_path=build_file_task.module_path).count() == 1
    fragment = reader.get(status_url, headers=HTMX)
    assert fragment.status_code == 200 and "waiting its turn" in fragment.content.decode()
    assert "HX-Redirect" not in fragment

    run_task_worker()

    row = StoryFile.objects.get()
    assert builds == {"epub": 1} and row.is_fresh_for(story.content_version)
    assert (row.progress_done, row.progress_total) == (30, 30)  # reported part by part
    ready = reader.get(status_url, headers=HTMX)
    assert "is ready" in ready.content.decode() and "data-hx-trigger" not in ready.content.decode()
    assert ready["HX-Redirect"] == url  # the download starts by itself
    assert reader.get(status_url).status_code == 200  # the page, without htmx
    response, body = fetch(reader, story, "epub")
    assert response.status_code == 200 and body.startswith(b"PK")


@pytest.mark.django_db(transaction=True)
def test_the_progress_page_shows_how_far_the_build_has_got(small_inline_limit: None) -> None:
    story = make_long_story(make_user(username="long"), parts=4, paragraphs=1)
    reader = Client()
    assert reader.get(download_url(story, "pdf")).status_code == 202
    StoryFile.objects.update(progress_done=3, progress_total=4)
    fragment = reader.get(reverse("formats:download_status", args=[story.pk, "pdf"]), headers=HTMX)
    html = fragment.content.decode()
    assert "3 of 4 parts done" in html and '<progress max="4" value="3">75%</progress>' in html


# --- after a change: the hook -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_change_remakes_the_formats_readers_download_and_drops_the_others(
    builds: Counter[str], downloads_root: Path
) -> None:
    author = make_user(username="writer")
    story = make_story(author)
    part = make_part(story, "One", "<p>First words.</p>")
    fetch(Client(), story, "epub")  # downloaded: made again after a change
    Client().get(reverse("formats:download_status", args=[story.pk, "md"]))  # asked, not taken
    run_task_worker()
    assert builds == {"epub": 1, "md": 1}

    do_save_part(part, "One", "<p>Second words.</p>")
    run_task_worker()  # the hook queued the refresh

    story.refresh_from_db()
    epub_file, md_file = StoryFile.objects.get(format="epub"), StoryFile.objects.get(format="md")
    assert builds == {"epub": 2, "md": 1}
    assert epub_file.is_fresh_for(story.content_version)
    assert (md_file.path, md_file.version) == ("", None)
    assert stored_files(downloads_root) == [downloads_root / epub_file.path]


@pytest.mark.django_db(transaction=True)
def test_a_story_with_no_published_part_left_loses_its_files(downloads_root: Path) -> None:
    story = make_story(make_user(username="writer"))
    part = make_part(story, "One", "<p>Words.</p>")
    fetch(Client(), story, "txt")
    do_unpublish_part(part)
    run_task_worker()
    assert stored_files(downloads_root) == []
    assert Client().get(download_url(story, "txt")).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_deleting_a_story_deletes_its_files(downloads_root: Path) -> None:
    story = make_story(make_user(username="writer"))
    make_part(story, "One", "<p>Words.</p>")
    fetch(Client(), story, "txt")
    fetch(Client(), story, "md")
    assert len(stored_files(downloads_root)) == 2
    do_delete_story(Story.objects.get(pk=story.pk))
    assert stored_files(downloads_root) == [] and not StoryFile.objects.exists()


# --- query budgets --------------------------------------------------------------------------


def queries_for(client: Client, story: Story, fmt: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response, _body = fetch(client, story, fmt)
    assert response.status_code == 200
    return len(captured)


def test_the_download_view_has_a_fixed_query_budget(reader_client: Client, author: User) -> None:
    """The same number of queries for a one-part story and a forty-part one. (Each
    transaction adds a SAVEPOINT and its RELEASE here, inside the test's transaction.)"""
    small, large = (make_long_story(author, parts=n, paragraphs=2) for n in (1, 40))
    # Making the file: session, user, story, file row, tags, parts, the row made, the swap
    # under lock (read, write), the download counted (row, counter); three savepoints.
    making = [queries_for(reader_client, story, "html") for story in (small, large)]
    # Serving it once made: session, user, story, file row, the download counted.
    serving = [queries_for(reader_client, story, "html") for story in (small, large)]
    assert making == [17, 17]
    assert serving == [8, 8]
