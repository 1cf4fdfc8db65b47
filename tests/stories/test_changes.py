"""One path for "something changed": every action that changes what a page shows goes through
`stories.changes`, which moves the page versions and runs the after-commit hooks."""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.actions import do_update_profile
from accounts.models import User
from social.actions.comments import do_add_comment, do_delete_comment, do_edit_comment
from social.actions.moderation import do_freeze_thread, do_set_comment_policy
from social.actions.reads import do_queue_read
from social.actions.votes import do_set_vote
from social.jobs import flush_pending_reads
from social.models import Comment
from stories import changes
from stories.actions import (
    StoryData,
    check_cover,
    do_delete_part,
    do_delete_story,
    do_move_part,
    do_publish_due_parts,
    do_publish_part,
    do_save_part,
    do_schedule_part,
    do_unpublish_part,
    do_update_story,
)
from stories.changes import StoryChange
from stories.models import CommentPolicy, Part, Story
from stories.paragraphs import paragraphs
from tests.factories import make_part, make_story, make_user, png_bytes

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class World:
    author: User
    reader: User
    story: Story
    first: Part
    second: Part
    draft: Part
    comment: Comment


@pytest.fixture
def world(db: None) -> World:
    author = make_user(username="writer")
    reader = make_user(username="reader")
    story = make_story(author, "Harbour Lights")
    first = make_part(story, "Arrival", "<p>The ferry came in late.</p>")
    second = make_part(story, "Departure", "<p>The ferry left early.</p>")
    draft = make_part(story, "Someday", "<p>Not yet.</p>", publish=False)
    comment = do_add_comment(reader, first, "What a harbour.")
    return World(author, reader, story, first, second, draft, comment)


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("cover.png", png_bytes((60, 90)), content_type="image/png")


def _story_data(story: Story, **changed: object) -> StoryData:
    data = StoryData(title=story.title, warnings=["none"], rating="teen")
    data.tags = {"fandom": ["Original Work"]}
    for name, value in changed.items():
        setattr(data, name, value)
    return data


def _schedule_and_come_due(part: Part) -> int:
    soon = timezone.now() + timedelta(minutes=2)
    do_schedule_part(part, soon)
    return do_publish_due_parts(now=soon)


def _read_and_count(part: Part) -> int:
    do_queue_read(part.pk, "v:a-new-visitor-0001", None)
    return flush_pending_reads()


# Every action that changes what a reader's page shows, and what it does to a world.
PAGE_CHANGES: dict[str, Callable[[World], object]] = {
    "do_update_story": lambda w: do_update_story(w.story, _story_data(w.story, title="Renamed")),
    "do_update_story (cover)": lambda w: do_update_story(
        w.story, _story_data(w.story), cover=check_cover(_png())
    ),
    "do_save_part": lambda w: do_save_part(w.first, "Arrival", "<p>The ferry came in on time.</p>"),
    "do_publish_part": lambda w: do_publish_part(w.draft),
    "do_publish_due_parts": lambda w: _schedule_and_come_due(w.draft),
    "do_unpublish_part": lambda w: do_unpublish_part(w.second),
    "do_delete_part": lambda w: do_delete_part(w.second),
    "do_move_part": lambda w: do_move_part(w.second, -1),
    "do_delete_story": lambda w: do_delete_story(w.story),
    "do_set_vote": lambda w: do_set_vote(w.reader, w.first, True),
    "do_set_vote (withdrawn)": lambda w: do_set_vote(w.reader, w.first, False),
    "do_add_comment": lambda w: do_add_comment(w.reader, w.first, "Another thought."),
    "do_edit_comment": lambda w: do_edit_comment(w.comment, "What a harbour, truly."),
    "do_delete_comment": lambda w: do_delete_comment(w.comment),
    "do_add_comment (paragraph)": lambda w: do_add_comment(
        w.reader, w.first, "This line!", paragraph_id=paragraphs(w.first.body_html)[0][0]
    ),
    "do_freeze_thread": lambda w: do_freeze_thread(w.comment, True),
    "do_freeze_thread (unfrozen)": lambda w: do_freeze_thread(w.comment, False),
    "do_set_comment_policy": lambda w: do_set_comment_policy(w.story, CommentPolicy.CLOSED),
    "do_set_comment_policy (reopened)": lambda w: do_set_comment_policy(
        w.story, CommentPolicy.SIGNED_IN
    ),
    "flush_pending_reads": lambda w: _read_and_count(w.first),
    "do_update_profile (author)": lambda w: do_update_profile(w.author, "Captain Wren", ""),
    "do_update_profile (commenter)": lambda w: do_update_profile(w.reader, "Gull Watcher", ""),
}

# Actions that change nothing a shared page shows, and why.
NO_PAGE_CHANGES = {
    "do_create_story": "a new story is a draft: only its author sees it",
    "do_create_part": "a new part is a draft: only its author sees it",
    "do_autosave_part": "autosave only keeps drafts",
    "do_autosave_new_part": "autosave only keeps drafts",
    "do_reorder_parts": "covered through do_move_part, which calls it",
    "do_queue_read": "queues a read; flush_pending_reads counts it",
    "do_set_reader_settings": "a reader's own settings live in their browser",
    "do_schedule_part": "a scheduled part is a draft until its time: its author's alone",
    "do_unschedule_part": "a scheduled part is a draft until its time: its author's alone",
    "do_set_time_zone": "the writer's zone shows on their own desk only",
}

ACTION_MODULES = [
    "stories.actions",
    "social.actions.votes",
    "social.actions.comments",
    "social.actions.moderation",
    "social.actions.reads",
    "social.jobs",
    "accounts.actions",
]


def _prime(world: World) -> dict[str, bytes]:
    """Fetch each page twice as an anonymous reader; the second must come from the cache."""
    pages = {}
    for url in (world.story.get_absolute_url(), world.first.get_absolute_url()):
        Client().get(url)
        again = Client().get(url)
        assert again.get("X-Talehouse-Cache") == "hit", url
        pages[url] = again.content
    return pages


def test_the_table_names_every_action() -> None:
    def writes(module: ModuleType) -> Iterator[str]:
        for name, member in inspect.getmembers(module, inspect.isfunction):
            if member.__module__ == module.__name__ and (
                name.startswith("do_") or name == "flush_pending_reads"
            ):
                yield name

    actions = {name for path in ACTION_MODULES for name in writes(importlib.import_module(path))}
    walked = {name.split(" ")[0] for name in PAGE_CHANGES}
    assert actions == walked | set(NO_PAGE_CHANGES)


# What must be true before an action can change anything.
SETUP: dict[str, Callable[[World], object]] = {
    "do_set_vote (withdrawn)": lambda w: do_set_vote(w.reader, w.first, True),
    "do_freeze_thread (unfrozen)": lambda w: do_freeze_thread(w.comment, True),
    "do_set_comment_policy (reopened)": lambda w: do_set_comment_policy(
        w.story, CommentPolicy.CLOSED
    ),
}


@pytest.mark.parametrize("action", PAGE_CHANGES, ids=str)
def test_every_action_that_changes_a_page_changes_the_cached_page(
    world: World, action: str
) -> None:
    SETUP.get(action, lambda w: None)(world)
    before = _prime(world)
    PAGE_CHANGES[action](world)
    changed = []
    for url, cached in before.items():
        response = Client().get(url)
        # Every page of the story is built afresh: none may outlive the change...
        assert response.get("X-Talehouse-Cache") != "hit", f"{action} left {url} cached"
        changed += [url] if response.content != cached else []
    # ...and the change shows (a cover shows on the story page only, a comment on its part).
    assert changed, f"{action} changed no page"


def test_a_new_display_name_shows_on_cached_pages_at_once(world: World) -> None:
    _prime(world)
    do_update_profile(world.author, "Captain Wren", "")
    do_update_profile(world.reader, "Gull Watcher", "")
    html = Client().get(world.first.get_absolute_url()).content.decode()
    assert "Captain Wren" in html and "Gull Watcher" in html


def test_a_writer_renaming_themselves_through_the_form_refreshes_cached_pages(
    world: World,
) -> None:
    _prime(world)
    writer = Client()
    writer.force_login(world.author)
    writer.post("/settings/profile/", {"display_name": "Captain Wren", "bio": ""})
    assert "Captain Wren" in Client().get(world.story.get_absolute_url()).content.decode()


@pytest.fixture
def recorded_hooks() -> Iterator[list[tuple[object, ...]]]:
    calls: list[tuple[object, ...]] = []
    story_hook = changes.on_story_change(lambda story_id, why: calls.append((story_id, why)))
    account_hook = changes.on_account_change(lambda user_id: calls.append(("account", user_id)))
    yield calls
    changes.STORY_HOOKS.remove(story_hook)
    changes.ACCOUNT_HOOKS.remove(account_hook)


@pytest.mark.django_db(transaction=True)
def test_hooks_run_after_commit_and_never_for_a_rolled_back_change(
    recorded_hooks: list[tuple[object, ...]],
) -> None:
    author = make_user(username="hooked")
    story = make_story(author, "Hooked")
    part = make_part(story, "One", publish=False)
    recorded_hooks.clear()

    with transaction.atomic():
        do_publish_part(part)
        assert recorded_hooks == []  # not before the commit
    assert (story.pk, StoryChange.PUBLISHED) in recorded_hooks

    recorded_hooks.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        do_unpublish_part(part)
        raise RuntimeError("the writer's request failed later on")
    assert recorded_hooks == []

    do_update_profile(author, "New Name", "")
    assert ("account", author.pk) in recorded_hooks


@pytest.mark.django_db(transaction=True)
def test_a_failing_hook_does_not_fail_the_change_or_the_other_hooks(
    recorded_hooks: list[tuple[object, ...]],
) -> None:
    def broken(story_id: int, why: StoryChange) -> None:
        raise ConnectionError("the search index is down")

    changes.STORY_HOOKS.insert(0, broken)
    try:
        story = make_story(make_user(username="unlucky"), "Unlucky")
        part = make_part(story, "One")
    finally:
        changes.STORY_HOOKS.remove(broken)
    assert Part.objects.get(pk=part.pk).is_published
    assert (story.pk, StoryChange.PUBLISHED) in recorded_hooks


def test_nothing_but_the_change_path_moves_page_versions() -> None:
    """Page versions move in stories/changes.py only; everything else calls it."""
    writes = re.compile(
        r"F\(\s*.(page|content)_version|ListingVersion\.objects\.(create|get_or_create)|value=F"
    )
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT)
        skipped = {".venv", "tests", "node_modules", "migrations"}
        if skipped & set(relative.parts):
            continue
        if relative == Path("stories/changes.py"):
            continue
        if writes.search(path.read_text()):
            offenders.append(str(relative))
    assert offenders == []
