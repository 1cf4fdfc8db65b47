"""schema.org JSON-LD for story (Book) and part (Chapter) pages."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from stories.models import Part, Story
from stories.pagecache import live


def interactions(reads: int, votes: int, comments: int) -> list[dict[str, Any]]:
    return [
        {
            "@type": "InteractionCounter",
            "interactionType": f"https://schema.org/{action}",
            "userInteractionCount": count,
        }
        for action, count in (
            ("ReadAction", reads),
            ("LikeAction", votes),
            ("CommentAction", comments),
        )
    ]


def _author(story: Story) -> dict[str, Any]:
    return {
        "@type": "Person",
        "name": story.author.display_name,
        "url": settings.SITE_URL + story.author.profile_url,
    }


def story_jsonld(story: Story) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Book",
        "name": story.title,
        "url": settings.SITE_URL + story.get_absolute_url(),
        "author": _author(story),
        "inLanguage": story.language,
        "description": story.summary,
        "wordCount": story.word_count,
        "interactionStatistic": interactions(
            story.reads_count, story.votes_count, story.comments_count
        ),
    }
    if story.published_at:
        data["datePublished"] = story.published_at.isoformat()
    if story.updated_at:
        data["dateModified"] = story.updated_at.isoformat()
    return data


def part_jsonld(part: Part) -> dict[str, Any]:
    story = part.story
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Chapter",
        "name": part.title,
        "url": settings.SITE_URL + part.get_absolute_url(),
        "isPartOf": {
            "@type": "Book",
            "name": story.title,
            "url": settings.SITE_URL + story.get_absolute_url(),
        },
        "author": _author(story),
        "wordCount": part.word_count,
        "inLanguage": story.language,
        "interactionStatistic": interactions(
            part.reads_count, part.votes_count, part.comments_count
        ),
    }
    if part.published_at:
        data["datePublished"] = part.published_at.isoformat()
    return data


def part_jsonld_html(part: Part, live_marks: bool) -> SafeString:
    """The part's JSON-LD; with `live_marks`, its counts marked for the page cache's frame."""
    text = render_jsonld(part_jsonld(part))
    if not live_marks:
        return text
    counts = render_jsonld(interactions(part.reads_count, part.votes_count, part.comments_count))
    return mark_safe(text.replace(counts, live("part_counts", counts), 1))  # noqa: S308


def render_jsonld(data: dict[str, Any] | list[dict[str, Any]]) -> SafeString:
    """JSON safe to place inside <script type="application/ld+json">."""
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - escaped above, data block only
