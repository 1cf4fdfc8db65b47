"""What a file becomes before anything is saved: a plain story with its parts.

Every parser (imports/formats/) returns an `ImportedStory`; `imports.parse.check_import_file`
sanitises it and holds it to the limits. It is stored as JSON on the preview row, shown to the
writer, and turned into a story and draft parts only when they confirm.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from stories.models import Rating, StoryStatus
from talehouse.lib.sanitize import html_to_text

OPENING = 240  # characters of each part shown on the preview page


@dataclass
class ImportedPart:
    title: str
    html: str = ""  # sanitised once parsed (check_import_file): the prose allow-list's markup
    notes_before: str = ""  # plain text, as part notes are
    notes_after: str = ""
    word_count: int = 0


@dataclass
class ImportedStory:
    title: str
    parts: list[ImportedPart] = field(default_factory=list)
    author: str = ""  # as the file names them: shown in the preview, never stored
    summary: str = ""  # plain text, as story summaries are
    # The work's own notes: we keep notes per part, so these go with the first and last part.
    notes: str = ""
    end_notes: str = ""
    rating: str = Rating.NOT_RATED
    warnings: list[str] = field(default_factory=list)
    language: str = ""  # one of ours (LANGUAGE_CHOICES), or "" when the file names none of them
    status: str = StoryStatus.IN_PROGRESS
    tags: dict[str, list[str]] = field(default_factory=dict)  # tag kind -> names
    source: str = ""  # what kind of file it was, in words, for the preview
    notices: list[str] = field(default_factory=list)  # what was left out or changed, and why

    def notice(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)

    @property
    def word_count(self) -> int:
        return sum(part.word_count for part in self.parts)

    def parts_with_work_notes(self) -> list[ImportedPart]:
        """The parts as they will be saved: the work's notes open the first part's notes and
        its end notes close the last part's."""
        parts = [ImportedPart(**asdict(part)) for part in self.parts]
        if parts and self.notes:
            parts[0].notes_before = _join_notes(self.notes, parts[0].notes_before)
        if parts and self.end_notes:
            parts[-1].notes_after = _join_notes(parts[-1].notes_after, self.end_notes)
        return parts

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def outline(self) -> dict[str, Any]:
        """What the preview page shows: everything but the parts' text, which it opens with
        a few lines of instead."""
        outline = asdict(self)
        outline["word_count"] = self.word_count
        outline["parts"] = [
            {
                "title": part.title,
                "word_count": part.word_count,
                "opening": Truncator(" ".join(html_to_text(part.html).split())).chars(OPENING),
                "has_notes": bool(part.notes_before or part.notes_after),
            }
            for part in self.parts
        ]
        return outline

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportedStory:
        values = dict(data)
        values["parts"] = [ImportedPart(**part) for part in values.get("parts", [])]
        return cls(**values)


def _join_notes(first: str, second: str) -> str:
    return "\n\n".join(note for note in (first, second) if note)


def untitled_part(position: int) -> str:
    return _("Part %(n)s") % {"n": position}
