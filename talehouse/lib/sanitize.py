"""Allow-list sanitising of user prose. Run on write; templates trust only this output."""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "em", "i", "strong", "b", "u", "s", "sup", "sub",
    "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "hr", "a",
}  # fmt: skip
# "*": set() replaces nh3's default generic attributes (lang, title on every tag), so this
# dict is the whole attribute allow-list.
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"*": set(), "a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="nofollow ugc noopener",
    strip_comments=True,
    # Drop the text inside these too, not just the tags.
    clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript"},
)

_EMPTY = re.compile(r"^\s*(<p>\s*</p>\s*)*$")


# The part title is the page's h1, so body headings live at h2-h4: an h1 in the text becomes an
# h2, an h5 or h6 an h4, rather than losing its heading.
_HEADING_LEVELS = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)


def _clamp_heading(match: re.Match[str]) -> str:
    level = min(max(int(match.group(2)), 2), 4)
    return f"<{match.group(1)}h{level}"


def sanitize_html(html: str) -> str:
    """Return `html` reduced to the prose allow-list; links get rel="nofollow ugc noopener"."""
    cleaned = _cleaner.clean(_HEADING_LEVELS.sub(_clamp_heading, html or "")).strip()
    return "" if _EMPTY.match(cleaned) else cleaned


_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


def html_to_text(html: str) -> str:
    import html as html_lib

    return html_lib.unescape(_TAG.sub(" ", html or ""))


def count_words(html: str) -> int:
    """Words in sanitised HTML, counted the way readers count them (not markup)."""
    return len(_WORD.findall(html_to_text(html)))
