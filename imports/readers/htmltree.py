"""HTML as a tree (lxml), shared by every reader: parsing within limits, text for notes and
titles, and cutting a document into parts at its headings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

import lxml.html
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree
from lxml.html import HtmlElement

# Elements that only wrap a document's content; a reader looks through them for its blocks.
_WRAPPERS = {"div", "section", "article", "main", "body"}
_BLOCKS = {
    "p", "div", "blockquote", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
    "hr", "section", "article", "table", "tr", "dd", "dt", "dl", "figure", "figcaption",
}  # fmt: skip
_SPACES = re.compile(r"\s+")


def parse_html(text: str) -> HtmlElement:
    """A whole document (a fragment gets its html and body), refused if nested too deeply."""
    # Parsed from UTF-8 bytes: lxml refuses a str that carries an encoding declaration.
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True
    )
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        raise ValidationError(_("We found no text in this file."), code="no_text") from None
    check_depth(root)
    return root


# Never prose: dropped with everything inside them before a reader looks at the tree (the
# sanitiser would drop them too, but their text would count as a part's words until then).
_NOT_PROSE = ("script", "style", "template", "noscript", "iframe", "object", "embed")


def drop_scripts(root: HtmlElement) -> int:
    """Remove scripts, styles and embedded objects; return how many scripts there were."""
    scripts = 0
    for element in list(root.iter(*_NOT_PROSE)):
        scripts += element.tag == "script"
        if element.getparent() is not None:
            element.drop_tree()
    return scripts


def check_depth(root: etree._Element) -> None:
    """Refuse markup nested beyond the limit (parsers and sanitisers recurse on depth).

    libxml2 itself stops at 256 levels and silently flattens the rest, so a limit below that
    is the only way to notice."""
    limit = settings.TALEHOUSE_IMPORT_MAX_DEPTH
    depth = 0
    for event, _element in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > limit:
            raise ValidationError(
                _("This file's markup is nested too deeply (over %(n)s levels) to be a story."),
                params={"n": limit},
                code="too_deep",
            )


def body_of(root: HtmlElement) -> HtmlElement:
    body = root.find("body")
    return body if body is not None else root


def one_line(text: str | None, limit: int = 200) -> str:
    """Text squeezed onto one line, for titles and names."""
    return _SPACES.sub(" ", text or "").strip()[:limit].strip()


def text_of(element: etree._Element) -> str:
    return one_line(element.text_content() if isinstance(element, HtmlElement) else "", 10_000)


def notes_text(elements: Iterable[HtmlElement]) -> str:
    """Plain text for notes and summaries (which are text here): paragraphs apart by a blank
    line, line breaks kept."""
    paragraphs: list[str] = []
    for element in elements:
        paragraphs.extend(_paragraphs(element))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def _paragraphs(element: HtmlElement) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = "\n".join(_SPACES.sub(" ", line).strip() for line in "".join(current).split("\n"))
        if text.strip():
            chunks.append(text.strip())
        current.clear()

    def walk(node: HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _BLOCKS:
            flush()
        if tag == "br":
            current.append("\n")
        elif node.text:
            current.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if tag in _BLOCKS:
            flush()

    walk(element)
    flush()
    return chunks


def inner_html(element: HtmlElement) -> str:
    """The element's content as HTML, without the element itself."""
    parts = [escape(element.text)] if element.text else []
    parts.extend(outer_html(child) for child in element)
    return "".join(parts)


def outer_html(element: HtmlElement) -> str:
    if not isinstance(element.tag, str):  # a comment or processing instruction
        return escape(element.tail or "")
    html: str = lxml.html.tostring(element, encoding="unicode", with_tail=True)
    return html


def content_blocks(container: HtmlElement) -> HtmlElement:
    """Look through wrappers (a body holding one div holding the text) to the element whose
    children are the document's blocks."""
    while True:
        children = [child for child in container if isinstance(child.tag, str)]
        loose_text = (container.text or "").strip() or any(
            (child.tail or "").strip() for child in children
        )
        if len(children) == 1 and children[0].tag in _WRAPPERS and not loose_text:
            container = children[0]
        else:
            return container


HEADING_TAGS = ("h1", "h2", "h3")


def split_at_headings(
    container: HtmlElement,
) -> tuple[str, list[tuple[str, str]]]:
    """Cut a document into parts at its top headings: (the title it gives itself, parts).

    A lone h1 opening the document is its title, and the parts are cut at the next level
    down; otherwise at the highest level of h1-h3 used. Text before the first heading is a
    part of its own (untitled: ""). Without headings the document is one untitled part.
    """
    content = content_blocks(container)
    blocks = list(content)
    leading = escape(content.text or "")
    title = ""
    top = [block for block in blocks if block.tag in HEADING_TAGS]
    h1s = [block for block in top if block.tag == "h1"]
    opening = next((block for block in blocks if text_of(block) or block.tag == "hr"), None)
    if len(h1s) == 1 and opening is not None and any(block is opening for block in h1s):
        lone_h1 = h1s[0]
        title = one_line(lone_h1.text_content())
        leading += escape(lone_h1.tail or "")
        blocks.remove(lone_h1)
        top.remove(lone_h1)
    level = min((block.tag for block in top), default=None)
    parts: list[tuple[str, str]] = []
    current: _Section = _Section(title=None, html=[leading], has_text=bool(leading.strip()))
    for block in blocks:
        if level is not None and block.tag == level:
            current.add_to(parts)
            tail = escape(block.tail or "")
            current = _Section(one_line(block.text_content()), [tail], bool(tail.strip()))
        else:
            current.html.append(outer_html(block))
            current.has_text = current.has_text or bool(
                block.text_content().strip() or (block.tail or "").strip()
            )
    current.add_to(parts)
    return title, parts


@dataclass
class _Section:
    title: str | None  # None before the first heading
    html: list[str]
    has_text: bool

    def add_to(self, parts: list[tuple[str, str]]) -> None:
        # Text before the first heading counts only if it has words; a heading always counts.
        if self.title is not None or self.has_text:
            parts.append((self.title or "", "".join(self.html)))
