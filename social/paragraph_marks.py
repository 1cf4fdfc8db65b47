"""The comment button at the end of every paragraph of a part's prose (inline comments).

Rendered into the shared part page: each paragraph's count is the same for every reader
(`Part.paragraph_comments`, already loaded with the part, so no query), and a comment moves
the story's content version, so the cached page and its frame are rebuilt with the new count.
Each button is a link to the paragraph's comments page, so it works without JavaScript;
paragraph-comments.js turns it into a button that opens the thread in place.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from stories.models import Part
from stories.paragraphs import append_to_paragraphs
from talehouse.lib.urls import UrlTemplate

PARAGRAPH_COMMENTS_URL = UrlTemplate("social:paragraph_comments", 918273645, "abcdef01")


def button_label(number: int, count: int) -> str:
    """The button's accessible name, also what paragraph-comments.js writes after a post."""
    return _("Comments on paragraph %(number)s (%(count)s)") % {"number": number, "count": count}


def prose_with_comment_buttons(part: Part) -> SafeString:
    """The part's stored prose (sanitised on save) with a comment button in each paragraph.

    Hundreds of short paragraphs are common in dialogue: built by string substitution, one
    reverse() for the whole part, and nothing per paragraph but the button's own markup.
    """
    counts: dict[str, int] = part.paragraph_comments or {}

    def button(number: int, pid: str) -> str:
        count = int(counts.get(pid, 0))
        shown = str(count) if count else ""
        classes = "pc has-comments" if count else "pc"
        return (
            f'<a class="{classes}" id="pc-{pid}" href="{PARAGRAPH_COMMENTS_URL(part.pk, pid)}" '
            f'data-number="{number}"><span class="visually-hidden">'
            f"{escape(button_label(number, count))}</span>"
            f'<span class="pc-count" aria-hidden="true">{shown}</span></a>'
        )

    # The body was sanitised when it was saved (stories.actions.check_part_html).
    return mark_safe(append_to_paragraphs(part.body_html, button))  # noqa: S308
