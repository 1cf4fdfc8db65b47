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


def sanitize_html(html: str) -> str:
    """Return `html` reduced to the prose allow-list; links get rel="nofollow ugc noopener"."""
    cleaned = _cleaner.clean(html or "").strip()
    return "" if _EMPTY.match(cleaned) else cleaned


_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


def html_to_text(html: str) -> str:
    import html as html_lib

    return html_lib.unescape(_TAG.sub(" ", html or ""))


def count_words(html: str) -> int:
    """Words in sanitised HTML, counted the way readers count them (not markup)."""
    return len(_WORD.findall(html_to_text(html)))
