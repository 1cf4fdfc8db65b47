"""Stored prose (nh3-sanitised HTML) made fit for a file: parsed once, then written as markup
that is both well-formed XHTML (EPUB) and HTML (single file, PDF), as Markdown, or as text.

A file is read far from the site, so links are made absolute, paragraph ids (only the site's
margin comments use them) are dropped, and characters XML cannot hold are removed: stored
text may carry control characters that the editor and the sanitiser let through.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from django.utils.html import linebreaks
from lxml import etree

# XML 1.0 cannot hold C0 controls but tab and newlines, nor surrogates, nor U+FFFE/U+FFFF;
# HTML calls C1 controls and noncharacters parse errors, which epubcheck reports. None is text.
_NONCHARACTERS = "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_NOT_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + _NONCHARACTERS + "]"
)
_VOID = {"br", "hr", "img", "wbr"}
_LINK_SCHEMES = {"http", "https", "mailto"}
_SPACES = re.compile(r"[ \t\r\n\f]+")  # HTML's whitespace (not U+00A0: that one is meant)


def clean_text(text: str) -> str:
    """`text` without the characters no XML or HTML file may contain."""
    return _NOT_TEXT.sub("", text or "")


class Prose:
    """A fragment of sanitised HTML, parsed once. `base_url` resolves relative links."""

    def __init__(self, html: str, base_url: str) -> None:
        self.root = lxml.html.fragment_fromstring(clean_text(html), create_parent="div")
        for element in self.root.iter():
            if not isinstance(element.tag, str):  # a comment or processing instruction
                continue
            element.attrib.pop("data-pid", None)
            element.attrib.pop("rel", None)  # nofollow/ugc mean nothing in a file
            if element.tag == "a":
                _make_link_absolute(element, base_url)
            elif element.tag not in _VOID and element.text is None and not len(element):
                element.text = ""  # <p></p>, never <p/>: HTML parsers read that as an open <p>

    @classmethod
    def from_plain_text(cls, text: str, base_url: str) -> Prose:
        """Plain text (notes, a summary) as paragraphs and line breaks, as the site shows it."""
        return cls(linebreaks(clean_text(text).strip(), autoescape=True), base_url)

    @property
    def markup(self) -> str:
        """Well-formed XHTML that is also valid HTML (void elements written `<br/>`)."""
        wrapped = etree.tostring(self.root, encoding="unicode", method="xml")
        return "" if wrapped == "<div/>" else wrapped[len("<div>") : -len("</div>")]

    def text(self) -> str:
        """Plain text: paragraphs apart by a blank line, list items bulleted."""
        return "\n\n".join(_text_blocks(self.root, markdown=False)).strip()

    def markdown(self, heading_offset: int = 1) -> str:
        """CommonMark (with ~~strikethrough~~); headings moved down `heading_offset` levels, so
        a part's own h2 sits below the part's title."""
        blocks = _text_blocks(self.root, markdown=True, heading_offset=heading_offset)
        return "\n\n".join(blocks).strip()

    def is_empty(self) -> bool:
        return not (self.root.text_content().strip() or self.root.find(".//hr") is not None)


def markdown_escape(text: str) -> str:
    """Plain text as Markdown that shows exactly that text (in a heading too: a closing run
    of "#" is escaped)."""
    return _escape_closing_hashes(_escape_line_starts(_inline_text(clean_text(text), True)))


def _make_link_absolute(link: lxml.html.HtmlElement, base_url: str) -> None:
    href = (link.get("href") or "").strip()
    if not href:
        link.attrib.pop("href", None)
        return
    # A fragment or a path on the site means the site: an EPUB has no such document inside.
    absolute = urljoin(base_url, href)
    if urlsplit(absolute).scheme in _LINK_SCHEMES:
        link.set("href", absolute)
    else:
        link.attrib.pop("href", None)


# --- text and Markdown -------------------------------------------------------------------

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "hr", "div"}
# Escaped wherever they appear: each could start emphasis, a link, code, HTML or an entity.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&~|])")
# Escaped at the start of a line, where they would start a heading, list, quote or rule.
_MD_LINE_START = re.compile(r"^([ \t]*)(?:([#+\-=>])|(\d+)([.)]))", re.MULTILINE)
_CLOSING_HASHES = re.compile(r"#+$")
# A hard line break while whitespace is collapsed (clean_text removed every NUL from the input).
_BREAK = "\x00"
_AROUND_BREAK = re.compile(" ?\x00 ?")


def _text_blocks(
    container: lxml.html.HtmlElement, markdown: bool, heading_offset: int = 1
) -> list[str]:
    """The blocks of `container` as text, in order; loose inline content becomes a block."""
    blocks: list[str] = []
    loose: list[str] = []

    def flush() -> None:
        if line := _finish_inline("".join(loose), markdown):
            blocks.append(_escape_line_starts(line) if markdown else line)
        loose.clear()

    loose.append(_inline_text(container.text, markdown))
    for child in container:
        if isinstance(child.tag, str) and child.tag in _BLOCKS:
            flush()
            if block := _block(child, markdown, heading_offset):
                blocks.append(block)
        else:
            loose.append(_inline(child, markdown))
        loose.append(_inline_text(child.tail, markdown))
    flush()
    return blocks


def _block(element: lxml.html.HtmlElement, markdown: bool, heading_offset: int) -> str:
    tag = element.tag
    if tag == "hr":
        return "* * *"
    if tag in {"ul", "ol"}:
        items = [child for child in element if child.tag == "li"]
        lines = []
        for number, item in enumerate(items, start=1):
            marker = f"{number}." if tag == "ol" else ("-" if markdown else "•")
            body = "\n\n".join(_text_blocks(item, markdown, heading_offset))
            lines.append(_hang(marker, body))
        return "\n".join(lines)
    if tag == "blockquote":
        inner = "\n\n".join(_text_blocks(element, markdown, heading_offset))
        prefix = "> " if markdown else "    "
        return "\n".join((prefix + line).rstrip() for line in inner.split("\n"))
    if tag in {"li", "div"}:
        return "\n\n".join(_text_blocks(element, markdown, heading_offset))
    text = _finish_inline(_inline_children(element, markdown), markdown)
    if not text:
        return ""
    if tag.startswith("h") and markdown:
        level = min(int(tag[1]) + heading_offset, 6)
        return f"{'#' * level} {_escape_closing_hashes(text)}"
    return _escape_line_starts(text) if markdown else text


def _hang(marker: str, body: str) -> str:
    """A list item: the marker, then its text with continuation lines indented under it."""
    indent = " " * (len(marker) + 1)
    lines = body.split("\n") or [""]
    return "\n".join([f"{marker} {lines[0]}", *((indent + ln).rstrip() for ln in lines[1:])])


def _inline_children(element: lxml.html.HtmlElement, markdown: bool) -> str:
    pieces = [_inline_text(element.text, markdown)]
    for child in element:
        pieces.append(_inline(child, markdown))
        pieces.append(_inline_text(child.tail, markdown))
    return "".join(pieces)


def _inline(element: lxml.html.HtmlElement, markdown: bool) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    if tag == "br":
        return _BREAK
    inner = _inline_children(element, markdown)
    if not markdown or not inner.strip():
        return inner
    if tag in {"strong", "b", "em", "i", "s", "strike", "del"}:
        mark = {"strong": "**", "b": "**", "em": "*", "i": "*"}.get(tag, "~~")
        # Emphasis cannot open before or close after a space: keep spaces outside the marks.
        lead, core, trail = _split_spaces(inner)
        return f"{lead}{mark}{core}{mark}{trail}"
    if tag == "a" and (href := element.get("href")):
        target = href.replace("<", "%3C").replace(">", "%3E")
        return f"[{inner}](<{target}>)"
    return inner


def _split_spaces(text: str) -> tuple[str, str, str]:
    core = text.strip()
    start = text.index(core[0]) if core else len(text)
    return text[:start], core, text[start + len(core) :]


def _inline_text(text: str | None, markdown: bool) -> str:
    if not text:
        return ""
    return _MD_INLINE.sub(r"\\\1", text) if markdown else text


def _finish_inline(text: str, markdown: bool) -> str:
    """Whitespace collapsed as a browser would, hard breaks kept (none at either end)."""
    text = _SPACES.sub(" ", text).strip(" " + _BREAK)
    line_break = "\\\n" if markdown else "\n"  # CommonMark's hard break is a backslash
    return _AROUND_BREAK.sub(lambda _match: line_break, text)


def _escape_closing_hashes(text: str) -> str:
    """A heading's closing run of "#" would be dropped from it: escaped, it is text."""
    return _CLOSING_HASHES.sub(r"\\\g<0>", text)


def _escape_line_starts(text: str) -> str:
    def escaped(match: re.Match[str]) -> str:
        indent, mark, number, delimiter = match.groups()
        return f"{indent}\\{mark}" if mark else f"{indent}{number}\\{delimiter}"

    return _MD_LINE_START.sub(escaped, text)
