"""A corpus of bad files: each is refused with a message the writer can act on, and nothing
is written - no story, no part, no tag, no preview."""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from imports.models import ImportPreview
from stories.models import Part, Story
from tags.models import Tag
from tests.factories import png_bytes
from tests.imports.builders import FILES, docx_bytes, epub_bytes, upload, zip_bytes
from tests.imports.test_formats import imported

GOOD_DOCX = docx_bytes([("Heading1", "One"), ("", "Some words.")])
HYPERLINK = "hyperlink"


def zip_bomb() -> bytes:
    """A .docx-shaped zip whose document unpacks to 10 MB of zeros from a few kilobytes."""
    return zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": b"\0" * 10_000_000})


def encrypted_docx() -> bytes:
    data = bytearray(GOOD_DOCX)
    # Set the "encrypted" flag of every entry, in the local headers and the central directory.
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + flag_at] |= 0x1
            start += 4
    return bytes(data)


def epub_with_entities() -> bytes:
    good = epub_bytes([("One", "<p>Fine.</p>")])
    source = zipfile.ZipFile(__import__("io").BytesIO(good))
    entries: dict[str, str | bytes] = {name: source.read(name) for name in source.namelist()}
    entries["EPUB/chapter-1.xhtml"] = (
        '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY lol "lol">]>'
        "<html><body><p>&lol;</p></body></html>"
    )
    return zip_bytes(entries)


def nested(depth: int) -> bytes:
    return (
        "<html><body>" + "<div>" * depth + "deep" + "</div>" * depth + "</body></html>"
    ).encode()


@dataclass(frozen=True)
class BadFile:
    case: str
    name: str
    data: Callable[[], bytes]
    message: str

    def __str__(self) -> str:
        return self.case


CORPUS = [
    BadFile("empty", "nothing.txt", lambda: b"", "This file is empty."),
    BadFile("only-blank", "blank.md", lambda: b"  \n\n\t ", "This file is empty."),
    BadFile(
        "huge",
        "huge.txt",
        lambda: b"a" * (10 * 1024 * 1024 + 1),
        "This file is too large to import: at most 10 MB.",
    ),
    BadFile(
        "truncated-zip",
        "cut.docx",
        lambda: GOOD_DOCX[: len(GOOD_DOCX) // 2],
        "This file is damaged or incomplete",
    ),
    BadFile("zip-bomb", "bomb.docx", zip_bomb, "unpacks to far more than a story needs"),
    BadFile(
        "zip-of-many-files",
        "many.epub",
        lambda: zip_bytes({f"f{i}.txt": "x" for i in range(2001)}),
        "unpacks to far more than a story needs",
    ),
    BadFile("password", "locked.docx", encrypted_docx, "protected by a password"),
    BadFile(
        "docx-external-image",
        "linked.docx",
        lambda: docx_bytes(
            [("", "A picture follows.")],
            [
                (HYPERLINK, "https://example.org/ok", "External"),  # a link is fine
                ("image", "https://tracker.example/cat.png", "External"),
            ],
        ),
        "This document loads something from outside the file (https://tracker.example/cat.png)",
    ),
    BadFile(
        "docx-linked-file",
        "linked.docx",
        lambda: docx_bytes(
            [("", "See the table.")], [("oleObject", "file:///C:/Private/table.xlsx", "External")]
        ),
        "This document loads something from outside the file (file:///C:/Private/table.xlsx)",
    ),
    BadFile(
        "docx-remote-template",
        "template.docx",
        lambda: docx_bytes(
            [("", "Hello.")],
            extra={
                "word/_rels/settings.xml.rels": (
                    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'relationships"><Relationship Id="rId1" Type="http://schemas.'
                    'openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
                    'Target="https://evil.example/t.dotm" TargetMode="External"/></Relationships>'
                )
            },
        ),
        "loads something from outside the file (https://evil.example/t.dotm)",
    ),
    BadFile(
        "docx-entities",
        "laughs.docx",
        lambda: docx_bytes(
            [],
            body_xml="",
            extra={"word/document.xml": '<!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'},
        ),
        "XML declarations Word never writes",
    ),
    BadFile("epub-entities", "laughs.epub", epub_with_entities, "declares XML entities"),
    BadFile(
        "epub-without-package",
        "hollow.epub",
        lambda: zip_bytes({"mimetype": "application/epub+zip", "META-INF/container.xml": "<x/>"}),
        "This EPUB is damaged or incomplete",
    ),
    BadFile(
        "other-zip",
        "photos.epub",
        lambda: zip_bytes({"photo.txt": "not a book"}),
        "This is a zip archive but not a .docx or an EPUB",
    ),
    BadFile(
        "image-named-docx",
        "story.docx",
        lambda: png_bytes((4, 4)),
        "This file is an image, which we cannot import.",
    ),
    BadFile(
        "text-named-epub",
        "story.epub",
        lambda: b"Just some words.",
        "This file is named “story.epub”, but it is a text file, not an EPUB e-book.",
    ),
    BadFile(
        "docx-named-txt",
        "story.txt",
        lambda: GOOD_DOCX,
        "but it is a Word document (.docx), not a text file",
    ),
    BadFile("pdf", "story.txt", lambda: b"%PDF-1.7\n...", "This file is a PDF"),
    BadFile(
        "old-word",
        "story.docx",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
        "an older Word document (.doc)",
    ),
    BadFile(
        "unknown-extension",
        "story.rtf",
        lambda: b"{\\rtf1 hello}",
        "We can import .docx, .epub, .md, .txt and .html files.",
    ),
    BadFile(
        "latin-1-text",
        "cafe.txt",
        lambda: "Premier jour.\n\nAu café, déjà.".encode("latin-1"),
        "This file is not saved as UTF-8, the text encoding we read (the first character we "
        "could not read is on line 3).",
    ),
    BadFile(
        "latin-1-markdown",
        "cafe.md",
        lambda: "# Café".encode("latin-1"),
        "choose “Save as”, pick the encoding “UTF-8”",
    ),
    BadFile(
        "utf-16-without-bom",
        "wide.txt",
        lambda: "Hello there".encode("utf-16-le"),
        "This file does not look like text.",
    ),
    BadFile(
        "broken-utf-16",
        "wide.txt",
        lambda: codecs.BOM_UTF16_LE + b"\x00\xd8",  # a lone surrogate half
        "This file's text is damaged: it is not valid UTF-16-LE.",
    ),
    BadFile("deeply-nested", "deep.html", lambda: nested(150), "nested too deeply"),
    BadFile(
        "only-scripts",
        "empty.html",
        lambda: b"<html><body><script>alert(1)</script><style>p{}</style></body></html>",
        "We found no text in this file.",
    ),
    BadFile(
        "one-part-too-long",
        "wall.txt",
        lambda: ("word " * 250_000).encode(),
        "is too long for one part (at most 1 MB of text)",
    ),
]


def nothing_written() -> tuple[int, int, int, int]:
    return (
        Story.objects.unchecked("test").count(),
        Part.objects.unchecked("test").count(),
        Tag.objects.count(),
        ImportPreview.objects.count(),
    )


@pytest.fixture(autouse=True)
def read_in_the_request(settings: Any) -> None:
    """Every file here is read in the request, so a refusal is the upload's answer (a file
    the worker reads is refused on its preview page: test_background.py)."""
    settings.TALEHOUSE_IMPORT_INLINE_BYTES = 20 * 1024 * 1024


@pytest.mark.parametrize("bad", CORPUS, ids=str)
def test_a_bad_file_is_refused_with_its_message_and_nothing_written(
    author_client: Client, bad: BadFile
) -> None:
    before = nothing_written()
    response = upload(author_client, bad.name, bad.data())
    assert response.status_code == 400
    assert escape(bad.message) in response.content.decode()
    assert nothing_written() == before == (0, 0, 0, 0)


def test_too_many_parts_are_refused(author_client: Client, settings: Any) -> None:
    settings.TALEHOUSE_IMPORT_MAX_PARTS = 3
    markdown = "".join(f"## Part {n}\n\nText {n}.\n\n" for n in range(4)).encode()
    response = upload(author_client, "many.md", markdown)
    assert response.status_code == 400
    assert "This file has 4 parts; an import may have at most 3." in response.content.decode()
    assert nothing_written() == (0, 0, 0, 0)


def test_scripts_in_html_are_gone_and_the_preview_says_so(author_client: Client) -> None:
    page = (
        b"<html><head><script src='https://evil.example/x.js'></script></head><body>"
        b"<h2 onclick='steal()'>Night Market</h2>"
        b"<p>Lanterns<script>document.cookie</script> and <a href='javascript:alert(1)'>noodles"
        b"</a>.</p><img src=x onerror=alert(1)><iframe src='https://evil.example'></iframe>"
        b"<p style='color:red' class='x'>Steam.</p></body></html>"
    )
    response = upload(author_client, "market.html", page)
    preview = author_client.get(response["Location"]).content.decode()
    assert "Scripts are never imported: 2 script(s) in the file were left out." in preview
    story = imported_from_preview(author_client)
    (part,) = Part.objects.unchecked("test").filter(story=story)
    assert part.title == "Night Market"
    for gone in ("script", "cookie", "onclick", "onerror", "javascript", "iframe", "style", "img"):
        assert gone not in part.body_html
    assert 'Lanterns and <a rel="nofollow ugc noopener">noodles</a>.' in part.body_html


def imported_from_preview(client: Client) -> Story:
    preview = ImportPreview.objects.get()
    client.post(reverse("imports:confirm", args=[preview.pk]))
    preview.refresh_from_db()
    assert preview.story is not None
    return preview.story


def test_imports_are_rate_limited_per_writer(author_client: Client, settings: Any) -> None:
    settings.TALEHOUSE_RATE_LIMITS = {**settings.TALEHOUSE_RATE_LIMITS, "import": (2, 3600)}
    for _attempt in range(2):
        assert upload(author_client, "a.txt", b"Words.").status_code == 302
    response = upload(author_client, "a.txt", b"Words.")
    assert response.status_code == 429
    assert ImportPreview.objects.count() == 2


def test_the_ao3_fixture_is_not_a_bad_file(author_client: Client) -> None:
    """The corpus refuses for the right reasons: a good file of each family passes."""
    imported(author_client, "fine.docx", GOOD_DOCX)
    imported(author_client, "ao3.epub", (FILES / "ao3_work.epub").read_bytes())
