"""Whatever a file holds, the readers answer with a ValidationError (a message for the writer)
or a story within the limits: never another exception, never unsanitised markup."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.parse import check_import_file
from imports.parsed import ImportedStory
from imports.sniff import EXTENSIONS
from talehouse.lib.sanitize import sanitize_html
from tests.imports.builders import FILES, docx_bytes, epub_bytes

NAMES = st.sampled_from([f"file{extension}" for extension in EXTENSIONS])
# Real files to damage: (name, bytes).
SEEDS = [
    ("seed.docx", docx_bytes([("Heading1", "One"), ("", "Words **here**.")])),
    ("seed.epub", epub_bytes([("One", "<p>Words.</p>"), ("Two", "<p>More.</p>")])),
    ("ao3.epub", (FILES / "ao3_work.epub").read_bytes()),
    ("ao3.html", (FILES / "ao3_work.html").read_bytes()),
]
# Hypothesis runs each example inside one test: the database is not needed by the readers.
HYPOTHESIS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_or_refuse(name: str, data: bytes) -> ImportedStory | None:
    try:
        story = check_import_file(name, data)
    except ValidationError as error:
        assert error.messages and all(message.strip() for message in error.messages)
        return None
    for part in story.parts:
        assert part.html and sanitize_html(part.html) == part.html
        assert part.title and len(part.title) <= 200
    assert story.title and len(story.title) <= 200
    return story


@HYPOTHESIS
@given(name=NAMES, data=st.binary(max_size=4096))
def test_random_bytes_are_read_or_refused(name: str, data: bytes) -> None:
    read_or_refuse(name, data)


@HYPOTHESIS
@given(name=NAMES, text=st.text(max_size=2000))
def test_random_text_is_read_or_refused(name: str, text: str) -> None:
    read_or_refuse(name, text.encode("utf-8", "surrogatepass"))


MARKUP = st.lists(
    st.sampled_from(
        [
            "<p>",
            "</p>",
            "<h1>",
            "</h1>",
            "<h2>",
            "</h2>",
            "<div>",
            "</div>",
            "<script>",
            "</script>",
            "<!--",
            "-->",
            "<br>",
            "<a href='javascript:x'>",
            "</a>",
            "&amp;",
            "&#0;",
            "\x00",
            "Chapter 1\n\n",
            "\n\n",
            "* * *",
            "word ",
            "<dl><dt>Rating:</dt>",
            '<div id="chapters">',
            '<div id="preface">',
            "<h1>T</h1>",
            "<blockquote>",
        ]
    ),  # fmt: skip
    max_size=80,
).map("".join)


@HYPOTHESIS
@given(name=NAMES, markup=MARKUP)
def test_random_markup_is_read_or_refused(name: str, markup: str) -> None:
    read_or_refuse(name, markup.encode("utf-8", "surrogatepass"))


@HYPOTHESIS
@given(
    seed=st.sampled_from(SEEDS),
    cuts=st.lists(st.tuples(st.integers(0, 100_000), st.binary(max_size=8)), max_size=6),
    keep=st.integers(0, 100_000),
)
def test_damaged_real_files_are_read_or_refused(
    seed: tuple[str, bytes], cuts: list[tuple[int, bytes]], keep: int
) -> None:
    name, data = seed[0], bytearray(seed[1])
    for position, junk in cuts:
        at = position % len(data)
        data[at : at + len(junk)] = junk
    read_or_refuse(name, bytes(data[: max(keep % (len(data) + 1), 1)]))


@pytest.mark.parametrize("seed", SEEDS, ids=lambda seed: seed[0] if isinstance(seed, tuple) else "")
def test_every_seed_is_read_whole(seed: tuple[str, bytes]) -> None:
    """The damaged files above start from files that import (else they would prove little)."""
    assert read_or_refuse(*seed) is not None
