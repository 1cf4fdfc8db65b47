"""AO3 downloads map onto a story: title, summary, notes, tags by kind, rating, warnings,
language, status, and chapters with their titles and notes."""

from __future__ import annotations

import pytest
from django.test import Client

from imports.parse import check_import_file
from stories.models import Part, PartStatus, Story
from tests.factories import without_pids
from tests.imports.builders import FILES
from tests.imports.test_formats import imported

WORK_FILES = ["ao3_work.html", "ao3_work.epub"]


def tags_by_kind(story: Story) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for kind, name in story.tags.order_by("story_tags__position").values_list("kind", "name"):
        found.setdefault(kind, []).append(name)
    return found


@pytest.mark.parametrize("file_name", WORK_FILES)
def test_an_ao3_work_becomes_a_story_with_its_metadata(
    author_client: Client, file_name: str
) -> None:
    story = imported(author_client, file_name, (FILES / file_name).read_bytes())
    assert story.title == "The Lamplighter's Ledger"
    assert story.summary == (
        "Every lamp on the sea wall has a page in Ines's ledger.\n\n"
        "One page has been torn out, and the lamp it named is still burning."
    )
    assert (story.rating, story.language, story.status) == ("teen", "en", "complete")
    assert story.warnings == ["violence", "death"]
    assert tags_by_kind(story) == {
        "fandom": ["Original Work"],
        "relationship": ["Ines/Maud"],
        "character": ["Ines Varga", "Maud Oyelaran", "The Harbourmaster"],
        "additional": ["Slow Burn", "Lighthouses", "Found Family"],
    }
    assert not story.is_public


@pytest.mark.parametrize("file_name", WORK_FILES)
def test_an_ao3_works_chapters_become_draft_parts_with_their_notes(
    author_client: Client, file_name: str
) -> None:
    story = imported(author_client, file_name, (FILES / file_name).read_bytes())
    parts = list(Part.objects.unchecked("test").filter(story=story).order_by("position"))
    # "Chapter 1: Oil and Wick" is titled by its name; an untitled chapter keeps its number.
    assert [part.title for part in parts] == ["Oil and Wick", "Chapter 2", "The Torn Page"]
    assert {part.status for part in parts} == {PartStatus.DRAFT}
    first, second, third = parts
    # The work's notes open the first part; the chapter's summary and notes follow.
    assert first.notes_before == (
        "Written for a prompt about small light in large dark.\n\n"
        "Summary: Ines walks the wall at dusk.\n\n"
        "The first of three short chapters."
    )
    assert first.notes_after == "Thank you for reading the first night."
    assert (second.notes_before, second.notes_after) == ("", "")
    assert third.notes_before == "Last one. Mind the weather."
    assert third.notes_after == "The harbour and its lamps are invented; the weather is not."
    assert without_pids(second.body_html) == (
        "<p>Maud kept the chandlery at the foot of the wall, and she sold Ines her oil by the "
        "gallon and her opinions for free.</p><p>“You missed one,” she said, and pointed up "
        "the hill, where a single lamp that nobody had lit was burning anyway.</p>"
    )
    assert "<strong>six minutes past seven</strong>" in first.body_html
    assert "<hr>" in third.body_html
    # AO3's own framing (the preface, "drop by the Archive and comment") is not prose.
    for part in parts:
        assert "Archive of Our Own" not in part.body_html
        assert "Chapter Notes" not in part.body_html


def test_the_html_and_epub_downloads_of_one_work_import_alike() -> None:
    from_html, from_epub = (
        check_import_file(name, (FILES / name).read_bytes()) for name in WORK_FILES
    )
    assert from_html.source != from_epub.source
    from_html.source = from_epub.source = ""
    assert from_html == from_epub


def test_the_preview_says_what_an_ao3_work_loses(author_client: Client) -> None:
    from tests.imports.builders import upload

    response = upload(author_client, "ao3_work.html", (FILES / "ao3_work.html").read_bytes())
    page = author_client.get(response["Location"]).content.decode()
    assert "an AO3 download (HTML)" in page
    assert "By wrenfield, as the file says" in page
    assert "AO3 categories (F/F) are not kept" in page
    assert "Series are not imported: Part 2 of Harbour Lights." in page
    assert "Graphic Depictions Of Violence, Major Character Death" in page
    assert "Ines Varga, Maud Oyelaran, The Harbourmaster" in page


def test_a_one_chapter_ao3_work_is_one_part_named_for_the_work(author_client: Client) -> None:
    story = imported(author_client, "tidewatch.html", (FILES / "ao3_oneshot.html").read_bytes())
    assert (story.title, story.rating, story.warnings) == ("Tidewatch", "general", ["none"])
    assert story.language == "es"  # AO3 names languages in themselves: "Español"
    assert tags_by_kind(story) == {
        "fandom": ["Original Work", "Coastal Folklore"],
        "additional": ["Fluff"],
    }
    (part,) = Part.objects.unchecked("test").filter(story=story)
    assert part.title == "Tidewatch"
    assert part.body_html.count("<p ") == 2 and "Pilar kept the tally" in part.body_html


def test_an_unfinished_work_stays_in_progress() -> None:
    html = (FILES / "ao3_work.html").read_text().replace("Chapters: 3/3", "Chapters: 3/?")
    assert check_import_file("wip.html", html.encode()).status == "in_progress"
