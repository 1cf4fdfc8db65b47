"""Atom 1.0 and OPDS 1.2 documents, written by Django's own feed generator.

`Atom1Feed` writes the feed, its entries, dates and escaping; these subclasses add what it
leaves out and OPDS needs: links with a relation and a type (navigation, acquisition, covers,
paging, search), categories with a label and a scheme, each entry's language (`xml:lang` and
`dc:language`) and first publication (`dc:issued`), and a summary as plain text or HTML.
Text that would break the XML (control characters pasted into a title or summary, which
Django's writer refuses with an exception) is dropped instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.xmlreader import AttributesImpl

from django.utils.feedgenerator import Atom1Feed, rfc3339_date
from django.utils.xmlutils import SimplerXMLGenerator

DC_NS = "http://purl.org/dc/terms/"
OPDS_NS = "http://opds-spec.org/2010/catalog"

ATOM_TYPE = "application/atom+xml"
NAVIGATION_TYPE = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"
OPENSEARCH_TYPE = "application/opensearchdescription+xml"
EPUB_TYPE = "application/epub+zip"
HTML_TYPE = "text/html"

ACQUISITION = "http://opds-spec.org/acquisition"
IMAGE = "http://opds-spec.org/image"
THUMBNAIL = "http://opds-spec.org/image/thumbnail"
SORT_NEW = "http://opds-spec.org/sort/new"
SORT_POPULAR = "http://opds-spec.org/sort/popular"

# Not allowed anywhere in an XML 1.0 document (tab, newline and carriage return are).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _CONTROL.sub("", text)


@dataclass(frozen=True)
class Link:
    href: str
    rel: str
    type: str = ""
    title: str = ""

    def attributes(self) -> dict[str, str]:
        attributes = {"href": self.href, "rel": self.rel}
        if self.type:
            attributes["type"] = self.type
        if self.title:
            attributes["title"] = self.title
        return attributes


@dataclass(frozen=True)
class Category:
    term: str
    label: str
    scheme: str


class _CleanXMLGenerator(SimplerXMLGenerator):
    def characters(self, content: str) -> None:
        super().characters(xml_text(content) if content else content)

    def startElement(self, name: str, attrs: Any) -> None:  # noqa: N802 - SAX's name
        cleaned = {key: xml_text(value) for key, value in dict(attrs or {}).items()}
        super().startElement(name, AttributesImpl(cleaned))


class AtomFeed(Atom1Feed):
    """An Atom feed whose feed and entries take these extra keyword arguments:

    - feed: `links` (Link, after the alternate and self links Django writes);
    - entry: `links`, `tags` (Category), `identifier` (the book's, as in its EPUB),
      `language`, `issued` (datetime), `summary` and `summary_type` ("text" or "html";
      Django's `description` is not used).
    """

    def write(self, outfile: Any, encoding: str) -> None:
        handler = _CleanXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def root_attributes(self) -> dict[str, str]:
        return {**super().root_attributes(), "xmlns:dc": DC_NS}

    def add_root_elements(self, handler: SimplerXMLGenerator) -> None:
        super().add_root_elements(handler)
        for link in self.feed.get("links", ()):
            handler.addQuickElement("link", "", link.attributes())

    def item_attributes(self, item: dict[str, Any]) -> dict[str, str]:
        language = item.get("language")
        return {"xml:lang": language} if language else {}

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, {**item, "description": None, "categories": ()})
        if item.get("summary"):
            summary_type = item.get("summary_type", "text")
            handler.addQuickElement("summary", item["summary"], {"type": summary_type})
        for link in item.get("links", ()):
            handler.addQuickElement("link", "", link.attributes())
        for tag in item.get("tags", ()):
            attributes = {"term": tag.term, "label": tag.label, "scheme": tag.scheme}
            handler.addQuickElement("category", "", attributes)
        if item.get("identifier"):
            handler.addQuickElement("dc:identifier", item["identifier"])
        if item.get("language"):
            handler.addQuickElement("dc:language", item["language"])
        issued: datetime | None = item.get("issued")
        if issued is not None:
            handler.addQuickElement("dc:issued", rfc3339_date(issued))


class NavigationFeed(AtomFeed):
    """An OPDS catalog feed whose entries lead to other feeds."""

    content_type = NAVIGATION_TYPE

    def root_attributes(self) -> dict[str, str]:
        return {**super().root_attributes(), "xmlns:opds": OPDS_NS}


class AcquisitionFeed(NavigationFeed):
    """An OPDS catalog feed whose entries are works, each with its EPUB to download."""

    content_type = ACQUISITION_TYPE
