"""Download counts: a row per download and the counter moved in its transaction, exact under
concurrent downloads, audited by `recount_counters`, shown to the writer."""

from __future__ import annotations

import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.models import User
from formats.models import Download, StoryFile
from social.counters import find_drift
from stories.models import Part
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user
from tests.formats.conftest import download_url, fetch

READERS = 10
ROUNDS = 2


def recount(*args: str) -> str:
    out = StringIO()
    call_command("recount_counters", *args, stdout=out)
    return out.getvalue()


def test_each_download_is_counted_once(client: Client, reader_client: Client, part: Part) -> None:
    fetch(client, part.story, "epub")
    fetch(reader_client, part.story, "epub")
    fetch(client, part.story, "txt")
    client.head(download_url(part.story, "epub"))  # a HEAD takes no file away
    epub = StoryFile.objects.get(format="epub")
    assert epub.downloads_count == Download.objects.filter(file=epub).count() == 2
    assert StoryFile.objects.get(format="txt").downloads_count == 1


def test_a_progress_page_is_not_a_download(client: Client, part: Part) -> None:
    client.get(reverse("formats:download_status", args=[part.story_id, "pdf"]))
    assert not Download.objects.exists()
    assert StoryFile.objects.get().downloads_count == 0


def test_the_writer_sees_the_counts_and_readers_the_links(
    author_client: Client, client: Client, part: Part
) -> None:
    for _ in range(3):
        fetch(client, part.story, "md")
    manage = author_client.get(
        reverse("stories:story_manage", args=[part.story_id])
    ).content.decode()
    assert "(3 downloads)" in manage and "Downloaded 3 times in all." in manage
    page = client.get(part.story.get_absolute_url()).content.decode()
    for fmt in ["epub", "pdf", "html", "txt", "md"]:
        assert f'href="{download_url(part.story, fmt)}"' in page
    assert "downloads)" not in page


def test_a_draft_story_offers_no_download(author_client: Client, author: User) -> None:
    story = make_story(author, "Not Yet")
    make_part(story, "Hidden", publish=False)
    for url in [story.get_absolute_url(), reverse("stories:story_manage", args=[story.pk])]:
        assert "/download/" not in author_client.get(url).content.decode()


def test_recount_reports_and_fixes_download_drift(client: Client, part: Part) -> None:
    fetch(client, part.story, "epub")
    fetch(client, part.story, "epub")
    assert "0 drifted counter(s) found." in recount("--check")
    file = StoryFile.objects.get()
    StoryFile.objects.filter(pk=file.pk).update(downloads_count=7)
    assert f"story file {file.pk} downloads_count: stored 7, actual 2" in recount()
    with pytest.raises(SystemExit):
        recount("--check")
    assert "1 drifted counter(s) fixed." in recount("--fix")
    assert StoryFile.objects.get().downloads_count == 2
    assert "0 drifted counter(s) found." in recount("--check")


@pytest.mark.django_db(transaction=True)
def test_readers_downloading_at_once_keep_the_count_exact(downloads_root: Path) -> None:
    """The first round also races to make the file: every reader gets it, and one file is
    kept. Run on SQLite and PostgreSQL."""
    story = make_story(make_user(username="popular"), "Popular")
    make_part(story, "One", "<p>Everyone wants this.</p>")
    readers = [client_for(make_user()) for _ in range(READERS)]
    url = download_url(story, "epub")
    bodies: list[bytes] = []
    errors: list[BaseException] = []

    def take(client: Client, start: threading.Barrier) -> None:
        try:
            start.wait()
            response = client.get(url)
            bodies.append(b"".join(response.streaming_content))  # type: ignore[attr-defined]
        except BaseException as error:  # noqa: B036 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    for _round in range(ROUNDS):
        start = threading.Barrier(READERS)
        threads = [threading.Thread(target=take, args=(reader, start)) for reader in readers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert errors == []
    assert len(bodies) == READERS * ROUNDS and all(body.startswith(b"PK") for body in bodies)
    file = StoryFile.objects.get()
    assert file.downloads_count == Download.objects.count() == READERS * ROUNDS
    assert find_drift() == []
    assert [path.name for path in downloads_root.rglob("*.epub")] == [Path(file.path).name]
