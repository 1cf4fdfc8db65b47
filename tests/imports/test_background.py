"""Large files are read by the task worker while the page shows progress (htmx polling, and a
meta refresh without script); small ones in the request. The preview page's query budget."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from imports.actions import do_prune_imports, do_start_import
from imports.models import ImportPreview, ImportStatus
from stories.models import Part, Story
from tests.conftest import client_for
from tests.factories import make_user, run_task_worker
from tests.imports.builders import upload

HTMX = {"HX-Request": "true"}


def chapters(count: int, words: int = 40) -> bytes:
    text = " ".join(["tide"] * words)
    return "".join(f"## Chapter {n}\n\n{text}.\n\n" for n in range(1, count + 1)).encode()


@pytest.fixture
def in_the_worker(settings: Any) -> None:
    settings.TALEHOUSE_IMPORT_INLINE_BYTES = 100  # every file here is "large"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_the_worker")
def test_a_large_file_is_read_by_the_worker_while_the_page_follows_along() -> None:
    writer = make_user(username="novelist")
    client = client_for(writer)
    response = upload(client, "long.md", chapters(12))
    preview = ImportPreview.objects.get()
    assert response["Location"] == reverse("imports:preview", args=[preview.pk])
    assert preview.status == ImportStatus.READING and preview.upload  # kept until read

    page = client.get(response["Location"]).content.decode()
    assert "Reading “long.md”" in page
    # No script needed: without it the page refreshes itself; with it, htmx polls.
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    status_url = reverse("imports:status", args=[preview.pk])
    assert f'data-hx-get="{status_url}" data-hx-trigger="every 1s"' in page
    fragment = client.get(status_url, headers=HTMX)
    assert "Reading your file…" in fragment.content.decode()
    assert "HX-Refresh" not in fragment

    run_task_worker()
    preview.refresh_from_db()
    assert preview.status == ImportStatus.READY and preview.upload == b""
    assert (preview.progress_done, preview.progress_total) == (12, 12)
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    # The polling fragment now reloads the page, which shows the preview.
    assert client.get(status_url, headers=HTMX)["HX-Refresh"] == "true"
    ready_page = client.get(response["Location"]).content.decode()
    assert "12 parts, 480 words" in ready_page

    client.post(reverse("imports:confirm", args=[preview.pk]))
    assert Part.objects.unchecked("test").count() == 12


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_the_worker")
def test_a_file_the_worker_refuses_says_why_and_saves_nothing() -> None:
    writer = make_user(username="novelist")
    client = client_for(writer)
    response = upload(client, "wall.txt", ("word " * 250_000).encode())
    run_task_worker()
    page = client.get(response["Location"]).content.decode()
    assert "This file could not be imported" in page
    assert "is too long for one part" in page
    assert ImportPreview.objects.get().upload == b""
    assert not Story.objects.unchecked("test").exists()
    client.post(reverse("imports:cancel", args=[ImportPreview.objects.get().pk]))  # dismiss
    assert not ImportPreview.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_the_worker")
def test_what_a_glance_refuses_is_refused_at_once_even_when_large() -> None:
    client = client_for(make_user(username="novelist"))
    response = upload(client, "story.docx", b"%PDF-1.7" + b"\0" * 500)
    assert response.status_code == 400 and "This file is a PDF" in response.content.decode()
    assert not ImportPreview.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_the_worker")
def test_a_cancelled_import_is_left_alone_by_the_worker() -> None:
    client = client_for(make_user(username="novelist"))
    upload(client, "long.md", chapters(3))
    client.post(reverse("imports:cancel", args=[ImportPreview.objects.get().pk]))
    run_task_worker()
    assert not ImportPreview.objects.exists()
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def test_a_small_file_needs_no_worker(author_client: Client) -> None:
    response = upload(author_client, "short.md", chapters(2))
    assert ImportPreview.objects.get().status == ImportStatus.READY
    page = author_client.get(response["Location"]).content.decode()
    assert "http-equiv" not in page and "every 1s" not in page


def test_old_previews_are_pruned(author: User, settings: Any) -> None:
    do_start_import(author, "a.md", chapters(1))
    assert do_prune_imports() == 0
    settings.TALEHOUSE_IMPORT_PREVIEW_HOURS = 0
    assert do_prune_imports() == 1


@pytest.mark.parametrize("parts", [2, 60])
def test_the_preview_page_has_a_fixed_query_budget(
    author_client: Client, author: User, parts: int, django_assert_max_num_queries: Any
) -> None:
    preview = do_start_import(author, "budget.md", chapters(parts, words=400))
    url = reverse("imports:preview", args=[preview.pk])
    author_client.get(url)  # warm the session
    # Session, user, profile and reader settings, the preview row (with its story), the
    # unread-notifications badge: the same whatever the number of parts.
    with django_assert_max_num_queries(5):
        response = author_client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<li>") >= parts


@pytest.mark.parametrize("parts", [2, 60])
def test_the_preview_page_never_loads_the_text(
    author_client: Client, author: User, parts: int, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    preview = do_start_import(author, "budget.md", chapters(parts, words=400))
    with CaptureQueriesContext(connection) as queries:
        author_client.get(reverse("imports:preview", args=[preview.pk]))
    reads = [q["sql"] for q in queries.captured_queries if "imports_importpreview" in q["sql"]]
    assert len(reads) == 1
    assert '"content"' not in reads[0] and '"upload"' not in reads[0]


@pytest.mark.django_db(transaction=True)
def test_a_story_of_many_parts_is_saved_by_the_worker(settings: Any) -> None:
    settings.TALEHOUSE_IMPORT_INLINE_PARTS = 5
    client = client_for(make_user(username="novelist"))
    upload(client, "long.md", chapters(8))
    preview = ImportPreview.objects.get()
    response = client.post(reverse("imports:confirm", args=[preview.pk]))
    assert response["Location"] == reverse("imports:preview", args=[preview.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Saving “long.md”" in page and "Saving 8 parts as drafts…" in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert not Story.objects.unchecked("test").exists()
    # A second confirm, or a cancel, while it saves: refused, and nothing doubles.
    assert client.post(reverse("imports:confirm", args=[preview.pk])).status_code == 302
    client.post(reverse("imports:cancel", args=[preview.pk]))

    run_task_worker()
    preview.refresh_from_db()
    assert preview.status == ImportStatus.SAVED
    status_url = reverse("imports:status", args=[preview.pk])
    manage = reverse("stories:story_manage", args=[preview.story_id])
    assert client.get(status_url, headers=HTMX)["HX-Redirect"] == response["Location"]
    assert client.get(response["Location"])["Location"] == manage
    assert Story.objects.unchecked("test").count() == 1
    assert Part.objects.unchecked("test").filter(story__isnull=False).count() == 8


@pytest.mark.django_db(transaction=True)
def test_a_save_that_fails_in_the_worker_saves_nothing_and_says_so(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import imports.actions

    settings.TALEHOUSE_IMPORT_INLINE_PARTS = 1
    client = client_for(make_user(username="novelist"))
    upload(client, "long.md", chapters(3))
    preview = ImportPreview.objects.get()
    client.post(reverse("imports:confirm", args=[preview.pk]))
    real, calls = imports.actions.do_create_part, []

    def fails_on_the_last(*args: Any, **kwargs: Any) -> Part:
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(imports.actions, "do_create_part", fails_on_the_last)
    run_task_worker()
    assert not Story.objects.unchecked("test").exists()
    assert not Part.objects.unchecked("test").exists()
    preview.refresh_from_db()
    assert preview.status == ImportStatus.READY and preview.content  # they may try again
    page = client.get(reverse("imports:preview", args=[preview.pk])).content.decode()
    assert "Saving failed, so nothing was saved. Try again in a while." in page
