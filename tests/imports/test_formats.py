"""Every kind of file, imported end to end through the pages: upload, preview, confirm."""

from __future__ import annotations

import codecs
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from imports.models import ImportPreview, ImportStatus
from stories.models import Part, PartStatus, Story
from tests.factories import make_part, make_story, without_pids
from tests.imports.builders import docx_bytes, epub_bytes, upload

LATE_FERRY = """Late Ferry

The ferry was late again, and the town had stopped minding.

Chapter 1

Agnes bought two coffees
and drank both.

* * *

The horn sounded across the water.

Chapter 2: Crossing

Halfway over, the engine coughed & stopped.
"""


def imported(client: Client, name: str, data: bytes, story_id: int | None = None) -> Story:
    """Upload, check the preview page, confirm; the story the import made or filled."""
    response = upload(client, name, data, story_id)
    assert response.status_code == 302, response.content.decode()[:2000]
    preview_page = client.get(response["Location"])
    assert preview_page.status_code == 200
    assert "Check your import" in preview_page.content.decode()
    preview = ImportPreview.objects.get()
    assert preview.status == ImportStatus.READY and preview.upload == b""
    confirmed = client.post(reverse("imports:confirm", args=[preview.pk]))
    assert confirmed.status_code == 302
    preview.refresh_from_db()
    # Saved: the row keeps where the parts went, not their text.
    assert preview.status == ImportStatus.SAVED and preview.content == {}
    assert confirmed["Location"] == reverse("stories:story_manage", args=[preview.story_id])
    story = preview.story
    assert story is not None
    preview.delete()  # the next import in the same test finds only its own preview
    return story


def parts_of(story: Story) -> list[Part]:
    return list(Part.objects.unchecked("test").filter(story=story).order_by("position"))


def test_plain_text_becomes_a_draft_story_with_a_part_per_chapter(
    author_client: Client, author: User
) -> None:
    story = imported(author_client, "late_ferry.txt", LATE_FERRY.encode())
    assert story.author == author and story.title == "late ferry"
    assert not story.is_public and story.published_parts_count == 0
    parts = parts_of(story)
    assert [part.title for part in parts] == ["Part 1", "Chapter 1", "Chapter 2: Crossing"]
    assert all(part.status == PartStatus.DRAFT for part in parts)
    assert without_pids(parts[1].body_html) == (
        "<p>Agnes bought two coffees<br>and drank both.</p><hr>"
        "<p>The horn sounded across the water.</p>"
    )
    assert "engine coughed &amp; stopped" in parts[2].body_html
    assert [part.word_count for part in parts] == [13, 13, 6]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
    ],
)
def test_text_with_a_byte_order_mark_is_read(
    author_client: Client, encoding: str, bom: bytes
) -> None:
    data = bom + "Ça va, Zoë? Très bien.\n\nÀ demain.".encode(encoding)
    story = imported(author_client, "note.txt", data)
    assert "<p>Ça va, Zoë? Très bien.</p>" in without_pids(parts_of(story)[0].body_html)


def test_markdown_headings_cut_parts_and_raw_html_stays_text(author_client: Client) -> None:
    markdown = (
        "# The Glass Orchard\n\n"
        "## Spring\n\nThe trees rang when the wind got up, *softly* at first.\n\n"
        "<script>alert('x')</script>\n\n"
        "## Summer\n\n> A quoted line.\n\n- one\n- two\n\n~~gone~~ and [a link](https://example.org).\n"
    )
    story = imported(author_client, "orchard.md", markdown.encode())
    assert story.title == "The Glass Orchard"
    spring, summer = parts_of(story)
    assert (spring.title, summer.title) == ("Spring", "Summer")
    assert "<em>softly</em>" in spring.body_html
    assert "<script" not in spring.body_html and "&lt;script&gt;" in spring.body_html
    body = without_pids(summer.body_html)
    assert "<blockquote><p>A quoted line.</p></blockquote>" in body
    assert "<ul>" in body and "<s>gone</s>" in body
    assert '<a href="https://example.org" rel="nofollow ugc noopener">a link</a>' in body


def test_a_word_document_keeps_its_title_headings_and_bold(author_client: Client) -> None:
    data = docx_bytes(
        [
            ("Title", "Brass Weather"),
            ("Heading1", "The Barometer"),
            ("", "It fell all morning, which was **not** a good sign."),
            ("Heading1", "The Storm"),
            ("", "It came anyway."),
        ]
    )
    story = imported(author_client, "brass.docx", data)
    assert story.title == "Brass Weather"
    barometer, storm = parts_of(story)
    assert barometer.title == "The Barometer" and storm.title == "The Storm"
    assert "<strong>not</strong>" in barometer.body_html
    assert without_pids(storm.body_html) == "<p>It came anyway.</p>"


def test_a_word_document_without_headings_is_one_part_named_for_the_story(
    author_client: Client,
) -> None:
    story = imported(author_client, "Short_Piece.docx", docx_bytes([("", "Just this.")]))
    assert story.title == "Short Piece"
    assert [part.title for part in parts_of(story)] == ["Short Piece"]


def test_an_epub_follows_its_spine_and_table_of_contents(author_client: Client) -> None:
    data = epub_bytes(
        [("The Depot", "<p>Mules, mostly.</p>"), ("The Pass", "<p>Snow by noon.</p>")],
        front_matter="<h1>Salt Roads</h1><p>A novella.</p>",
        continued={0: "<p>And one horse.</p>"},
    )
    story = imported(author_client, "salt.epub", data)
    assert (story.title, story.language) == ("Salt Roads", "fr")
    assert story.summary == "Two carters and a long road."
    assert list(story.tags.values_list("name", flat=True)) == ["Road Trip"]
    depot, pass_ = parts_of(story)
    assert (depot.title, pass_.title) == ("The Depot", "The Pass")
    # The title page is left out; the file that continues a chapter stays with it.
    assert without_pids(depot.body_html) == "<p>Mules, mostly.</p><p>And one horse.</p>"
    assert without_pids(pass_.body_html) == "<p>Snow by noon.</p>"


def test_a_web_page_is_cut_at_its_headings(author_client: Client) -> None:
    page = (
        "<!DOCTYPE html><html><head><title>Kiln Notes</title></head><body><main>"
        "<h2>Firing</h2><p>Cone six, <b>slowly</b>.</p><h2>Cooling</h2><p>Overnight.</p>"
        "</main></body></html>"
    )
    story = imported(author_client, "kiln.html", page.encode())
    assert story.title == "Kiln Notes"
    firing, cooling = parts_of(story)
    assert (firing.title, cooling.title) == ("Firing", "Cooling")
    assert "<strong>slowly</strong>" in firing.body_html


def test_a_web_page_in_a_declared_legacy_encoding_is_read(author_client: Client) -> None:
    page = (
        '<html><head><meta charset="windows-1252"></head><body><p>Café – déjà vu</p></body></html>'
    )
    story = imported(author_client, "cafe.htm", page.encode("cp1252"))
    assert "<p>Café – déjà vu</p>" in without_pids(parts_of(story)[0].body_html)


def test_parts_are_added_to_the_end_of_an_existing_story(
    author_client: Client, author: User
) -> None:
    story = make_story(author, "Ongoing")
    first = make_part(story, "Already Here", "<p>Published before.</p>")
    before = Story.objects.unchecked("test").get(pk=story.pk)
    markdown = b"# Ignored Title\n\n## Later\n\nMore words.\n\n## Latest\n\nEven more.\n"
    imported(author_client, "more.md", markdown, story_id=story.pk)
    story.refresh_from_db()
    assert story.title == "Ongoing"  # the file's metadata is not the story's
    parts = parts_of(story)
    assert [part.title for part in parts] == ["Already Here", "Later", "Latest"]
    assert [part.position for part in parts] == [1, 2, 3]
    assert parts[0] == first and [p.status for p in parts[1:]] == [PartStatus.DRAFT] * 2
    # Drafts change nothing a reader sees: counters and versions stay.
    assert (story.published_parts_count, story.word_count) == (1, before.word_count)
    assert story.page_version == before.page_version


def test_the_preview_shows_what_will_be_saved_and_cancelling_saves_nothing(
    author_client: Client,
) -> None:
    response = upload(author_client, "late_ferry.txt", LATE_FERRY.encode())
    page = author_client.get(response["Location"]).content.decode()
    assert "3 parts, 32 words" in page
    assert "Chapter 2: Crossing" in page and "6 words" in page
    assert "Agnes bought two coffees and drank both." in page  # its first lines
    assert "None chosen yet" in page  # no archive warnings in a text file
    preview = ImportPreview.objects.get()
    cancelled = author_client.post(reverse("imports:cancel", args=[preview.pk]))
    assert cancelled["Location"] == reverse("stories:my_stories")
    assert not ImportPreview.objects.exists()
    assert not Story.objects.unchecked("test").exists()


def test_the_writers_pages_link_to_imports(author_client: Client, story: Story) -> None:
    desk = author_client.get(reverse("stories:my_stories")).content.decode()
    assert reverse("imports:start") in desk
    manage = author_client.get(reverse("stories:story_manage", args=[story.pk])).content.decode()
    assert reverse("imports:start_parts", args=[story.pk]) in manage


def test_a_confirm_sent_twice_saves_once(author_client: Client) -> None:
    upload(author_client, "late_ferry.txt", LATE_FERRY.encode())
    preview = ImportPreview.objects.get()
    author_client.post(reverse("imports:confirm", args=[preview.pk]))
    again = author_client.post(reverse("imports:confirm", args=[preview.pk]), follow=True)
    assert "This import was already saved or cancelled." in again.content.decode()
    assert Story.objects.unchecked("test").count() == 1
    assert Part.objects.unchecked("test").count() == 3
    # Nor can a saved import be cancelled: its story stays.
    author_client.post(reverse("imports:cancel", args=[preview.pk]))
    assert Story.objects.unchecked("test").count() == 1


def test_a_failure_midway_saves_no_part_of_the_story(
    author_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import imports.actions

    upload(author_client, "late_ferry.txt", LATE_FERRY.encode())
    preview = ImportPreview.objects.get()
    real = imports.actions.do_create_part
    calls: list[Any] = []

    def fails_on_the_third(*args: Any, **kwargs: Any) -> Part:
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(imports.actions, "do_create_part", fails_on_the_third)
    author_client.raise_request_exception = False
    response = author_client.post(reverse("imports:confirm", args=[preview.pk]))
    assert response.status_code == 500
    assert not Story.objects.unchecked("test").exists()
    assert not Part.objects.unchecked("test").exists()
    assert ImportPreview.objects.get().status == ImportStatus.READY  # they can try again


def test_a_very_long_file_name_keeps_its_extension(author_client: Client) -> None:
    assert upload(author_client, "a" * 300 + ".md", b"Words.").status_code == 302
    preview = ImportPreview.objects.get()
    assert len(preview.file_name) == 255 and preview.file_name.endswith("a.md")
    assert preview.outline["title"] == "a" * 200
