"""Stable paragraph ids: every <p> of a part's prose carries `data-pid`, kept across edits.

Readers comment on a paragraph and resume at one, so a paragraph's id must survive the writer
editing other paragraphs, or moving them around. The editor drops attributes it does not know,
so ids are not carried through it: each save matches the new paragraphs to the stored ones by
their text, and a paragraph whose text is unchanged keeps its id wherever it moved. A paragraph
whose text changed, or a new one, gets a fresh id never used in this part before — so a comment
on the old text is never shown against different words (it stays, marked as made on an earlier
version of the part).
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict, deque
from collections.abc import Callable
from difflib import SequenceMatcher

from talehouse.lib.sanitize import html_to_text

PARAGRAPH = re.compile(r"<p(?P<attrs>(?:\s[^>]*)?)>(?P<inner>.*?)</p>", re.DOTALL)
PID = re.compile(r'\sdata-pid="(?P<pid>[0-9a-f]{1,16})"')
PID_PATTERN = r"[0-9a-f]{8}"


def _text_key(inner_html: str) -> str:
    return " ".join(html_to_text(inner_html).split())


def paragraphs(body_html: str) -> list[tuple[str, str]]:
    """(id, text) of each paragraph that has an id, in order."""
    found = []
    for match in PARAGRAPH.finditer(body_html):
        pid = PID.search(match["attrs"])
        if pid:
            found.append((pid["pid"], _text_key(match["inner"])))
    return found


def with_paragraph_ids(new_html: str, stored_html: str) -> str:
    """`new_html` (sanitised) with an id on every paragraph, reusing `stored_html`'s ids for
    paragraphs whose text is unchanged: first where the two line up (so of two equal
    paragraphs, the one left in place keeps its id), then by text for paragraphs that moved."""
    stored = paragraphs(stored_html)
    found = list(PARAGRAPH.finditer(new_html))
    texts = [_text_key(match["inner"]) for match in found]
    ids: list[str | None] = [None] * len(found)
    aligned = SequenceMatcher(a=[text for _, text in stored], b=texts)
    kept = set()
    for tag, old_start, old_end, new_start, _ in aligned.get_opcodes():
        if tag == "equal":
            for offset in range(old_end - old_start):
                ids[new_start + offset] = stored[old_start + offset][0]
                kept.add(old_start + offset)
    moved: defaultdict[str, deque[str]] = defaultdict(deque)
    for index, (pid, text) in enumerate(stored):
        if index not in kept:
            moved[text].append(pid)
    ever_used = {pid for pid, _ in stored}
    for index, text in enumerate(texts):
        if ids[index] is None:
            ids[index] = moved[text].popleft() if moved[text] else _fresh_id(ever_used)
            ever_used.add(ids[index])  # type: ignore[arg-type]
    pieces = iter(ids)

    def with_id(match: re.Match[str]) -> str:
        attrs = PID.sub("", match["attrs"])
        return f'<p data-pid="{next(pieces)}"{attrs}>{match["inner"]}</p>'

    return PARAGRAPH.sub(with_id, new_html)


def _fresh_id(taken: set[str]) -> str:
    while (pid := secrets.token_hex(4)) in taken:
        pass
    return pid


def paragraph_quote(body_html: str, pid: str) -> str | None:
    """The text of paragraph `pid` in `body_html`, or None if no paragraph has that id."""
    return next((text for found, text in paragraphs(body_html) if found == pid), None)


def append_to_paragraphs(body_html: str, mark: Callable[[int, str], str]) -> str:
    """`body_html` with `mark(number, pid)` (trusted HTML) added at the end of the inside of
    every paragraph that has an id, numbered from 1 in order. The stored text is unchanged:
    this is for rendering (the comment buttons in the margin, social/paragraph_marks.py)."""
    number = 0

    def marked(match: re.Match[str]) -> str:
        nonlocal number
        pid = PID.search(match["attrs"])
        if not pid:
            return match[0]
        number += 1
        return f"<p{match['attrs']}>{match['inner']}{mark(number, pid['pid'])}</p>"

    return PARAGRAPH.sub(marked, body_html)
