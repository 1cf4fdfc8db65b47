"""The story as an EPUB 3 book (ebooklib): cover, title page, contents (the navigation
document, and an NCX for EPUB 2 readers), one document per part, and a stable identifier so
an e-reader replaces the copy it has. Every EPUB we make passes epubcheck with no errors and
no warnings (tests/formats/test_epubcheck.py).

ebooklib packs the book; the documents are ours (`XhtmlDocument`), written as XHTML from the
same fragments as the other formats, so ebooklib never re-parses our markup as HTML.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from ebooklib import epub

from formats.html import Progress, cover_html, front_html, part_html, stylesheet
from formats.source import StorySource, read_source
from stories.models import Story

COVER_IMAGE = "images/cover.jpg"


class XhtmlDocument(epub.EpubHtml):  # type: ignore[misc]  # ebooklib is untyped
    """A content document whose XHTML we wrote ourselves: ebooklib stores it as it is."""

    def get_content(self, default: Any = None) -> bytes:
        content: bytes = self.content
        return content


def epub_bytes(story: Story) -> bytes:
    """The EPUB of `story`'s published parts (the caller has checked who may read it)."""
    return build_epub(read_source(story))


def build_epub(source: StorySource, progress: Progress | None = None) -> bytes:
    front = source.front
    book = epub.EpubBook()
    book.set_identifier(source.identifier)
    book.set_title(front.title)
    book.set_language(front.language)
    if front.direction == "rtl":
        book.set_direction("rtl")
    book.add_author(front.author)
    book.add_metadata("DC", "publisher", front.site_name)
    book.add_metadata("DC", "source", front.story_url)
    if front.summary:
        book.add_metadata("DC", "description", front.summary)
    if front.published_iso:
        book.add_metadata("DC", "date", front.published_iso)
    for _label, names in front.tags:
        for name in names:
            book.add_metadata("DC", "subject", name)

    style = epub.EpubItem(
        uid="style", file_name="style/ebook.css", media_type="text/css",
        content=stylesheet("ebook.css").encode(),
    )  # fmt: skip
    book.add_item(style)

    def page(uid: str, file_name: str, title: str, content: str) -> XhtmlDocument:
        xhtml = render_to_string(
            "formats/book/epub_page.xhtml", {"front": front, "title": title, "content": content}
        )
        document = XhtmlDocument(uid=uid, file_name=file_name, title=title, lang=front.language)
        document.content = xhtml.encode("utf-8")
        book.add_item(document)
        return document

    spine: list[Any] = []
    if source.cover_jpeg:
        book.set_cover(COVER_IMAGE, source.cover_jpeg, create_page=False)
        cover = page("cover", "cover.xhtml", _("Cover"), cover_html(front, COVER_IMAGE, epub=True))
        spine.append(cover)
        book.guide.append({"type": "cover", "href": cover.file_name, "title": _("Cover")})
    title_page = page("title-page", "title.xhtml", front.title, front_html(source, epub=True))
    nav = epub.EpubNav(title=_("Contents"))
    nav.add_link(href=style.file_name, rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.add_item(epub.EpubNcx())
    spine += [title_page, nav]

    parts = []
    total = len(source.chapters)
    for done, chapter in enumerate(source.chapters, start=1):
        parts.append(
            page(f"part-{done}", f"part-{done:04d}.xhtml", chapter.title, part_html(chapter, True))
        )
        if progress:
            progress(done, total)
    book.toc = [title_page, *parts]
    book.spine = spine + parts
    book.guide.append({"type": "toc", "href": nav.file_name, "title": _("Contents")})
    first_text = parts[0] if parts else title_page
    book.guide.append({"type": "text", "href": first_text.file_name, "title": _("Start")})

    out = BytesIO()
    options = {
        "mtime": timezone.now(),
        "epub3_pages": False,  # no page-break markers: it would parse every document again
        "raise_exceptions": True,
    }
    epub.write_epub(out, book, options)
    return out.getvalue()
