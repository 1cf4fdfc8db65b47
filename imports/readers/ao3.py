"""AO3 downloads (HTML, and the EPUB that calibre makes from the same HTML) onto a story.

AO3's download (otwarchive app/views/downloads/) is three blocks: `#preface` (a list of tags
by kind, the title, the byline, the summary and the work's notes), `#chapters` (per chapter a
heading block - "Chapter 2: Title", its summary and notes -, the text, and `#endnotesN`) and
`#afterword` (the work's end notes). In the EPUB, calibre splits the same markup into one
file per chapter, repeating the blocks' ids in every file it cuts and renaming most classes
("meta group" becomes "calibre1"), so this reads ids, headings and the labels AO3 writes
("Summary", "Chapter Notes") rather than classes, and takes a list of bodies in reading
order: one for the HTML download, one per spine document for the EPUB.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.utils.translation import gettext as _

from imports.parsed import ImportedPart, ImportedStory
from imports.readers.htmltree import (
    HtmlElement,
    inner_html,
    notes_text,
    one_line,
    outer_html,
    text_of,
)
from imports.readers.metadata import language_code, rating_code, warning_codes
from stories.models import StoryStatus
from tags.models import TagKind

BLOCK_IDS = ("preface", "chapters", "afterword")
# The labels of the preface's tag list ("Fandom:" or "Fandoms:"), singular, lower case.
TAG_KINDS = {
    "fandom": TagKind.FANDOM,
    "relationship": TagKind.RELATIONSHIP,
    "character": TagKind.CHARACTER,
    "additional tags": TagKind.ADDITIONAL,
    "additional tag": TagKind.ADDITIONAL,
}
_CHAPTER_TITLE = re.compile(r"^chapter\s+\d+\s*:\s*(?P<title>.+)$", re.IGNORECASE | re.DOTALL)
_CHAPTERS_STAT = re.compile(r"chapters:\s*(?P<done>\d+)\s*/\s*(?P<planned>\d+|\?)", re.I)


def is_ao3(bodies: list[HtmlElement]) -> bool:
    found = {element.get("id") for body in bodies for element in _blocks(body)}
    return {"preface", "chapters"} <= found


def read_ao3(bodies: list[HtmlElement], title: str) -> ImportedStory:
    story = ImportedStory(title=title)
    reader = _ChapterReader(story)
    for body in bodies:
        for block in _blocks(body):
            if block.get("id") == "preface":
                _read_preface(block, story)
            elif block.get("id") == "chapters":
                reader.read(block)
            else:
                story.end_notes = story.end_notes or _labelled(block, "end notes")
    return story


def _blocks(body: HtmlElement) -> list[HtmlElement]:
    """The preface, chapters and afterword blocks, outermost only (in case the text itself
    carries one of those ids)."""
    found: list[HtmlElement] = []
    for element in body.iter():
        if element.get("id") in BLOCK_IDS and not any(
            ancestor in found for ancestor in element.iterancestors()
        ):
            found.append(element)
    return found


def _read_preface(preface: HtmlElement, story: ImportedStory) -> None:
    # AO3's own elements, never the writer's inside a summary or notes (a blockquote).
    tag_list = next(_outside_quotes(preface, "dl"), None)
    if tag_list is not None:
        _read_tag_list(tag_list, story)
    heading = next(_outside_quotes(preface, "h1"), None)
    if heading is not None:
        story.title = text_of(heading) or story.title
    for element in preface.iter():
        if "byline" in (element.get("class") or "").split():
            story.author = re.sub(r"^by\s+", "", text_of(element), flags=re.I)
            break
    story.summary = story.summary or _labelled(preface, "summary")
    story.notes = story.notes or _labelled(preface, "notes")


def _outside_quotes(block: HtmlElement, tag: str) -> Iterator[HtmlElement]:
    for element in block.iter(tag):
        if not any(ancestor.tag == "blockquote" for ancestor in element.iterancestors()):
            yield element


def _read_tag_list(tags: HtmlElement, story: ImportedStory) -> None:
    label = ""
    for element in tags:
        if element.tag == "dt":
            label = text_of(element).rstrip(":").strip().lower()
            continue
        if element.tag != "dd":
            continue
        names = [text_of(link) for link in element.iter("a")] or [
            name.strip() for name in text_of(element).split(",")
        ]
        names = [name for name in names if name]
        kind = TAG_KINDS.get(label) or TAG_KINDS.get(label.removesuffix("s"))
        if kind is not None:
            story.tags.setdefault(kind, []).extend(names)
        elif label == "rating" and names:
            story.rating = rating_code(names[0]) or story.rating
        elif label in {"archive warning", "archive warnings"}:
            story.warnings = warning_codes(names)
        elif label == "language":
            story.language = language_code(text_of(element))
            if not story.language:
                story.notice(
                    _("The work is in %(language)s, which Talehouse does not offer yet.")
                    % {"language": text_of(element)}
                )
        elif label in {"category", "categories"}:
            story.notice(
                _("AO3 categories (%(names)s) are not kept: Talehouse has no categories.")
                % {"names": ", ".join(names)}
            )
        elif label == "series":
            story.notice(_("Series are not imported: %(series)s.") % {"series": text_of(element)})
        elif label == "stats":
            stats = _CHAPTERS_STAT.search(text_of(element))
            if stats and stats["done"] == stats["planned"]:
                story.status = StoryStatus.COMPLETE


def _labelled(block: HtmlElement, label: str) -> str:
    """The text of the blockquotes after the paragraph that says `label` ("Summary")."""
    quotes: list[HtmlElement] = []
    for paragraph in block.iter("p"):
        if text_of(paragraph).lower() != label:
            continue
        for sibling in paragraph.itersiblings():
            if sibling.tag == "blockquote":
                quotes.append(sibling)
            elif sibling.tag == "p":
                break
        break
    return notes_text(quotes)


class _ChapterReader:
    """Walks `#chapters` blocks (one, or one per EPUB file) and builds the parts; a block cut
    by calibre in the middle of a chapter continues the chapter it is in."""

    def __init__(self, story: ImportedStory) -> None:
        self.story = story
        self.current: ImportedPart | None = None

    def read(self, chapters: HtmlElement) -> None:
        for child in chapters:
            if not isinstance(child.tag, str):
                continue
            classes = (child.get("class") or "").split()
            if child.tag == "h2":  # a one-chapter work: its heading is the work's title
                self._start(text_of(child) or self.story.title)
            elif (child.get("id") or "").startswith("endnotes"):
                if self.current is not None:
                    self.current.notes_after = _labelled(child, "chapter end notes")
            elif not any(name.startswith("userstuff") for name in classes) and (
                child.find("h2") is not None
            ):
                self._read_heading_block(child)
            elif text_of(child):
                part = self.current or self._start(self.story.title)
                is_text_block = any(name.startswith("userstuff") for name in classes)
                part.html += inner_html(child) if is_text_block else outer_html(child)

    def _start(self, title: str) -> ImportedPart:
        self.current = ImportedPart(title=title)
        self.story.parts.append(self.current)
        return self.current

    def _read_heading_block(self, block: HtmlElement) -> None:
        heading = text_of(block.find("h2"))
        named = _CHAPTER_TITLE.match(heading)
        part = self._start(one_line(named["title"]) if named else heading)
        summary = _labelled(block, "chapter summary")
        if summary:
            summary = _("Summary: %(summary)s") % {"summary": summary}
        notes = _labelled(block, "chapter notes")
        part.notes_before = "\n\n".join(text for text in (summary, notes) if text)
