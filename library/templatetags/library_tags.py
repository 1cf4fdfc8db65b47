"""A reader's public lists and bookmarks for other apps' pages, which do not import ours."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import User
from library import queries

register = template.Library()


@register.inclusion_tag("library/_public_library.html", takes_context=True)
def public_library(context: template.Context, owner: User) -> dict[str, Any]:
    """The owner's latest public reading lists and bookmarks, with only the stories the
    viewer may see. Two queries, whatever their number."""
    viewer = context["request"].user
    return {
        "owner": owner,
        "lists": queries.public_lists(owner, viewer),
        "bookmarks": queries.public_bookmarks(owner, viewer),
    }


@register.simple_tag(takes_context=True)
def read_marks(context: template.Context, story_id: int) -> str:
    """The ids of the story's parts the signed-in reader has opened, space-separated, for the
    per-reader fragment (library.js marks them in the table of contents). One query."""
    user = context["request"].user
    if not user.is_authenticated:
        return ""
    return " ".join(str(pk) for pk in queries.read_part_ids(user, story_id))
