"""The story as plain text and as Markdown, with the same front matter as the other formats."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

from formats.html import Progress
from formats.prose import markdown_escape as md

if TYPE_CHECKING:
    from formats.source import FrontMatter, StorySource


def _facts(front: FrontMatter, parts_count: int) -> list[tuple[str, str]]:
    """The title page's facts, in the order every format shows them."""
    facts = [(_("Rating"), front.rating)]
    if front.warnings:
        facts.append((_("Archive warnings"), ", ".join(front.warnings)))
    facts += [(label, ", ".join(names)) for label, names in front.tags]
    facts += [(_("Language"), front.language_name), (_("Status"), front.status)]
    if front.published:
        facts.append((_("Published"), front.published))
    if front.updated:
        facts.append((_("Updated"), front.updated))
    facts += [(_("Words"), str(intcomma(front.words))), (_("Parts"), str(parts_count))]
    return facts


def txt_bytes(source: StorySource, progress: Progress | None = None) -> bytes:
    front = source.front
    lines = [front.title, _("by %(author)s") % {"author": front.author}, ""]
    lines += [f"{label}: {value}" for label, value in _facts(front, len(source.chapters))]
    if front.summary:
        lines += ["", _("Summary") + ":", "", front.summary_prose().text()]
    source_line = _("Downloaded from %(site)s:") % {"site": front.site_name}
    lines += ["", f"{source_line} {front.story_url}", "", ""]

    def part(chapter_number: int) -> list[str]:
        chapter = source.chapters[chapter_number]
        heading = chapter.title
        block = [heading, "=" * min(max(len(heading), 3), 72), ""]
        if notes_before := chapter.notes_before_prose():
            block += [f"{_('Notes')}:", "", _indented(notes_before.text()), ""]
        if body := chapter.prose().text():
            block += [body, ""]
        if notes_after := chapter.notes_after_prose():
            block += [f"{_('Notes')}:", "", _indented(notes_after.text()), ""]
        return [*block, ""]

    lines += _each_part(source, part, progress)
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")


def md_bytes(source: StorySource, progress: Progress | None = None) -> bytes:
    front = source.front
    author = f"[{md(front.author)}](<{front.author_url}>)"
    lines = [f"# {md(front.title)}", "", _("by %(author)s") % {"author": author}, ""]
    facts = _facts(front, len(source.chapters))
    lines += [f"- **{md(label)}:** {md(value)}" for label, value in facts]
    if front.summary:
        lines += ["", f"## {_('Summary')}", "", front.summary_prose().markdown()]
    source_line = _("Downloaded from %(site)s:") % {"site": md(front.site_name)}
    lines += ["", f"{source_line} <{front.story_url}>", "", ""]

    def part(chapter_number: int) -> list[str]:
        chapter = source.chapters[chapter_number]
        block = [f"## {md(chapter.title)}", ""]
        if notes_before := chapter.notes_before_prose():
            block += [_quoted(f"**{_('Notes')}**\n\n" + notes_before.markdown()), ""]
        # The part's title is "##", so the prose's own h2 becomes "###".
        body = chapter.prose().markdown(heading_offset=1)
        block += [body, ""] if body else []
        if notes_after := chapter.notes_after_prose():
            block += [_quoted(f"**{_('Notes')}**\n\n" + notes_after.markdown()), ""]
        return [*block, ""]

    lines += _each_part(source, part, progress)
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")


def _each_part(
    source: StorySource, part: Callable[[int], list[str]], progress: Progress | None
) -> list[str]:
    lines: list[str] = []
    total = len(source.chapters)
    for index in range(total):
        lines += part(index)
        if progress:
            progress(index + 1, total)
    return lines


def _indented(text: str) -> str:
    return "\n".join(f"    {line}".rstrip() for line in text.split("\n"))


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.split("\n"))
