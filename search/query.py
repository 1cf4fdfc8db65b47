"""What a reader types into the search box, checked and turned into each database's query.

The syntax is the one people know from web search: words (all must match), "a phrase",
-word to leave out, and OR between alternatives. Nothing a reader types can make a syntax
error: every word reaches the database quoted."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_QUERY_CHARS = 200
MAX_TERMS = 20
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    text: str
    exclude: bool = False


@dataclass(frozen=True)
class SearchText:
    """A checked query: alternatives (OR) of groups of terms that must all match, and terms
    that must not. `raw` is the text as typed, for PostgreSQL's own web-search parser."""

    raw: str
    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]

    def fts5(self) -> str:
        """The query in SQLite FTS5's syntax, every term a quoted string."""
        alternatives = [" AND ".join(_quoted(t.text) for t in group) for group in self.groups]
        query = " OR ".join(f"({a})" for a in alternatives)
        for term in self.excluded:
            query = f"({query}) NOT {_quoted(term.text)}"
        return query


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def parse(raw: str) -> SearchText | None:
    """The query, or None for an empty box. Raises ValidationError with a reader's message."""
    text = " ".join((raw or "").split())
    if not text:
        return None
    if len(text) > MAX_QUERY_CHARS:
        raise ValidationError(
            _("Search for at most %(n)d characters.") % {"n": MAX_QUERY_CHARS}, code="long"
        )
    groups: list[list[Term]] = [[]]
    excluded: list[Term] = []
    for match in _TOKEN.finditer(text):
        minus, phrase, word = match.groups()
        if word is not None and word.upper() == "OR":
            if groups[-1]:
                groups.append([])
            continue
        if word is not None:
            minus, word = ("-", word[1:]) if word.startswith("-") and len(word) > 1 else ("", word)
        term = Term((phrase if word is None else word).strip(), exclude=bool(minus))
        if not term.text:
            continue
        (excluded if term.exclude else groups[-1]).append(term)
    groups = [group for group in groups if group]
    if sum(len(g) for g in groups) + len(excluded) > MAX_TERMS:
        raise ValidationError(
            _("Search for at most %(n)d words or phrases.") % {"n": MAX_TERMS}, code="many"
        )
    if not groups:
        raise ValidationError(
            _("Say what to look for, not only what to leave out."), code="only_excluded"
        )
    return SearchText(text, tuple(tuple(g) for g in groups), tuple(excluded))
