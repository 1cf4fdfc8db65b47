"""The story as a PDF (WeasyPrint), from the same HTML fragments as the other formats.

Each part is laid out as its own document and the pages are joined at the end: the build
reports progress part by part, and what laying out one part needs beyond its pages is gone
before the next (30 parts of dialogue as one document peaked at 300 MB, part by part at
185 MB). Page numbers run on across parts (each part's first page is numbered after the last
part's); the contents page links to the parts, and the PDF outline lists them. Every page's
layout is still kept until the PDF is written: see docs/benchmarks.md for what that costs.
"""

from __future__ import annotations

import base64
import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING

from formats.html import Progress, contents_html, cover_html, document, front_html, part_html
from formats.html import stylesheet as read_stylesheet
from formats.source import StorySource

if TYPE_CHECKING:
    from weasyprint import CSS, Document
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

# WeasyPrint logs every page it lays out at INFO; a 1,000-page story would flood the log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@cache
def _stylesheet() -> tuple[CSS, FontConfiguration, URLFetcher]:
    # WeasyPrint is imported on first use: it takes a second or two to import, which every
    # process (web, worker, manage.py) would otherwise pay at start-up.
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fonts = FontConfiguration()
    # Nothing in a story may make the build read a file or the network: the cover comes
    # inline as a data: URL, and that is all the fetcher will open.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return CSS(string=read_stylesheet("pdf.css"), font_config=fonts), fonts, fetcher


def build_pdf(source: StorySource, progress: Progress | None = None) -> bytes:
    from weasyprint import HTML

    front = source.front
    css, fonts, fetcher = _stylesheet()

    def render(content: str, first_page: int) -> Document:
        # Page numbers continue from the previous document's last page.
        numbering = f"@page :first {{ counter-reset: page {first_page} }}"
        html = document(front, content, numbering)
        return HTML(string=html, base_url=front.story_url, url_fetcher=fetcher).render(
            stylesheets=[css], font_config=fonts
        )

    total = len(source.chapters) + 1
    with _fewer_collections():
        opening = [front_html(source), contents_html(source)]
        if source.cover_jpeg:
            data = base64.b64encode(source.cover_jpeg).decode("ascii")
            opening.insert(0, cover_html(front, f"data:image/jpeg;base64,{data}"))
        documents = [render("\n".join(opening), 1)]
        pages = list(documents[0].pages)
        for done, chapter in enumerate(source.chapters, start=1):
            documents.append(render(part_html(chapter), len(pages) + 1))
            pages += documents[-1].pages
            if progress:
                progress(done, total)
        pdf: bytes = documents[0].copy(pages).write_pdf()
    if progress:
        progress(total, total)
    return pdf


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect garbage less often while laying out: a long story holds hundreds of thousands
    of layout boxes that every full collection walks again. On the 300 k-word benchmark this
    took a fifth off the CPU time for ~30 MB more at the peak. Process-wide, so only around
    the build; what is left is collected after it."""
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.collect()
