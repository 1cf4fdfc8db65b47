"""What follows a change: the one path from "something changed" to every page and feature.

Every action that changes what a page shows calls one of these, inside its transaction:

- `story_changed(story_id, why)`: a story, its parts, its counters or its comments changed;
- `account_changed(user_id)`: a member's public face (display name) changed.

Each bumps the page versions that key the page cache (stories/pagecache.py) in the caller's
transaction (`page_version` for anything a page shows, `content_version` unless only reads or
votes were counted), so a cached page can never outlive the change, and then runs the hooks
registered for that kind of change once the transaction commits (`transaction.on_commit`).
Later features register here — search index, notifications, feeds, reverse-proxy purge — in
their app's `ready()`, so the list of what follows a change is read in one place:
`STORY_HOOKS` and `ACCOUNT_HOOKS`. Nothing else bumps page versions (a test enforces it).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from stories.models import ListingVersion, Story

logger = logging.getLogger("talehouse.changes")

LISTING_ROW = 1


class StoryChange(enum.StrEnum):
    """Why a story's pages changed. Hooks decide by it what to do (index, notify, purge)."""

    CREATED = "created"  # a new draft story: only its author sees it
    DETAILS = "details"  # title, summary, tags, rating, warnings, cover, sign-in-only
    DRAFT = "draft"  # a draft part was added or edited: only the author sees it
    TEXT = "text"  # a published part's text or notes changed
    PUBLISHED = "published"  # a part was published (maybe the story's first)
    UNPUBLISHED = "unpublished"  # a part went back to draft
    PART_DELETED = "part_deleted"
    REORDERED = "reordered"
    DELETED = "deleted"  # the story itself is gone
    COUNTERS = "counters"  # reads or votes counted: only live numbers moved
    COMMENT = "comment"  # a comment added, edited or deleted (or its count corrected)
    AUTHOR = "author"  # the writer's or a commenter's display name
    ANNOUNCEMENT = "announcement"  # the writer posted a note to the story's readers
    RANK = "rank"  # its best place in a tag's rankings moved (discover.rankings)
    SIMILAR = "similar"  # its "more like this" list changed (discover.similar)

    @property
    def shows_to_readers(self) -> bool:
        """Does this change what any shared page shows? A draft or a new story is seen by its
        author alone, whose pages are never cached: hooks hear of it, no version moves."""
        return self not in {StoryChange.CREATED, StoryChange.DRAFT}

    @property
    def moves_content(self) -> bool:
        """Does this change more than the live numbers? A page frame (the page with its
        numbers cut out, stories/pagecache.py) survives reads and votes, not this."""
        return self.shows_to_readers and self != StoryChange.COUNTERS

    @property
    def moves_text(self) -> bool:
        """Did the story's own words, details or order of parts change: what a search index
        or a downloaded file holds? (Comments, counts and ranks do not.)"""
        return self in _TEXT_CHANGES

    @property
    def moves_listings(self) -> bool:
        """Does this change a story's card or its place in public listings ("discover more",
        home, tag pages)? Counters do not: other stories' counts may lag by the page TTL."""
        return self in _LISTING_CHANGES


_TEXT_CHANGES = {
    StoryChange.DETAILS,
    StoryChange.TEXT,
    StoryChange.PUBLISHED,
    StoryChange.UNPUBLISHED,
    StoryChange.PART_DELETED,
    StoryChange.REORDERED,
}

_LISTING_CHANGES = {
    StoryChange.DETAILS,
    StoryChange.TEXT,  # word counts on the card
    StoryChange.PUBLISHED,
    StoryChange.UNPUBLISHED,
    StoryChange.PART_DELETED,
    StoryChange.DELETED,
    StoryChange.AUTHOR,
}

StoryHook = Callable[[int, StoryChange], object]
AccountHook = Callable[[int], object]

# Run after commit, in order, each isolated: one failing hook is logged and the rest still run.
# Hooks must be idempotent: an action may report the same story twice in one transaction.
STORY_HOOKS: list[StoryHook] = []
ACCOUNT_HOOKS: list[AccountHook] = []


def on_story_change(hook: StoryHook) -> StoryHook:
    """Register `hook(story_id, why)` to run after every committed story change."""
    STORY_HOOKS.append(hook)
    return hook


def on_account_change(hook: AccountHook) -> AccountHook:
    """Register `hook(user_id)` to run after every committed account change."""
    ACCOUNT_HOOKS.append(hook)
    return hook


def story_changed(
    story_id: int, why: StoryChange, *, also_update: Mapping[str, Any] | None = None
) -> None:
    """Record that what a story's pages show changed. Call inside the changing transaction.

    `also_update` sets more columns of the story row in the same UPDATE that moves its page
    version (counters: `{"votes_count": F("votes_count") + 1}`), so a vote costs one query.
    """
    update = dict(also_update or {})
    if why.shows_to_readers:
        update["page_version"] = F("page_version") + 1
    if why.moves_content:
        update["content_version"] = F("content_version") + 1
    if update:
        Story.objects.filter(pk=story_id).update(**update)
    _after_change({story_id}, why)


def stories_changed(story_ids: set[int], why: StoryChange) -> None:
    """`story_changed` for many stories at once (one UPDATE)."""
    if story_ids and why.shows_to_readers:
        versions = {"page_version": F("page_version") + 1}
        if why.moves_content:
            versions["content_version"] = F("content_version") + 1
        Story.objects.filter(pk__in=story_ids).update(**versions)
    _after_change(story_ids, why)


def _after_change(story_ids: set[int], why: StoryChange) -> None:
    if story_ids and why.moves_listings:
        _bump_listing_version()
    for story_id in sorted(story_ids):
        for hook in STORY_HOOKS:
            transaction.on_commit(partial(_run_hook, hook, story_id, why))


def account_changed(user_id: int) -> None:
    """A member's public face changed: every page that shows their name must change too —
    their own stories (byline, cards) and the stories they have commented on."""
    # Through the parts' reverse relation to comments: stories need not import social.
    shown_in = Story.objects.filter(Q(author_id=user_id) | Q(parts__comments__user_id=user_id))
    # AUTHOR moves the listing version too: story cards show the writer's name.
    stories_changed(set(shown_in.values_list("pk", flat=True)), StoryChange.AUTHOR)
    for hook in ACCOUNT_HOOKS:
        transaction.on_commit(partial(_run_hook, hook, user_id))


def _bump_listing_version() -> None:
    updated = ListingVersion.objects.filter(pk=LISTING_ROW).update(value=F("value") + 1)
    if not updated:
        ListingVersion.objects.get_or_create(pk=LISTING_ROW, defaults={"value": 1})


def _run_hook(hook: Callable[..., object], *args: Any) -> None:
    try:
        hook(*args)
    except Exception:  # a search index or a purge failing must not fail the writer's save
        logger.exception("after-commit hook %r failed for %r", hook, args)
