"""Plain text and Markdown: decoding, paragraphs, chapter headings."""

from __future__ import annotations

import codecs
import html
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from imports.parsed import ImportedPart, ImportedStory
from imports.readers.htmltree import body_of, parse_html, split_at_headings

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16: its BOM begins with UTF-16's
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
# Encodings an HTML file may declare for itself (what browsers read, as WHATWG names them;
# never UTF-7 and the like, which smuggle markup past filters).
DECLARED_ENCODINGS = {
    "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-6", "iso8859-7", "iso8859-8",
    "iso8859-9", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16",
    "koi8-r", "koi8-u", "mac-roman", "shift_jis", "euc_jp", "gbk", "gb18030", "big5",
    "euc_kr", "utf-8",
}  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_text(data: bytes, declared: str = "") -> str:
    """The file's text: UTF-8 (with or without a BOM), UTF-16 or UTF-32 with a BOM, or for a
    web page the encoding it declares. Anything else is refused rather than guessed at: a
    wrong guess fills a story with mojibake the writer may not notice until readers do."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        fallback = _known_encoding(declared)
        if fallback is None:
            line = data[: error.start].count(b"\n") + 1
            raise ValidationError(
                _(
                    "This file is not saved as UTF-8, the text encoding we read (the first "
                    "character we could not read is on line %(line)s). In your editor, choose "
                    "“Save as”, pick the encoding “UTF-8”, and import the new file."
                ),
                params={"line": line},
                code="encoding",
            ) from None
        return _decode(data, fallback)
    if "\x00" in text:
        # Valid UTF-8 is rarely full of NULs; UTF-16 without its BOM or a binary file is.
        raise ValidationError(
            _("This file does not look like text. Save it as UTF-8 text and import it again."),
            code="binary",
        )
    return text


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ValidationError(
            _("This file's text is damaged: it is not valid %(encoding)s."),
            params={"encoding": encoding.upper()},
            code="encoding",
        ) from None


def _known_encoding(declared: str) -> str | None:
    if not declared:
        return None
    try:
        name = codecs.lookup(declared.strip().lower()).name
    except LookupError:
        return None
    # As browsers do: a page that says Latin-1 means Windows-1252.
    name = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}.get(name, name)
    return name if name in DECLARED_ENCODINGS else None


def clean_text(text: str) -> str:
    """Line ends as \\n, without control characters (PostgreSQL refuses NUL in text)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


# A line on its own that opens a chapter: "Chapter 3", "CHAPTER TEN: The Road", "Prologue".
_CHAPTER_LINE = re.compile(
    r"^(chapter|part|book|prologue|epilogue|interlude)\b[^\n]{0,100}$", re.IGNORECASE
)
_SCENE_BREAK = re.compile(r"^\s*([*#~-]\s*){3,}$")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")


def read_plain_text(text: str, title: str) -> ImportedStory:
    """Paragraphs from blank lines (a line break inside one is kept); a line on its own such
    as "Chapter 2" starts a part; a line of stars is a scene break."""
    story = ImportedStory(title=title)
    current: ImportedPart | None = None
    paragraphs: list[str] = []

    def close() -> None:
        if current is not None or any(p != "<hr>" for p in paragraphs):
            part = current or ImportedPart(title="")
            part.html = "".join(paragraphs)
            story.parts.append(part)

    for block in _BLANK_LINES.split(clean_text(text)):
        block = block.strip("\n")
        if not block.strip():
            continue
        if "\n" not in block and _CHAPTER_LINE.match(block.strip()):
            close()
            current, paragraphs = ImportedPart(title=block.strip()), []
        elif _SCENE_BREAK.match(block):
            paragraphs.append("<hr>")
        else:
            lines = [html.escape(line.strip()) for line in block.split("\n")]
            paragraphs.append("<p>" + "<br>".join(line for line in lines if line) + "</p>")
    close()
    return story


def read_markdown(text: str, title: str) -> ImportedStory:
    """CommonMark without raw HTML (written as text, never as markup); headings cut parts as
    in any document."""
    renderer = MarkdownIt("commonmark", {"html": False}).enable("strikethrough")
    rendered = renderer.render(clean_text(text))
    own_title, sections = split_at_headings(body_of(parse_html(rendered)))
    story = ImportedStory(title=own_title or title)
    story.parts = [ImportedPart(title=name, html=body) for name, body in sections]
    return story
