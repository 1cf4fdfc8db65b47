"""Compact, locale-aware numbers for stats lines: 1,500 -> "1.5K"."""

from __future__ import annotations

from babel.numbers import format_compact_decimal, format_decimal
from django.utils.translation import get_language, to_locale


def _locale() -> str:
    return to_locale(get_language() or "en")


def compact_number(value: int) -> str:
    return format_compact_decimal(int(value), fraction_digits=1, locale=_locale())


def exact_number(value: int) -> str:
    return format_decimal(int(value), locale=_locale())
