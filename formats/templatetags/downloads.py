"""The download links, for other apps' pages (the story page, the writer's story page)
without those apps importing this one."""

from __future__ import annotations

from typing import Any

from django import template

from formats.models import Format, StoryFile
from stories.models import Story

register = template.Library()


@register.inclusion_tag("formats/_download_links.html")
def download_links(story: Story, counts: bool = False) -> dict[str, Any]:
    """A link per format. The story page shows the same links to every reader (no query, so
    the shared page stays shared); the writer's page (`counts`) adds downloads per format."""
    downloads: dict[str, int] = {}
    if counts:
        files = StoryFile.objects.filter(story=story).values_list("format", "downloads_count")
        downloads = dict(files)
    return {
        "story": story,
        "formats": [(value, label, downloads.get(value, 0)) for value, label in Format.choices],
        "counts": counts,
        "total": sum(downloads.values()),
    }
