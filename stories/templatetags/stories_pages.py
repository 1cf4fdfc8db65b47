from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from stories.pagecache import live
from talehouse.templatetags.talehouse import stats_line

register = template.Library()


@register.simple_tag(takes_context=True)
def part_stats(context: template.Context, part: Any) -> SafeString:
    """The stats line's numbers; on a shared page marked live, so the page cache keeps the
    page as a frame and writes the current numbers in (stories/pagecache.py)."""
    html = stats_line(part.reads_count, part.votes_count, part.comments_count)
    return live("part_stats", html) if context.get("live_marks") else html
