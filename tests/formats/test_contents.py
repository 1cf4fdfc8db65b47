"""What each format holds: the same front matter, the published parts in order with their
notes, nothing of drafts, nothing the sanitiser or a file could not hold."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import lxml.html
import pytest
from django.test import Client
from django.utils.html import escape
from ebooklib import epub
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from markdown_it import MarkdownIt

from accounts.models import User
from formats.prose import Prose
from formats.source import read_source, story_identifier
from stories.actions import do_save_part
from stories.models import Part, Story
from talehouse.lib.sanitize import html_to_text
from tests.formats.conftest import fetch, make_hostile_story

XHTML = "{http://www.w3.org/1999/xhtml}"
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
MARKDOWN = MarkdownIt("commonmark").enable("strikethrough")


@pytest.fixture
def hostile(author: User) -> Story:
    return make_hostile_story(author)


def words(html: str) -> str:
    return " ".join(html_to_text(html).split())


# --- EPUB ---------------------------------------------------------------------------------


def test_the_epub_is_a_well_formed_epub_3_book(client: Client, hostile: Story) -> None:
    response, body = fetch(client, hostile, "epub")
    assert response["Content-Type"] == "application/epub+zip"
    book = zipfile.ZipFile(BytesIO(body))
    first = book.infolist()[0]
    assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
    opf = etree.fromstring(book.read("EPUB/content.opf"))
    assert opf.get("version") == "3.0"
    for name in book.namelist():  # every document parses as XML, with no control character
        if name.endswith((".xhtml", ".opf", ".ncx")):
            text = book.read(name).decode("utf-8")
            etree.fromstring(text.encode())
            assert not CONTROL.search(text), name
    names = book.namelist()
    assert (
        "EPUB/images/cover.jpg" in names and book.read("EPUB/images/cover.jpg")[:2] == b"\xff\xd8"
    )
    assert "EPUB/nav.xhtml" in names and "EPUB/toc.ncx" in names


def test_the_epub_carries_the_front_matter_and_the_published_parts(
    client: Client, hostile: Story
) -> None:
    _response, body = fetch(client, hostile, "epub")
    book = epub.read_epub(BytesIO(body))
    assert book.get_metadata("DC", "identifier")[0][0] == story_identifier(hostile.pk)
    assert (
        book.get_metadata("DC", "title")[0][0] == "Ünïcödé <b>&amp;</b> “quotes” 'apos' — #1 bell #"
    )
    assert book.get_metadata("DC", "language")[0][0] == "en"
    assert book.get_metadata("DC", "creator")[0][0] == "Author"
    assert {s for s, _ in book.get_metadata("DC", "subject")} >= {"Ōkami & <Friends>", "שלום"}
    title_page = book.get_item_with_href("title.xhtml").get_content().decode()
    for expected in [
        "Mature", "Graphic Depictions Of Violence", "Major Character Death",
        "Ōkami &amp; &lt;Friends&gt;", "English", "In progress", "<time datetime=",
        hostile.get_absolute_url(), "A summary with",
    ]:  # fmt: skip
        assert expected in title_page
    nav = book.get_item_with_href("nav.xhtml").get_content().decode()
    titles = re.findall(r"<a href=\"part-\d+\.xhtml\">([^<]*)</a>", nav)
    assert titles == [
        "Hostile &lt;markup&gt; &amp; form feed", "ימין לשמאל", "日本語の章", "4", "Notes",
    ]  # fmt: skip
    text = b" ".join(
        item.get_content() for item in book.get_items() if item.file_name.startswith("part-")
    )
    decoded = text.decode()
    assert "DRAFT-ONLY WORDS" not in decoded
    assert "alert" not in decoded and "<script" not in decoded and "<img" not in decoded
    assert "data-pid" not in decoded
    assert "Before: &lt;b&gt;not bold&lt;/b&gt;" in decoded and "After &amp; done." in decoded
    assert 'href="http://127.0.0.1:8000/parts/1/"' in decoded  # site links made absolute
    assert "javascript:" not in decoded


def test_the_identifier_stays_when_the_story_changes(
    client: Client, story: Story, part: Part
) -> None:
    _response, first = fetch(client, story, "epub")
    do_save_part(part, "The First Night", "<p>Edited words.</p>")
    _response, second = fetch(client, story, "epub")
    assert first != second
    identifiers = {
        epub.read_epub(BytesIO(body)).get_metadata("DC", "identifier")[0][0]
        for body in (first, second)
    }
    assert identifiers == {story_identifier(story.pk)}
    assert story_identifier(story.pk) != story_identifier(story.pk + 1)


# --- HTML, text, Markdown -----------------------------------------------------------------


def test_the_html_file_stands_alone(client: Client, hostile: Story) -> None:
    response, body = fetch(client, hostile, "html")
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="unicode-bampb-quotes-apos-1-bell.html"'
    )
    page = lxml.html.fromstring(body.decode())
    assert page.findtext(".//title").startswith("Ünïcödé")
    assert page.find(".//style") is not None and not page.findall(".//link[@rel='stylesheet']")
    assert page.find(".//img").get("src").startswith("data:image/jpeg;base64,")
    assert [h.text_content() for h in page.findall(".//section[@class='part']/h1")] == [
        "Hostile <markup> & form feed", "ימין לשמאל", "日本語の章", "4", "Notes",
    ]  # fmt: skip
    assert not page.findall(".//script") and not page.findall(".//iframe")
    hrefs = [a.get("href") for a in page.iter("a") if a.get("href") is not None]
    assert hrefs and all(href.startswith(("http", "mailto:", "#")) for href in hrefs)
    assert "DRAFT-ONLY WORDS" not in body.decode()


def test_the_text_file_is_plain_text_with_the_same_front_matter(
    client: Client, hostile: Story
) -> None:
    response, body = fetch(client, hostile, "txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = body.decode("utf-8")
    assert text.startswith("Ünïcödé <b>&amp;</b> “quotes” 'apos' — #1 bell #\nby Author\n")
    for line in [
        "Rating: Mature",
        "Archive warnings: Graphic Depictions Of Violence, Major Character Death",
        "Fandom: Ōkami & <Friends>",
        "Language: English",
        "Parts: 5",
    ]:
        assert line in text
    assert "<p>" not in text and "alert" not in text and not CONTROL.search(text)
    assert "• one\n" in text and "    quoted" in text and "* * *" in text
    assert "After the break.\nA new line." in text
    assert text.index("ימין לשמאל") < text.index("日本語の章") < text.index("Between the notes.")
    assert "DRAFT-ONLY WORDS" not in text


def test_the_markdown_file_renders_back_to_the_same_words(client: Client, hostile: Story) -> None:
    response, body = fetch(client, hostile, "md")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    markdown = body.decode("utf-8")
    assert markdown.startswith("# Ünïcödé \\<b\\>\\&amp;\\</b\\> “quotes” 'apos' — #1 bell \\#\n")
    rendered = MARKDOWN.render(markdown)
    assert "<strong>bold with spaces</strong>" in rendered and "<s>struck</s>" in rendered
    assert "<li>nested</li>" in rendered and "<blockquote>" in rendered and "<hr />" in rendered
    for part in read_source(
        Story.objects.select_related("author__profile").get(pk=hostile.pk)
    ).chapters:
        assert words(part.prose().markup) in words(rendered)
    assert "DRAFT-ONLY WORDS" not in markdown


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60))
def test_any_text_survives_markdown_escaping(text: str) -> None:
    prose = Prose(f"<p>{escape(text)}</p>", "https://example.com/")
    expected = " ".join(html_to_text(prose.markup).split())
    assert " ".join(html_to_text(MARKDOWN.render(prose.markdown())).split()) == expected


# --- PDF ----------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_pdf_has_the_text_in_fonts_that_cover_it(
    client: Client, hostile: Story, tmp_path: Path
) -> None:
    response, body = fetch(client, hostile, "pdf")
    assert response["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")
    path = tmp_path / "story.pdf"
    path.write_bytes(body)
    text = poppler("pdftotext", path, "-")
    for expected in [
        "Ünïcödé", "Rating", "Mature", "Contents", "Between the notes.", "After & done.",
        "「こんにちは」と彼女は言った。", "Downloaded from Talehouse",
    ]:  # fmt: skip
        assert expected in text
    assert "DRAFT-ONLY WORDS" not in text and "alert" not in text
    fonts = poppler("pdffonts", path)
    assert "DejaVu" in fonts
    assert "CJK" in fonts, "Japanese needs fonts-noto-cjk (make fonts)"
    assert "part-5" in poppler("pdfinfo", "-dests", path)  # the contents links to the last part


def poppler(tool: str, *args: str | Path) -> str:
    command = [tool, *map(str, args)]
    run = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return run.stdout
