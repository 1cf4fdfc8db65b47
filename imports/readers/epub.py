"""EPUB 2 and 3 through ebooklib: the spine in reading order, cut into parts by the table
of contents; an AO3 EPUB is read as the AO3 download it was made from."""

from __future__ import annotations

import io
import posixpath
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import ebooklib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ebooklib import epub

from imports.parsed import ImportedPart, ImportedStory
from imports.readers.ao3 import is_ao3, read_ao3
from imports.readers.html import declared_encoding, note_scripts
from imports.readers.htmltree import (
    HEADING_TAGS,
    HtmlElement,
    body_of,
    drop_scripts,
    inner_html,
    notes_text,
    one_line,
    parse_html,
    text_of,
)
from imports.readers.metadata import language_code
from imports.readers.text import decode_text
from imports.sniff import open_zip, read_zip_entry
from tags.models import TagKind

# Pages that frame a book rather than tell it (EPUB 3 structural semantics).
_FRAME_TYPES = {"cover", "titlepage", "toc", "copyright-page", "landmarks", "imprint"}
MAX_SUBJECTS = 20


@dataclass
class _Document:
    name: str  # its path inside the book, as the table of contents names it
    body: HtmlElement


def read_epub(data: bytes, title: str) -> ImportedStory:
    with open_zip(data) as archive:
        for name in archive.namelist():
            if name.lower().endswith((".opf", ".ncx", ".xml", ".html", ".xhtml", ".htm")) and (
                b"<!ENTITY" in read_zip_entry(archive, name)
            ):
                raise ValidationError(
                    _(
                        "This EPUB declares XML entities, which e-books never need; "
                        "we will not read it."
                    ),
                    code="entities",
                )
    book = _load(data)
    documents, scripts, images = _documents(book)
    bodies = [document.body for document in documents]
    title = one_line(_first(book, "title")) or title
    if is_ao3(bodies):
        story = read_ao3(bodies, title)  # its preface names the title, as AO3 shows it
        story.source = _("an AO3 download (EPUB)")
    else:
        story = ImportedStory(title=title, source=_("an EPUB e-book"))
        _cut_into_parts(story, documents, _table_of_contents(book))
    _read_metadata(book, story)
    note_scripts(story, scripts)
    if images:
        story.notice(
            _("Pictures are not kept: %(n)s picture(s) in the book were left out.") % {"n": images}
        )
    return story


def _load(data: bytes) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ebooklib's deprecation notices are not the writer's
            return epub.read_epub(io.BytesIO(data), {"ignore_ncx": False})
    except ValidationError:
        raise
    except Exception:  # ebooklib raises whatever a broken book makes it meet (KeyError, ...)
        raise ValidationError(
            _("This EPUB is damaged or incomplete: it could not be read. Try saving it again."),
            code="damaged",
        ) from None


def _documents(book: Any) -> tuple[list[_Document], int, int]:
    """The spine's documents in reading order, parsed; with the scripts and pictures dropped."""
    documents: list[_Document] = []
    scripts = images = 0
    for idref, linear in book.spine:
        item = book.get_item_with_id(idref)
        if (
            item is None
            or item.get_type() != ebooklib.ITEM_DOCUMENT
            or isinstance(item, epub.EpubNav)
            or str(linear).lower() == "no"
        ):
            continue
        content = item.get_content()
        root = parse_html(decode_text(content, declared_encoding(content)))
        scripts += drop_scripts(root)
        images += len(list(root.iter("img", "svg", "image")))
        body = body_of(root)
        if not _is_frame(body):
            documents.append(_Document(name=item.get_name(), body=body))
    return documents, scripts, images


def _is_frame(body: HtmlElement) -> bool:
    for element in [body, *body.iter("section", "div")][:3]:
        if _FRAME_TYPES & set((element.get("epub:type") or "").split()):
            return True
    return False


def _table_of_contents(book: Any) -> dict[str, str]:
    """Each document the table of contents points to, with its first title there."""
    titles: dict[str, str] = {}

    def walk(entries: Any) -> None:
        for entry in entries:
            if isinstance(entry, tuple):
                section, children = entry
                add(getattr(section, "href", None), getattr(section, "title", ""))
                walk(children)
            else:
                add(getattr(entry, "href", None), getattr(entry, "title", ""))

    def add(href: str | None, title: str) -> None:
        if href:
            name = posixpath.normpath(unquote(href.split("#", 1)[0]))
            titles.setdefault(name, one_line(title))

    walk(book.toc or [])
    return titles


def _cut_into_parts(
    story: ImportedStory, documents: list[_Document], contents: dict[str, str]
) -> None:
    """A document the table of contents names starts a part; one it does not name continues
    the part before it (a long chapter split in two files), or, before the first named one, is
    front matter (a title page) and left out. Without a table of contents, each document with
    text is a part."""
    current: ImportedPart | None = None
    skipped = 0
    for document in documents:
        title = contents.get(document.name) or contents.get(posixpath.basename(document.name))
        if contents and title is None:
            if current is None:
                skipped += bool(text_of(document.body))
            else:
                current.html += inner_html(document.body)
            continue
        body = document.body
        if not text_of(body):
            continue
        heading = _opening_heading(body)
        if heading is not None and (title is None or text_of(heading) == title):
            title = title or text_of(heading)
            heading.drop_tree()
        current = _marked_part(body) or ImportedPart(title="", html=inner_html(body))
        current.title = title or ""
        story.parts.append(current)
    if skipped:
        story.notice(
            ngettext(
                "%(n)s page before the first chapter (such as a title page) was left out.",
                "%(n)s pages before the first chapter (such as a title page) were left out.",
                skipped,
            )
            % {"n": skipped}
        )


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _marked_part(body: HtmlElement) -> ImportedPart | None:
    """A chapter document that marks its text apart from its notes, as our own EPUBs do
    (formats/templates/formats/book/_part.html): the text, with the notes as notes."""
    prose = body.xpath(f".//div[{_has_class('prose')}]")
    if len(prose) != 1:
        return None
    part = ImportedPart(title="", html=inner_html(prose[0]))
    for field, name in (("notes_before", "notes-before"), ("notes_after", "notes-after")):
        for notes in body.xpath(f".//div[{_has_class(name)}]")[:1]:
            for label in notes.xpath(f"./p[{_has_class('notes-label')}]"):
                label.drop_tree()
            setattr(part, field, notes_text([notes]))
    return part


def _opening_heading(body: HtmlElement) -> HtmlElement | None:
    """The heading a chapter file opens with, if it opens with one."""
    for element in body.iter():
        if element is body or element.tag in {"div", "section", "header", "article"}:
            continue
        return element if element.tag in HEADING_TAGS else None
    return None


def _first(book: Any, name: str) -> str:
    values = book.get_metadata("DC", name)
    return str(values[0][0] or "") if values else ""


def _read_metadata(book: Any, story: ImportedStory) -> None:
    """What the package says, where the text did not say it already (AO3's preface wins)."""
    story.author = story.author or one_line(_first(book, "creator"))
    description = _first(book, "description")
    if not story.summary and description:
        # Often HTML itself (calibre writes the summary's markup, escaped, in the package).
        story.summary = notes_text([body_of(parse_html(description))])
    if not story.language and _first(book, "language"):
        story.language = language_code(_first(book, "language"))
    if not story.tags:
        subjects = [one_line(value or "", 150) for value, _ in book.get_metadata("DC", "subject")]
        subjects = [subject for subject in subjects if subject][:MAX_SUBJECTS]
        if subjects:
            story.tags[TagKind.ADDITIONAL] = subjects
