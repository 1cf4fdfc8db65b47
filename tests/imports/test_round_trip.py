"""A story made into an EPUB by our own downloads (formats.epub) imports as the same parts:
titles, paragraphs and notes."""

from __future__ import annotations

import re

import pytest

from accounts.models import User
from imports.parse import check_import_file
from stories.actions import do_save_part
from stories.models import Part
from talehouse.lib.sanitize import html_to_text
from tests.factories import make_part, make_story

formats_epub = pytest.importorskip(
    "formats.epub", reason="the EPUB downloads (formats) are not here yet"
)

PARTS = [
    (
        "Low Tide",
        "<p>The harbour emptied like a <em>bath</em>.</p><p>Crabs went about their business.</p>",
    ),
    (
        "Small Hours — “Two”",
        "<h2>Before</h2><p>Nobody slept &amp; nobody said so.</p>"
        "<blockquote><p>Quoted.</p></blockquote>",
    ),
    ("مد وجزر", "<p>نص عربي قصير.</p><ul><li>one</li><li>two</li></ul>"),
]


def paragraphs(html: str) -> list[str]:
    """Each block's text, in order: what a reader reads, whatever the markup around it."""
    blocks = re.findall(r"<(p|h2|h3|h4|li)\b[^>]*>(.*?)</\1>", html, flags=re.S)
    return [" ".join(html_to_text(inner).split()) for _tag, inner in blocks]


def test_a_story_exported_as_epub_imports_as_the_same_parts(author: User) -> None:
    story = make_story(author, "Harbour Hours", summary="A day in a small port.")
    for title, body in PARTS:
        make_part(story, title, body)
    first = Part.objects.unchecked("test").filter(story=story).order_by("position").first()
    assert first is not None
    do_save_part(first, first.title, first.body_html, "Before: a note.", "After: thanks.")

    imported = check_import_file("harbour.epub", formats_epub.epub_bytes(story))
    assert imported.title == "Harbour Hours"
    assert imported.summary == "A day in a small port."
    assert [part.title for part in imported.parts] == [title for title, _body in PARTS]
    for part, (_title, body) in zip(imported.parts, PARTS, strict=True):
        assert paragraphs(part.html) == paragraphs(body)
    assert imported.parts[0].notes_before == "Before: a note."
    assert imported.parts[0].notes_after == "After: thanks."
    assert not imported.notices  # the title page and contents are not parts, silently
