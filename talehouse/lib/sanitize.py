"""Allow-list sanitising of user prose. Run on write; templates trust only this output.

The allow-list is not kept by hand: it is derived from PROSE_EDITOR_CONFIG, the configuration
the part editor loads, so the editor offers no markup that saving would strip and saving keeps
no markup the editor cannot make. On top of it sits our own policy (link rel, URL schemes).
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser
from typing import Any

import nh3
from django_prose_editor.config import allowlist_from_extensions

# The one configuration of the part editor (stories.forms.PartForm) and of this sanitiser.
PROSE_EDITOR_CONFIG: dict[str, Any] = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Underline": True,
        "Strike": True,
        # The part title is the page's h1, so body headings start at h2.
        "Heading": {"levels": [2, 3, 4]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HorizontalRule": True,
        "HardBreak": True,
        # Links never open a new window, so the editor offers no target and we allow none.
        "Link": {"enableTarget": False},
        "History": True,
        "SpecialCharacters": True,
    }
}

LINK_REL = "nofollow ugc noopener"
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Drop the text inside these too, not just the tags.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}


def editor_allow_list() -> dict[str, Any]:
    """nh3.Cleaner arguments: exactly the tags and attributes the configured extensions make."""
    derived: dict[str, Any] = allowlist_from_extensions(PROSE_EDITOR_CONFIG["extensions"])
    attributes = {tag: set(names) for tag, names in derived["attributes"].items()}
    # Every link gets our rel (nh3 refuses link_rel while "rel" is an allowed attribute), and
    # the editor makes no target; an author-supplied rel or target is dropped.
    if "a" in attributes:
        attributes["a"] -= {"rel", "target"}
    # "*": set() replaces nh3's default generic attributes (lang, title on every tag): the
    # editor puts none there.
    attributes["*"] = set()
    return {**derived, "attributes": attributes, "link_rel": LINK_REL}


@functools.cache
def _cleaner() -> nh3.Cleaner:
    # Built on first use, not at import: the derivation reads Django settings. Our policy wins
    # over the editor's (a Link "protocols" option would otherwise widen the URL schemes).
    policy = {
        "url_schemes": ALLOWED_URL_SCHEMES,
        "strip_comments": True,
        "clean_content_tags": DROPPED_WITH_CONTENT,
    }
    return nh3.Cleaner(**(editor_allow_list() | policy))


_HEADING_LEVELS: list[int] = PROSE_EDITOR_CONFIG["extensions"]["Heading"]["levels"]
# Tags the editor reads as one of its own when it loads a body: <b> is bold, <i> italic, and
# an h1 or h5 is a heading all the same. Renamed before cleaning, they keep their meaning
# (an h1 becomes an h2, an h5 or h6 an h4) rather than being stripped to plain text.
_READ_AS = re.compile(r"<(/?)(b|i|h[1-6])\b", re.IGNORECASE)


def _as_the_editor_reads_it(match: re.Match[str]) -> str:
    name = match.group(2).lower()
    if name == "b":
        name = "strong"
    elif name == "i":
        name = "em"
    else:
        level = min(max(int(name[1]), min(_HEADING_LEVELS)), max(_HEADING_LEVELS))
        name = f"h{level}"
    return f"<{match.group(1)}{name}"


_EMPTY = re.compile(r"^\s*(<p>\s*</p>\s*)*$")


def sanitize_html(html: str) -> str:
    """Return `html` reduced to the prose allow-list; links get rel="nofollow ugc noopener"."""
    cleaned = _cleaner().clean(_READ_AS.sub(_as_the_editor_reads_it, html or "")).strip()
    return "" if _EMPTY.match(cleaned) else cleaned


# Marks inside a word do not split it ("wo<em>rd</em>" is one word); every other tag - a
# paragraph, a heading, a list item, a line break - does.
_INLINE_TAGS = {"a", "b", "em", "i", "s", "strong", "sub", "sup", "u", "span", "code", "mark"}
_INVISIBLE_TAGS = {"script", "style", "template"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # decodes entities: "&amp;" is "&"
        self.chunks: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE_TAGS:
            self.hidden_depth += 1
        elif tag not in _INLINE_TAGS:
            self.chunks.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE_TAGS:
            self.hidden_depth = max(self.hidden_depth - 1, 0)
        elif tag not in _INLINE_TAGS:
            self.chunks.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden_depth:
            self.chunks.append(data)


def html_to_text(html: str) -> str:
    """The text a reader sees in `html`, entities decoded, with blocks separated by spaces."""
    collector = _TextCollector()
    collector.feed(html or "")
    collector.close()
    return "".join(collector.chunks)


_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


def count_words(html: str) -> int:
    """Words in sanitised HTML, counted the way readers count them (not markup)."""
    return len(_WORD.findall(html_to_text(html)))
