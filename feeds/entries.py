"""What a feed entry says about a work or a part, as keyword arguments for
`AtomFeed.add_item` (feeds/generators.py).

URLs are absolute, from TALEHOUSE_SITE_URL as in the sitemap and the JSON-LD. Ids are tag:
URIs from the object's id and creation date, so an entry keeps its id when its title (and
with it the URL's slug) changes. Dates are honest: a part's entry is dated when the part was
first published; a work's entry was published with its first part and updated with its
latest new part (editing a published text moves neither, as on the story page).
"""

from __future__ import annotations

import mimetypes
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.html import format_html, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from feeds.generators import ACQUISITION, EPUB_TYPE, IMAGE, THUMBNAIL, Category, Link
from formats.source import story_identifier
from stories.models import Part, Story


def absolute(url: str) -> str:
    """A URL of ours (a path, or a storage's full URL for media) as an absolute URL."""
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def entry_id(path: str, created: datetime) -> str:
    """A tag: URI (RFC 4151): the site's host, the day the object was made, its short path."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{host},{created:%Y-%m-%d}:{path}"


def story_categories(story: Story) -> list[Category]:
    """The work's tags as typed (a synonym is not renamed), then its rating. Its story_tags
    and their tags must be prefetched."""
    tags = [
        Category(st.tag.name, st.tag.name, f"{settings.SITE_URL}/tags/{st.tag.kind}/")
        for st in story.story_tags.all()
    ]
    rating = Category(story.rating, story.get_rating_display(), f"{settings.SITE_URL}/ratings/")
    return [*tags, rating]


def _author(story: Story) -> dict[str, str]:
    return {
        "author_name": story.author.display_name,
        "author_link": absolute(story.author.profile_url),
    }


def story_entry(story: Story, catalog: bool) -> dict[str, Any]:
    """A work: for an Atom feed (its summary as HTML, with its length), or for the OPDS
    catalog (`catalog`: plain text, and links to its EPUB and its cover)."""
    words = ngettext("%(n)s word", "%(n)s words", story.word_count) % {
        "n": intcomma(story.word_count)
    }
    parts = ngettext("%(n)s part", "%(n)s parts", story.published_parts_count) % {
        "n": intcomma(story.published_parts_count)
    }
    if catalog:
        summary = story.summary
        summary_type = "text"
    else:
        summary = linebreaks(story.summary, autoescape=True) + format_html(
            "<p>{} · {} · {}</p>", story.get_status_display(), words, parts
        )
        summary_type = "html"
    return {
        "title": story.title,
        "link": absolute(story.get_absolute_url()),
        "description": None,
        "unique_id": entry_id(reverse("stories:detail", args=[story.pk]), story.created_at),
        "pubdate": story.published_at,
        "updateddate": story.updated_at or story.published_at,
        "issued": story.published_at,
        "language": story.language,
        "summary": summary,
        "summary_type": summary_type,
        "tags": story_categories(story),
        "links": catalog_links(story) if catalog else [],
        # The identifier inside the work's EPUB: an app can tell it has the book already.
        "identifier": story_identifier(story.pk) if catalog else None,
        **_author(story),
    }


def catalog_links(story: Story) -> list[Link]:
    """The work's EPUB (what an e-reader app downloads) and its cover, if it has one."""
    links = [
        Link(absolute(reverse("formats:download", args=[story.pk, "epub"])), ACQUISITION, EPUB_TYPE)
    ]
    if story.cover:
        cover_type = mimetypes.guess_type(story.cover.name)[0] or "image/jpeg"
        links.append(Link(absolute(story.cover.url), IMAGE, cover_type))
    if story.cover_thumb:
        links.append(Link(absolute(story.cover_thumb.url), THUMBNAIL, "image/jpeg"))
    return links


def part_entry(part: Part, with_story_title: bool) -> dict[str, Any]:
    """A newly published part. Its story (with the writer's profile) must be loaded."""
    story = part.story
    words = ngettext("%(n)s word", "%(n)s words", part.word_count) % {
        "n": intcomma(part.word_count)
    }
    title = _("%(story)s: %(part)s") % {"story": story.title, "part": part.title}
    return {
        "title": title if with_story_title else part.title,
        "link": absolute(part.get_absolute_url()),
        "description": None,
        "unique_id": entry_id(reverse("stories:part", args=[part.pk]), part.created_at),
        "pubdate": part.published_at,
        "updateddate": part.published_at,
        "language": story.language,
        "summary": format_html(
            "<p>" + _("A new part of {story}: {words}.") + "</p>",
            story=format_html(
                '<a href="{}">{}</a>', absolute(story.get_absolute_url()), story.title
            ),
            words=words,
        ),
        "summary_type": "html",
        **_author(story),
    }
