"""Rendered pages are valid HTML, checked by the Nu Html Checker (vnu-jar, from npm)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from accounts.models import User
from social.actions import do_add_comment, do_set_vote
from stories.models import Part
from tests.conftest import client_for

VNU = (
    Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)


@pytest.mark.skipif(shutil.which("java") is None, reason="the HTML checker needs Java")
def test_pages_are_valid_html(part: Part, reader: User, author: User, tmp_path: Path) -> None:
    assert VNU.exists(), "run `make test` (npm ci installs vnu-jar)"
    reply_to = do_add_comment(reader, part, "Hello\nthere https://example.com")
    do_add_comment(author, part, "Thank you!", parent=reply_to)
    do_set_vote(reader, part, True)
    story = part.story
    reading = {
        "home": "/",
        "story": story.get_absolute_url(),
        "part": part.get_absolute_url(),
        "full": f"/stories/{story.pk}/full/",
        "tag": "/tags/fandom/original-work/",
        "profile": f"/@{author.username}/",
        "not-found": "/no-such-page/",
    }
    writing = {
        "my-stories": "/write/",
        "new-story": "/write/new/",
        "manage": f"/write/stories/{story.pk}/",
        "edit-part": f"/write/parts/{part.pk}/",
        "edit-profile": "/settings/profile/",
        "email-addresses": "/accounts/email/",  # allauth's field element, in our markup
    }
    pages = [(f"anonymous-{n}", Client(), u) for n, u in reading.items()]
    pages += [(f"reader-{n}", client_for(reader), u) for n, u in reading.items()]
    pages += [(f"author-{n}", client_for(author), u) for n, u in writing.items()]
    pages += [("sign-in", Client(), "/accounts/login/"), ("sign-up", Client(), "/accounts/signup/")]
    for name, client, url in pages:
        (tmp_path / f"{name}.html").write_bytes(client.get(url).content)
    result = subprocess.run(  # noqa: S603 - a fixed local command on our own files
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", str(tmp_path)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    problems = [f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}" for m in messages]
    assert problems == []
