from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext

from talehouse.lib.numbers import compact_number, exact_number

register = template.Library()

STAT_LABELS = {
    "reads": lambda n: ngettext("%(n)s read", "%(n)s reads", n),
    "votes": lambda n: ngettext("%(n)s vote", "%(n)s votes", n),
    "comments": lambda n: ngettext("%(n)s comment", "%(n)s comments", n),
    "parts": lambda n: ngettext("%(n)s part", "%(n)s parts", n),
    "words": lambda n: ngettext("%(n)s word", "%(n)s words", n),
}


@register.filter
def compact(value: Any) -> str:
    return compact_number(int(value or 0))


@register.simple_tag
def stat(kind: str, value: int) -> str:
    """A compact number with its exact value on hover and for screen readers."""
    return _stat(kind, int(value or 0), get_language() or "")


def stats_line(reads: int, votes: int, comments: int) -> SafeString:
    """A part's stats line: "1.5K 40 4", each number with its label for screen readers."""
    line = f"{stat('reads', reads)} {stat('votes', votes)} {stat('comments', comments)}"
    return mark_safe(line)  # noqa: S308 - joins format_html output


@lru_cache(maxsize=4096)
def _stat(kind: str, n: int, language: str) -> str:
    # The same few numbers recur on every page; the language is part of the key because
    # the label and the digits are translated.
    label = STAT_LABELS[kind](n) % {"n": exact_number(n)}
    return format_html(
        '<span class="stat stat-{kind}" title="{label}" data-stat="{kind}" data-exact="{n}">'
        '<span class="stat-icon" aria-hidden="true"></span>'
        '<span aria-hidden="true" class="stat-value">{short}</span>'
        '<span class="visually-hidden">{label}</span></span>',
        kind=kind,
        label=label,
        n=n,
        short=compact_number(n),
    )


@register.filter
def isodate(value: Any) -> str:
    """A datetime for <time datetime>: whole seconds, as HTML requires at most milliseconds."""
    return value.replace(microsecond=0).isoformat() if value else ""


@register.simple_tag
def new_token() -> str:
    """A fresh idempotency token for a form, so a double submit posts once."""
    return uuid.uuid4().hex
