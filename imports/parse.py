"""From an uploaded file to a checked `ImportedStory`: the one entry point of every reader.

`check_import_file` raises nothing but ValidationError, with a message for the writer, on any
input (tests/imports/test_hostile_files.py throws random bytes at it). What it returns is what
will be saved: the text through the same sanitiser as the editor, within every limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from imports.parsed import ImportedPart, ImportedStory, untitled_part
from imports.readers.docx import read_docx
from imports.readers.epub import read_epub
from imports.readers.html import read_html
from imports.readers.htmltree import one_line
from imports.readers.metadata import OUR_LANGUAGES
from imports.readers.text import clean_text, decode_text, read_markdown, read_plain_text
from imports.sniff import Kind, check_upload
from stories.forms import MAX_TAGS_PER_KIND
from stories.models import ArchiveWarning, Rating, StoryStatus
from tags.models import TagKind
from talehouse.lib.sanitize import count_words, sanitize_html

# Called with (parts done, parts in all) while parts are sanitised: the import's progress.
Progress = Callable[[int, int], None]

MAX_TITLE = 200
MAX_SUMMARY = 2500
MAX_NOTES = 5000
MAX_TAG = 150
# Whitespace before a block's tag shows nowhere; the editor writes none, so neither do we.
_BETWEEN_BLOCKS = re.compile(r"(?<=>)\s+(?=</?(?:p|h2|h3|h4|blockquote|ul|ol|li|hr)\b)")


def check_import_file(name: str, data: bytes, progress: Progress | None = None) -> ImportedStory:
    upload = check_upload(name, data)
    title = title_from_file_name(name)
    if upload.kind == Kind.DOCX:
        story = read_docx(upload.data, title)
        story.source = _("a Word document (.docx)")
    elif upload.kind == Kind.EPUB:
        story = read_epub(upload.data, title)
    elif upload.kind == Kind.HTML:
        story = read_html(upload.data, title)
    elif upload.kind == Kind.MARKDOWN:
        story = read_markdown(decode_text(upload.data), title)
        story.source = _("a Markdown file")
    else:
        story = read_plain_text(decode_text(upload.data), title)
        story.source = _("a text file")
    return _checked(story, title, progress)


def title_from_file_name(name: str) -> str:
    stem = PurePosixPath(name.replace("\\", "/")).stem
    return one_line(re.sub(r"[_]+", " ", stem), MAX_TITLE) or _("Untitled story")


def _checked(story: ImportedStory, fallback_title: str, progress: Progress | None) -> ImportedStory:
    story.title = _one_line(story.title, MAX_TITLE) or fallback_title
    story.author = _one_line(story.author, MAX_TITLE)
    parts = list(story.parts)
    limit = settings.TALEHOUSE_IMPORT_MAX_PARTS
    if len(parts) > limit:
        raise ValidationError(
            _("This file has %(n)s parts; an import may have at most %(limit)s."),
            params={"n": len(parts), "limit": limit},
            code="too_many_parts",
        )
    story.parts = []
    for done, part in enumerate(parts, start=1):
        _check_part(story, part)
        if progress is not None:
            progress(done, len(parts))
    if not story.parts:
        raise ValidationError(_("We found no text in this file."), code="no_text")
    _name_untitled_parts(story)
    story.summary = _text(story, story.summary, MAX_SUMMARY, _("The summary"))
    # The work's notes share the first and last part's notes: keep room for both.
    story.notes = _text(story, story.notes, MAX_NOTES // 2, _("The work's notes"))
    story.end_notes = _text(story, story.end_notes, MAX_NOTES // 2, _("The work's end notes"))
    for part in story.parts:
        room_before = MAX_NOTES - (len(story.notes) + 2 if part is story.parts[0] else 0)
        room_after = MAX_NOTES - (len(story.end_notes) + 2 if part is story.parts[-1] else 0)
        part.notes_before = _text(story, part.notes_before, room_before, _("A part's notes"))
        part.notes_after = _text(story, part.notes_after, room_after, _("A part's end notes"))
    story.rating = story.rating if story.rating in Rating.values else Rating.NOT_RATED
    story.warnings = [code for code in story.warnings if code in ArchiveWarning.values]
    story.language = story.language if story.language in OUR_LANGUAGES else ""
    story.status = story.status if story.status in StoryStatus.values else StoryStatus.IN_PROGRESS
    story.tags = {
        kind: list(dict.fromkeys(_one_line(name, MAX_TAG) for name in names if name.strip()))[
            :MAX_TAGS_PER_KIND
        ]
        for kind, names in story.tags.items()
        if kind in TagKind.values
    }
    story.tags = {kind: names for kind, names in story.tags.items() if names}
    return story


def _check_part(story: ImportedStory, part: ImportedPart) -> None:
    html = _sanitized(clean_text(part.html))
    title = _one_line(part.title, MAX_TITLE)
    size = len(html.encode())
    if size > settings.TALEHOUSE_MAX_PART_HTML_BYTES:
        raise ValidationError(
            _(
                "“%(title)s” is too long for one part (at most %(mb)s MB of text). Mark its "
                "chapters with headings (Heading 1 in Word, # in Markdown, a “Chapter …” line "
                "in text) so it is cut into parts, and import it again."
            ),
            params={
                "title": title or story.title,
                "mb": settings.TALEHOUSE_MAX_PART_HTML_BYTES // (1024 * 1024),
            },
            code="part_too_long",
        )
    if not html:
        if title:
            story.notice(_("“%(title)s” had no text and was left out.") % {"title": title})
        return
    part.html = html
    part.title = title
    part.word_count = count_words(html)
    part.notes_before = clean_text(part.notes_before).strip()
    part.notes_after = clean_text(part.notes_after).strip()
    story.parts.append(part)


def _sanitized(html: str) -> str:
    """The sanitiser's output, sanitised again until it no longer changes: markup nested as
    no parser would (a heading inside a heading) is rebuilt differently by the next pass, and
    saving the part runs the sanitiser once more, so the preview would not be what is saved."""
    for _attempt in range(3):
        cleaned = _BETWEEN_BLOCKS.sub("", sanitize_html(html))
        if cleaned == html:
            break
        html = cleaned
    return html


def _name_untitled_parts(story: ImportedStory) -> None:
    for position, part in enumerate(story.parts, start=1):
        if not part.title:
            # A one-part story's part is the story (AO3 names a one-shot's chapter so too).
            part.title = story.title if len(story.parts) == 1 else untitled_part(position)


def _one_line(text: str, limit: int) -> str:
    return one_line(clean_text(text or ""), limit)


def _text(story: ImportedStory, text: str, limit: int, what: str) -> str:
    text = clean_text(text or "").strip()
    if len(text) <= limit:
        return text
    story.notice(
        _("%(what)s was cut to %(n)s characters, the most a story keeps.")
        % {"what": what, "n": limit}
    )
    return text[: limit - 1].rstrip() + "…"
