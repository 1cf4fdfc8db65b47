"""Files to import, made in the tests: .docx packages and EPUBs, good and bad.

The AO3 downloads are fixtures in files/ (see files/README.md): their markup is AO3's own
structure, and the AO3 EPUB was made from the HTML by calibre with AO3's options.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from ebooklib import epub

FILES = Path(__file__).parent / "files"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"

OFFICE = "application/vnd.openxmlformats-officedocument.wordprocessingml"
CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="{OFFICE}.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="{OFFICE}.styles+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELS}">
<Relationship Id="rId1" Type="{R}/officeDocument" Target="word/document.xml"/>
</Relationships>"""
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}">
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style>
</w:styles>"""

# (style id or "", text) per paragraph; "**" around a run's text makes it bold.
Paragraph = tuple[str, str]


def docx_bytes(
    paragraphs: Sequence[Paragraph],
    relationships: Sequence[tuple[str, str, str]] = (),
    extra: dict[str, str] | None = None,
    body_xml: str = "",
) -> bytes:
    """A minimal Word package; `relationships` are (type, target, target mode) of the main
    document, `extra` more entries by name (another part's relationships, say)."""
    body = body_xml or "".join(_paragraph(style, text) for style, text in paragraphs)
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{body}</w:body></w:document>'
    )
    rels = "".join(
        f'<Relationship Id="rId{index}" Type="{R}/{kind}" Target="{escape(target)}"'
        + (f' TargetMode="{mode}"' if mode else "")
        + "/>"
        for index, (kind, target, mode) in enumerate(relationships, start=10)
    )
    entries = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "word/document.xml": document,
        "word/styles.xml": STYLES,
        "word/_rels/document.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{PACKAGE_RELS}">{rels}</Relationships>'
        ),
        **(extra or {}),
    }
    return zip_bytes(entries)


def _paragraph(style: str, text: str) -> str:
    properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    runs = []
    for index, chunk in enumerate(text.split("**")):
        bold = "<w:rPr><w:b/></w:rPr>" if index % 2 else ""
        if chunk:
            runs.append(f'<w:r>{bold}<w:t xml:space="preserve">{escape(chunk)}</w:t></w:r>')
    return f"<w:p>{properties}{''.join(runs)}</w:p>"


def zip_bytes(entries: Mapping[str, str | bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def epub_bytes(
    chapters: Sequence[tuple[str, str]],
    title: str = "Salt Roads",
    front_matter: str = "",
    continued: dict[int, str] | None = None,
    language: str = "fr",
) -> bytes:
    """An EPUB 3 as ebooklib writes it: (title, body HTML) per chapter in the table of
    contents; `front_matter` a title page before them, not in the contents; `continued` a
    second file after chapter i (a long chapter split in two), not in the contents."""
    book = epub.EpubBook()
    book.set_identifier("urn:uuid:5a1d0f63-0000-4000-8000-000000000001")
    book.set_title(title)
    book.set_language(language)
    book.add_author("Odile Marchetti")
    book.add_metadata("DC", "description", "<p>Two carters and a <em>long</em> road.</p>")
    book.add_metadata("DC", "subject", "Road Trip")
    spine: list[object] = ["nav"]
    if front_matter:
        page = epub.EpubHtml(title="Title page", file_name="title.xhtml")
        page.content = front_matter
        book.add_item(page)
        spine.append(page)
    toc = []
    for index, (name, body) in enumerate(chapters):
        chapter = epub.EpubHtml(title=name, file_name=f"chapter-{index + 1}.xhtml")
        chapter.content = f"<h2>{escape(name)}</h2>{body}"
        book.add_item(chapter)
        spine.append(chapter)
        toc.append(chapter)
        if continued and index in continued:
            rest = epub.EpubHtml(title=name, file_name=f"chapter-{index + 1}-b.xhtml")
            rest.content = continued[index]
            book.add_item(rest)
            spine.append(rest)
    book.toc = toc
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = spine
    out = io.BytesIO()
    epub.write_epub(out, book)
    return out.getvalue()


def upload(client: Client, name: str, data: bytes, story_id: int | None = None) -> Any:
    """POST a file to the import form (a new story, or parts for `story_id`)."""
    url = (
        reverse("imports:start_parts", args=[story_id])
        if story_id is not None
        else reverse("imports:start")
    )
    return client.post(url, {"file": SimpleUploadedFile(name, data)})
