"""Every EPUB we make passes EPUBCheck with no errors and no warnings: the demo's stories, and
stories built to break it. All checked in one Java process (tests/formats/epubcheck.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from accounts.models import User
from formats.epub import epub_bytes
from stories.models import Story
from tests.formats.conftest import make_demo_stories, make_hostile_story, make_long_story
from tests.formats.epubcheck import check_epubs

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="EPUBCheck needs Java")


def test_every_epub_we_make_passes_epubcheck(author: User, tmp_path: Path) -> None:
    stories = make_demo_stories()
    assert len(stories) >= 6
    hostile = make_hostile_story(author)
    # The same story as a right-to-left book, and as a Japanese one (languages the choices
    # may offer later; the file must not depend on the list).
    right_to_left = make_hostile_story(author)
    Story.objects.filter(pk=right_to_left.pk).update(language="ar")
    japanese = make_hostile_story(author)
    Story.objects.filter(pk=japanese.pk).update(language="ja", cover="")
    stories += [hostile, right_to_left, japanese, make_long_story(author)]
    paths = []
    for story in Story.objects.filter(pk__in=[s.pk for s in stories]).select_related(
        "author__profile"
    ):
        path = tmp_path / f"{story.pk}-{story.slug}.epub"
        path.write_bytes(epub_bytes(story))
        paths.append(path)

    verdicts = check_epubs(paths)

    problems = {
        path.name: verdict.messages for path, verdict in verdicts.items() if not verdict.clean
    }
    assert problems == {}
    assert len(verdicts) == len(stories) >= 10
