"""The story as HTML: the title page and each part as fragments (shared by the EPUB, the PDF
and the single-file download), and the single file itself.

The fragments are written to be well-formed XHTML and valid HTML at once (`<br/>`, never an
empty `<p/>`), so the same markup goes into every format.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string

from formats.source import Chapter, FrontMatter, StorySource

STYLES = Path(__file__).parent / "styles"
Progress = Callable[[int, int], None]  # (steps done, steps in all)


@cache
def stylesheet(name: str) -> str:
    return (STYLES / name).read_text(encoding="utf-8")


def front_html(source: StorySource, epub: bool = False) -> str:
    front = source.front
    return render_to_string(
        "formats/book/_front.html",
        {
            "front": front,
            "summary": front.summary_prose().markup if front.summary else "",
            "parts_count": len(source.chapters),
            "epub": epub,
        },
    )


def part_html(chapter: Chapter, epub: bool = False) -> str:
    notes_before, notes_after = chapter.notes_before_prose(), chapter.notes_after_prose()
    return render_to_string(
        "formats/book/_part.html",
        {
            "chapter": chapter,
            "body": chapter.prose().markup,
            "notes_before": notes_before.markup if notes_before else "",
            "notes_after": notes_after.markup if notes_after else "",
            "epub": epub,
        },
    )


def contents_html(source: StorySource) -> str:
    return render_to_string("formats/book/_contents.html", {"chapters": source.chapters})


def cover_html(front: FrontMatter, src: str, epub: bool = False) -> str:
    return render_to_string("formats/book/_cover.html", {"front": front, "src": src, "epub": epub})


def document(front: FrontMatter, content: str, css: str) -> str:
    """A whole HTML document around `content`, with its metadata and `css` inline."""
    keywords = ", ".join(name for _label, names in front.tags for name in names)
    return render_to_string(
        "formats/book/document.html",
        {"front": front, "content": content, "css": css, "keywords": keywords},
    )


def html_bytes(source: StorySource, progress: Progress | None = None) -> bytes:
    """One self-contained HTML file: the cover (inline), title page, contents and parts."""
    pieces = []
    if source.cover_jpeg:
        data = base64.b64encode(source.cover_jpeg).decode("ascii")
        pieces.append(cover_html(source.front, f"data:image/jpeg;base64,{data}"))
    pieces += [front_html(source), contents_html(source)]
    total = len(source.chapters)
    for done, chapter in enumerate(source.chapters, start=1):
        pieces.append(part_html(chapter))
        if progress:
            progress(done, total)
    return document(source.front, "\n".join(pieces), stylesheet("ebook.css")).encode("utf-8")
