"""Word documents (.docx) through mammoth: headings cut parts, nothing outside the file is
ever fetched or opened."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import mammoth
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree

from imports.parsed import ImportedPart, ImportedStory
from imports.readers.htmltree import body_of, check_depth, one_line, parse_html, split_at_headings
from imports.sniff import open_zip, read_zip_entry

RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
# A link in the text points outside the file and stays a link (sanitised, never followed);
# any other external relationship - an image, a linked file, an attached template, an OLE
# object - is something Word would load from elsewhere, so the file is refused.
HYPERLINK_TYPE = "/relationships/hyperlink"
# The document's "Title" paragraph is the story's title, not a part's.
STYLE_MAP = "p[style-name='Title'] => h1.docx-title:fresh"


def read_docx(data: bytes, title: str) -> ImportedStory:
    with open_zip(data) as archive:
        check_package(archive)
        core_title = _core_title(archive)
    images: list[Any] = []

    def leave_out(image: Any) -> list[Any]:
        # Pictures are not part of the prose we keep: counted for the preview, never read.
        images.append(image)
        return []

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            style_map=STYLE_MAP,
            convert_image=leave_out,
            external_file_access=False,
            include_embedded_style_map=False,
        )
    except ValidationError:
        raise
    except Exception:  # mammoth raises whatever its XML and zip reading meet in a bad file
        raise ValidationError(
            _("This Word document is damaged: it could not be read. Try saving it again."),
            code="damaged",
        ) from None
    body = body_of(parse_html(result.value or "<p></p>"))
    # The title as the writer styled it, else a lone opening heading, else the file's
    # properties (often stale: a template's or an earlier draft's), else the file's name.
    styled = body.find(".//h1[@class='docx-title']")
    styled_title = one_line(styled.text_content()) if styled is not None else ""
    if styled is not None:
        styled.drop_tree()
    heading_title, sections = split_at_headings(body)
    story = ImportedStory(title=styled_title or heading_title or core_title or title)
    story.parts = [ImportedPart(title=name, html=html) for name, html in sections]
    if images:
        story.notice(
            _("Pictures are not kept: %(n)s picture(s) in the document were left out.")
            % {"n": len(images)}
        )
    return story


def check_package(archive: zipfile.ZipFile) -> None:
    """Refuse a package that reaches outside itself, declares XML entities (the billion
    laughs), or nests its XML beyond the limit."""
    for name in archive.namelist():
        if not name.endswith((".xml", ".rels")):
            continue
        content = read_zip_entry(archive, name)
        if b"<!ENTITY" in content or b"<!DOCTYPE" in content:
            raise ValidationError(
                _(
                    "This document contains XML declarations Word never writes; "
                    "we will not read it."
                ),
                code="entities",
            )
        root = parse_xml(content)
        if name.endswith(".rels"):
            _check_relationships(root)


def parse_xml(content: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError:
        raise ValidationError(
            _("This file is damaged or incomplete: it could not be opened. Try saving it again."),
            code="damaged",
        ) from None
    check_depth(root)
    return root


def _check_relationships(root: etree._Element) -> None:
    for relationship in root.iter(f"{{{RELATIONSHIPS_NS}}}Relationship"):
        external = (relationship.get("TargetMode") or "").lower() == "external"
        if external and not (relationship.get("Type") or "").endswith(HYPERLINK_TYPE):
            raise ValidationError(
                _(
                    "This document loads something from outside the file (%(target)s). "
                    "Save a copy with its pictures and files embedded or removed, and import "
                    "that."
                ),
                params={"target": one_line(relationship.get("Target"), 80) or _("unnamed")},
                code="external",
            )


def _core_title(archive: zipfile.ZipFile) -> str:
    if "docProps/core.xml" not in archive.namelist():
        return ""
    root = parse_xml(read_zip_entry(archive, "docProps/core.xml"))
    title = root.find("{http://purl.org/dc/elements/1.1/}title")
    return one_line(title.text if title is not None else "")
