"""The download's own pages and files are valid HTML (the Nu Html Checker, as tests/test_html.py
runs it): the progress page, and the single-file HTML download of a hostile story."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from formats import actions
from formats.models import Format
from tests.formats.conftest import fetch, make_hostile_story
from tests.test_html import VNU


@pytest.mark.skipif(shutil.which("java") is None, reason="the HTML checker needs Java")
def test_the_progress_page_and_the_html_download_are_valid_html(
    author: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert VNU.exists(), "run `make test` (npm ci installs vnu-jar)"
    pages = tmp_path / "checked"  # not tmp_path: media and built files live there
    pages.mkdir()
    story = make_hostile_story(author)
    _response, body = fetch(Client(), story, "html")
    (pages / "download.html").write_bytes(body)
    monkeypatch.setitem(actions.INLINE_WORDS, Format.PDF, 0)  # a large story: the progress page
    waiting = Client().get(reverse("formats:download", args=[story.pk, "pdf"]))
    assert waiting.status_code == 202
    (pages / "waiting.html").write_bytes(waiting.content)
    result = subprocess.run(  # noqa: S603 - a fixed local command on our own files
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", str(pages)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    problems = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if "heading level" not in m["message"]  # the writer's own headings (h1, h5) kept
    ]
    assert problems == []
