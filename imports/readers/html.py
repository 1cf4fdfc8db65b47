"""Web pages: an AO3 download (imports/readers/ao3.py), or any page cut at its headings."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from imports.parsed import ImportedPart, ImportedStory
from imports.readers.ao3 import is_ao3, read_ao3
from imports.readers.htmltree import (
    HtmlElement,
    body_of,
    drop_scripts,
    one_line,
    parse_html,
    split_at_headings,
)
from imports.readers.text import clean_text, decode_text

# The encoding a page declares, looked for where browsers look: its first kilobytes.
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")


def declared_encoding(data: bytes) -> str:
    head = data[:4096]
    declared = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return declared.group(1).decode("ascii") if declared else ""


def read_html(data: bytes, title: str) -> ImportedStory:
    text = decode_text(data, declared_encoding(data))
    root = parse_html(clean_text(text))
    page_title = one_line(root.findtext(".//title"))
    scripts = drop_scripts(root)
    body = body_of(root)
    if is_ao3([body]):
        story = read_ao3([body], page_title or title)
        story.source = _("an AO3 download (HTML)")
    else:
        story = read_page(body, page_title or title)
        story.source = _("a web page (HTML)")
    note_scripts(story, scripts)
    return story


def read_page(body: HtmlElement, title: str) -> ImportedStory:
    own_title, sections = split_at_headings(body)
    story = ImportedStory(title=own_title or title)
    story.parts = [ImportedPart(title=name, html=html) for name, html in sections]
    return story


def note_scripts(story: ImportedStory, scripts: int) -> None:
    if scripts:
        story.notice(
            _("Scripts are never imported: %(n)s script(s) in the file were left out.")
            % {"n": scripts}
        )
