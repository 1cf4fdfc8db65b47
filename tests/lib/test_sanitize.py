from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talehouse.lib.sanitize import (
    PROSE_EDITOR_CONFIG,
    count_words,
    editor_allow_list,
    html_to_text,
    sanitize_html,
)

LINK_REL = 'rel="nofollow ugc noopener"'
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
# Written out, not derived: whatever the editor config says, nothing else may come out.
ALLOWED_ELEMENTS = {
    "p", "br", "em", "strong", "u", "s", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "hr",
    "a",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start", "type", "data-type"}}


class _Elements(HTMLParser):
    """Every start tag with its attributes, as a browser would read the sanitised output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def elements_of(markup: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return parser.elements


def _normalised_url(value: str) -> str:
    # Browsers drop whitespace and control characters inside a scheme: "jav\tascript:" runs.
    return "".join(ch for ch in html.unescape(value) if ord(ch) > 0x20).lower()


def assert_safe(output: str) -> None:
    assert "<script" not in output.lower()
    # Text keeps "<" escaped, so every "<...>" left in the output is a real tag. A link's title
    # is inert text and may say anything, "javascript:" included; every other value may not.
    for tag in re.findall(r"<[^>]*>", output):
        # Attribute names only: a quoted value is text ("<svg onload=...>" in a title is inert).
        names = re.sub(r'"[^"]*"', '""', tag)
        assert not re.search(r"[\s/]on[a-z]*\s*=", names, re.I), tag
        assert not re.search(r"[\s/]style\s*=", names, re.I), tag
        assert "javascript:" not in re.sub(r' title="[^"]*"', "", tag).lower(), tag
    for name, attrs in elements_of(output):
        assert name in ALLOWED_ELEMENTS, name
        for attribute, value in attrs:
            assert attribute in ALLOWED_ATTRIBUTES.get(name, set()), (name, attribute)
            if attribute == "href" and value is not None:
                assert not _normalised_url(value).startswith(DANGEROUS_SCHEMES), value


# --- known hostile inputs -----------------------------------------------------------------

HOSTILE = [
    '<a title="data:image/svg+xml,<svg onload=alert(1)>">x</a>',  # found by Hypothesis in CI
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<p onclick="alert(1)">click</p>',
    "<details open ontoggle=alert(1)>x</details>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<style>p { color: red }</style>",
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<!--<script>alert(1)</script>-->",
    '<a href="https://example.com" onmouseover="alert(1)">x</a>',
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_markup_is_neutralised(hostile: str) -> None:
    assert_safe(sanitize_html(hostile))


def test_script_content_is_dropped_not_just_the_tag() -> None:
    assert sanitize_html("<p>Before</p><script>alert('pwned')</script><p>After</p>") == (
        "<p>Before</p><p>After</p>"
    )


def test_iframes_and_their_content_are_dropped() -> None:
    assert sanitize_html('<iframe src="https://evil.example/">inner</iframe>after') == "after"


def test_event_handlers_and_styles_are_removed_but_the_text_stays() -> None:
    cleaned = sanitize_html('<p style="color:red" onclick="steal()">Hello</p>')
    assert cleaned == "<p>Hello</p>"


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_dangerous_link_targets_are_removed_and_the_link_text_kept(href: str) -> None:
    cleaned = sanitize_html(f'<a href="{href}">read me</a>')
    assert "href" not in cleaned
    assert "read me" in cleaned
    assert_safe(cleaned)


def test_a_link_without_rel_gets_nofollow_ugc_noopener() -> None:
    cleaned = sanitize_html('<p><a href="https://example.com/">a site</a></p>')
    assert cleaned == f'<p><a href="https://example.com/" {LINK_REL}>a site</a></p>'


def test_an_author_supplied_rel_or_target_is_replaced() -> None:
    cleaned = sanitize_html('<a href="https://example.com/" rel="opener" target="_blank">x</a>')
    assert cleaned == f'<a href="https://example.com/" {LINK_REL}>x</a>'


@pytest.mark.parametrize("href", ["https://example.com/a?b=c", "mailto:me@example.com", "/tags/"])
def test_safe_link_targets_are_kept(href: str) -> None:
    assert f'href="{html.escape(href)}"' in sanitize_html(f'<a href="{href}">x</a>')


def test_attributes_outside_the_allow_list_are_dropped_everywhere() -> None:
    cleaned = sanitize_html('<p lang="en" title="t" class="c" id="i" dir="rtl">Hello</p>')
    assert cleaned == "<p>Hello</p>"


def test_allowed_prose_is_unchanged() -> None:
    prose = (
        "<h2>One</h2><p>Plain, <em>emphasis</em>, <strong>strong</strong>,"
        " <u>u</u>, <s>s</s>.<br>Next line.</p>"
        "<h3>Two</h3><h4>Three</h4><blockquote><p>Quoted.</p></blockquote><hr>"
        '<ul><li>a</li><li>b</li></ul><ol start="3"><li>c</li></ol>'
    )
    assert sanitize_html(prose) == prose


def test_b_and_i_are_kept_as_the_strong_and_em_the_editor_reads_them_as() -> None:
    assert sanitize_html("<p><b>bold</b> and <I>italic</I></p>") == (
        "<p><strong>bold</strong> and <em>italic</em></p>"
    )


# --- the allow-list is the editor's config --------------------------------------------------

# Each configured extension's markup, as the editor writes it. Extensions that make no markup
# of their own are listed apart, so a new extension in the config fails here until it has a
# sample.
EDITOR_MARKUP = {
    "Bold": "<p><strong>bold</strong></p>",
    "Italic": "<p><em>italic</em></p>",
    "Underline": "<p><u>underline</u></p>",
    "Strike": "<p><s>strike</s></p>",
    "Heading": "<h2>Two</h2><h3>Three</h3><h4>Four</h4>",
    "BulletList": "<ul><li><p>a</p></li><li><p>b</p></li></ul>",
    "OrderedList": '<ol type="a" data-type="lower-alpha" start="3"><li><p>c</p></li></ol>',
    "Blockquote": "<blockquote><p>Quoted.</p></blockquote>",
    "HorizontalRule": "<p>Before</p><hr><p>After</p>",
    "HardBreak": "<p>One line<br>and the next</p>",
    "Link": f'<p><a href="https://example.com/" title="A site" {LINK_REL}>a site</a></p>',
}
MAKES_NO_MARKUP_OF_ITS_OWN = {"ListItem", "History", "SpecialCharacters"}


def test_every_configured_extension_has_a_markup_sample() -> None:
    configured = set(PROSE_EDITOR_CONFIG["extensions"])
    assert configured == set(EDITOR_MARKUP) | MAKES_NO_MARKUP_OF_ITS_OWN


@pytest.mark.parametrize(("extension", "markup"), EDITOR_MARKUP.items())
def test_what_each_configured_extension_makes_survives_sanitising(
    extension: str, markup: str
) -> None:
    assert sanitize_html(markup) == markup


@pytest.mark.parametrize(
    ("markup", "cleaned"),
    [
        ("<p>H<sub>2</sub>O</p>", "<p>H2O</p>"),
        ("<p>x<sup>2</sup></p>", "<p>x2</p>"),
        ("<h5>Aside</h5>", "<h4>Aside</h4>"),
        ('<p>A <img src="https://example.com/a.png" alt="cat"> cat</p>', "<p>A  cat</p>"),
        ("<table><tr><td>cell</td></tr></table>", "cell"),
        ("<p><code>x = 1</code></p>", "<p>x = 1</p>"),
        ('<p><span class="c">styled</span></p>', "<p>styled</p>"),
        ('<p style="text-align: center">centred</p>', "<p>centred</p>"),
        ("<pre>code</pre>", "code"),
        ("<figure><figcaption>caption</figcaption></figure>", "caption"),
    ],
)
def test_markup_no_configured_extension_makes_is_removed(markup: str, cleaned: str) -> None:
    assert sanitize_html(markup) == cleaned


def test_the_allow_list_follows_the_editor_config(monkeypatch: pytest.MonkeyPatch) -> None:
    extensions = PROSE_EDITOR_CONFIG["extensions"]
    assert "sub" not in editor_allow_list()["tags"]
    assert "u" in editor_allow_list()["tags"]
    monkeypatch.setitem(extensions, "Subscript", True)
    monkeypatch.setitem(extensions, "Underline", False)
    assert "sub" in editor_allow_list()["tags"]
    assert "u" not in editor_allow_list()["tags"]


def test_our_link_policy_overrides_the_editors() -> None:
    allow_list = editor_allow_list()
    assert allow_list["link_rel"] == "nofollow ugc noopener"
    assert allow_list["attributes"]["a"] == {"href", "title"}
    assert allow_list["attributes"]["*"] == set()


def test_empty_or_blank_bodies_become_empty() -> None:
    assert sanitize_html("") == ""
    assert sanitize_html("<p></p>  <p> </p>") == ""
    assert sanitize_html("<script>x</script>") == ""


# --- property: random HTML-ish input ------------------------------------------------------

TAG_NAMES = [
    "p", "em", "strong", "h2", "ul", "li", "blockquote", "hr", "a", "br", "img", "script",
    "SCRIPT", "ScRiPt", "svg", "math", "iframe", "style", "object", "embed", "div", "span",
    "form", "input", "details", "body", "video", "source", "template", "noscript", "base",
]  # fmt: skip
ATTRIBUTE_NAMES = [
    "href", "src", "title", "style", "onclick", "onerror", "onload", "OnMouseOver",
    "xlink:href", "formaction", "srcdoc", "rel", "target", "class", "id", "data-x", "start",
]  # fmt: skip
ATTRIBUTE_VALUES = [
    "https://example.com/",
    "/relative",
    "mailto:a@example.com",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "jav&#x0A;ascript:alert(1)",
    "&#106;avascript:alert(1)",
    " javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "color:red",
    "alert(1)",
    "x",
    "",
]
SAFE_WORDS = ["Once", "upon", "a", "time", "the", "harbour", "was", "quiet", "—", "“Hi,”", "&amp;"]


@st.composite
def attributes(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(ATTRIBUTE_NAMES))
    value = draw(st.sampled_from(ATTRIBUTE_VALUES))
    quote = draw(st.sampled_from(['"', "'", ""]))
    if quote == "" and (" " in value or value == ""):
        quote = '"'
    return f" {name}={quote}{value}{quote}"


@st.composite
def open_tags(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(TAG_NAMES))
    attrs = "".join(draw(st.lists(attributes(), max_size=3)))
    closing = draw(st.sampled_from([">", " />", ">"]))
    return f"<{name}{attrs}{closing}"


close_tags = st.sampled_from(TAG_NAMES).map(lambda name: f"</{name}>")
fragments = st.sampled_from(["<!-- c -->", "<!--", "-->", "<", ">", "&#x09;", "&lt;", "<![CDATA["])
html_ish = st.lists(
    st.one_of(open_tags(), close_tags, st.sampled_from(SAFE_WORDS), fragments), max_size=30
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(html_ish)
def test_random_markup_never_comes_out_executable(markup: str) -> None:
    assert_safe(sanitize_html(markup))


PROSE_TEXT = st.text(alphabet="abcdefghij klmnopqrstuvwxyzABCDEF", min_size=1, max_size=20).filter(
    lambda text: text.strip() != ""
)


@st.composite
def prose_blocks(draw: st.DrawFn) -> str:
    text = draw(PROSE_TEXT)
    kind = draw(st.sampled_from(["p", "em", "strong", "h2", "ul", "blockquote", "hr"]))
    if kind == "hr":
        return "<hr>"
    if kind in {"em", "strong"}:
        return f"<p><{kind}>{text}</{kind}></p>"
    if kind == "ul":
        return f"<ul><li>{text}</li><li>{draw(PROSE_TEXT)}</li></ul>"
    if kind == "blockquote":
        return f"<blockquote><p>{text}</p></blockquote>"
    return f"<{kind}>{text}</{kind}>"


# Balanced hostile snippets: each closes what it opens, so it cannot swallow what follows.
HOSTILE_SNIPPETS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="jav&#x09;ascript:alert(1)" onclick="x()">link</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<svg onload="alert(1)"></svg>',
    '<span style="color:red">styled</span>',
    "<style>p{}</style>",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(prose_blocks(), st.sampled_from(HOSTILE_SNIPPETS)), min_size=1))
def test_allowed_prose_survives_among_hostile_markup(blocks: list[str]) -> None:
    cleaned = sanitize_html("".join(blocks))
    assert_safe(cleaned)
    for block in blocks:
        if block not in HOSTILE_SNIPPETS:
            assert block in cleaned


# --- word counts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "words"),
    [
        ("", 0),
        ("<p></p>", 0),
        ("<p>“Hello,” she said.</p><p>“Hello,” he said.</p>", 6),
        ("<p>one</p><p>two</p>", 2),
        ("<p>Don't panic; it’s a well-known fact.</p>", 6),
        ("<p>rock &amp; roll</p>", 2),
        ("<h2>Title</h2><ul><li>first item</li><li>second</li></ul><hr>", 4),
        ('<p>See <a href="https://example.com/" rel="nofollow">the map</a>.</p>', 3),
        ("<p>In 1999 — or so — we met.</p>", 6),
        ("<p>こんにちは 世界</p>", 2),
    ],
)
def test_count_words_counts_what_readers_see(markup: str, words: int) -> None:
    assert count_words(markup) == words


@pytest.mark.parametrize(
    ("markup", "words"),
    [
        ("<p>a</p><p>b</p>", 2),
        ("<p>a<br>b</p>", 2),
        ("<ul><li>a</li><li>b</li></ul>", 2),
        ("<h2>a</h2>b", 2),
        ("<p>wo<em>rd</em> <strong>bo</strong>ld</p>", 2),
        ("<p>Tom &amp; Jerry</p>", 2),
        ("<p>a</p><script>one two three</script>", 1),
    ],
)
def test_blocks_separate_words_and_marks_do_not(markup: str, words: int) -> None:
    assert count_words(markup) == words


def test_html_to_text_decodes_entities_and_ignores_tags_that_look_like_text() -> None:
    text = html_to_text('<p title="a &gt; b">Fish &amp; chips &lt;3</p><p>&#8220;Hi&#8221;</p>')
    assert text.split() == ["Fish", "&", "chips", "<3", "“Hi”"]


def test_headings_are_kept_within_the_levels_a_part_may_use() -> None:
    html = "<h1>Act One</h1><h3>Scene</h3><h6>Aside</h6><H5 class='x'>Note</H5>"
    assert sanitize_html(html) == "<h2>Act One</h2><h3>Scene</h3><h4>Aside</h4><h4>Note</h4>"
