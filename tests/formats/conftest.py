"""Downloads: stories to make files of (the demo's, hostile ones, a long one) and helpers."""

from __future__ import annotations

from collections import Counter
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import User
from formats import actions
from stories.actions import StoryData, check_cover, do_create_part, do_create_story, do_publish_part
from stories.models import Part, Story
from tests.factories import make_part, make_story, make_user

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


@pytest.fixture(autouse=True)
def downloads_root(settings: Any, tmp_path: Path) -> Path:
    """Each test's built files in its own folder."""
    settings.TALEHOUSE_DOWNLOADS_ROOT = tmp_path / "downloads"
    return Path(settings.TALEHOUSE_DOWNLOADS_ROOT)


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many files of each format were made (each builder wrapped to count its calls)."""
    made: Counter[str] = Counter()
    for name, builder in list(actions.BUILDERS.items()):

        def counting(
            source: Any, progress: Any = None, name: str = name, build: Any = builder
        ) -> bytes:
            made[name] += 1
            return build(source, progress)

        monkeypatch.setitem(actions.BUILDERS, name, counting)
    return made


def download_url(story: Story, fmt: str) -> str:
    return reverse("formats:download", args=[story.pk, fmt])


def fetch(client: Client, story: Story, fmt: str) -> tuple[TestResponse, bytes]:
    """GET a download; the file's bytes when one came back (reading them to the end closes
    the response, as the test client arranges: closing it again would close the database)."""
    response = client.get(download_url(story, fmt))
    body = b""
    if isinstance(response, FileResponse):
        body = b"".join(response.streaming_content)  # type: ignore[arg-type]
    return response, body


# --- stories --------------------------------------------------------------------------------

HOSTILE_TITLE = "Ünïcödé <b>&amp;</b> “quotes” 'apos' — #1 \x07bell\x0b #"
HOSTILE_BODY = (
    "<h1>A heading one</h1><h5>A heading five</h5>"
    "<p>Control \x01\x02\x0c characters, a noncharacter \ufffe\uffff, C1 \x85\x9f, "
    "zero\u200bwidth, com\u0301bining, emoji 🐉👩‍👩‍👧, and &lt;escaped&gt; &amp; markup.</p>"
    "<script>alert('no')</script><iframe src='https://example.com'></iframe>"
    "<p><img src='https://example.com/x.png' onerror='alert(1)'>An image that is not there.</p>"
    "<p><a href='javascript:alert(1)'>a script link</a>, <a href='/parts/1/'>a site link</a>, "
    "<a href='#nowhere'>a fragment</a>, <a href='mailto:a@example.com'>mail</a>, "
    "<a href='https://example.com/a?b=1&amp;c=2'>a web link</a>.</p>"
    "<table><tr><td>a table cell</td></tr></table>"
    "<ul><li>one<ul><li>nested</li></ul></li><li><p>two</p></li></ul><ol><li>first</li></ol>"
    "<blockquote><p>quoted</p><blockquote><p>deeper</p></blockquote></blockquote>"
    "<p></p><p><strong> bold with spaces </strong><em>italic</em><u>under</u><s>struck</s></p>"
    "<hr><p>After the break.<br>A new line.<br></p>"
    "<p>" + "Unbreakable" * 300 + "</p>"
)
RTL_BODY = (
    "<p>שלום עולם, זה סיפור.</p><p>مرحبا بالعالم، هذه قصة.</p>"
    "<p>Mixed: English then עברית then English, and \u202eoverridden\u202c text.</p>"
)
CJK_BODY = (
    "<p>「こんにちは」と彼女は言った。</p><p>你好，世界。这是一个故事。</p>"
    "<p>한국어 문장입니다.</p>"
)


def make_hostile_story(author: User) -> Story:
    """Odd characters everywhere, right-to-left and CJK text, an empty part, markup the
    sanitiser must drop, notes, links of every kind and a palette GIF for a cover."""
    cover = BytesIO()
    Image.new("P", (300, 450), 3).save(cover, "GIF")
    story = do_create_story(
        author,
        StoryData(
            title=HOSTILE_TITLE,
            summary="A summary with \x1b[31mescapes\x1b[0m,\n\nright-to-left: مرحبا, & <tags>.",
            rating="mature",
            warnings=["violence", "death"],
            tags={"fandom": ["Ōkami & <Friends>"], "additional": ["שלום", "Emoji 🐉", "a\x08b"]},
        ),
        cover=check_cover(SimpleUploadedFile("cover.gif", cover.getvalue())),
    )
    make_part(story, "Hostile <markup> & \x0cform feed", HOSTILE_BODY)
    rtl = do_create_part(story, "ימין לשמאל", RTL_BODY, "הערה לפני\nשורה שנייה", "ملاحظة بعد")
    do_publish_part(rtl)
    make_part(story, "日本語の章", CJK_BODY)
    emptied = make_part(story, "Soon empty", "<p>Words the writer will take back.</p>")
    # An empty published part: the editor refuses one, an import or an old row may not.
    Part.objects.filter(pk=emptied.pk).update(body_html="", title="   ")
    noted = do_create_part(
        story,
        "Notes",
        "<p>Between the notes.</p>",
        "Before: <b>not bold</b> \x01 https://x.test",
        "After & done.",
    )
    do_publish_part(noted)
    make_part(story, "A draft", "<p>DRAFT-ONLY WORDS</p>", publish=False)
    return Story.objects.get(pk=story.pk)


def make_long_story(author: User, parts: int = 120, paragraphs: int = 12) -> Story:
    """Many parts of dialogue: a contents list and spine of some length."""
    story = make_story(author, "The Long Way Round")
    line = "<p>“Are we there yet?” she asked, for the {n}th time. “Not yet,” he said.</p>"
    for number in range(1, parts + 1):
        body = "".join(line.format(n=n) for n in range(paragraphs))
        make_part(story, f"Chapter {number}", body)
    return Story.objects.get(pk=story.pk)


def make_demo_stories() -> list[Story]:
    """The demo's hand-written stories (stories/demo_content), made as `load_demo` makes them
    (its writers, covers and Markdown), without the generated library, reads and comments."""
    from stories.demo import WRITER_NAMES, _markdown, load_stories, story_data
    from stories.demo_covers import make_cover

    writers = {name: make_user(username=name) for name in WRITER_NAMES}
    stories = []
    for demo in load_stories():
        meta = demo.meta
        story = do_create_story(
            writers[meta["author"]],
            story_data(meta),
            cover=check_cover(make_cover(meta["title"], WRITER_NAMES[meta["author"]])),
        )
        for demo_part in demo.parts:
            part = do_create_part(
                story,
                demo_part.title,
                _markdown.render(demo_part.body_markdown),
                demo_part.notes_before,
                demo_part.notes_after,
            )
            if not demo_part.draft:
                do_publish_part(part)
        stories.append(Story.objects.get(pk=story.pk))
    return stories
