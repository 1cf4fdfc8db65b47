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
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.actions import do_update_profile
from accounts.models import User
from discover.rankings import compute_rankings
from discover.similar import compute_similar
from notifications.actions import do_post_announcement
from social.actions.comments import do_add_comment, do_delete_comment, do_edit_comment
from social.actions.moderation import do_freeze_thread, do_set_comment_policy
from social.actions.reads import do_queue_read
from social.actions.votes import do_set_vote
from social.counters import find_drift, move_counter
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
from tags.actions import do_make_canonical, do_make_synonym, do_rename, do_set_parent
from tags.models import Tag, TagKind, get_or_create_tags
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


def _tag(name: str) -> Tag:
    return Tag.objects.get(name=name)


def _counters_drift(part: Part) -> None:
    """Counters that disagree with their rows, as a bug or a hand edit would leave them."""
    Part.objects.filter(pk=part.pk).update(votes_count=7)
    Story.objects.filter(pk=part.story_id).update(votes_count=7)


def _more_works_like(world: World, engaged: bool) -> None:
    """Two more works with the world's tags, by another writer (and, `engaged`, commented on:
    three works with engagement give a tag its ranks)."""
    for title in ("Tide Tables", "Fog Signals"):
        other = make_part(make_story(world.reader, title), "One", "<p>Elsewhere.</p>")
        if engaged:
            do_add_comment(world.author, other, "Lovely.")


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
    "do_post_announcement": lambda w: do_post_announcement(w.story, "Back next week."),
    "move_counter": lambda w: move_counter(w.first, "votes_count", 1),
    "find_drift (fixing)": lambda w: find_drift(fix=True),
    "compute_rankings": lambda w: compute_rankings(),
    "compute_similar": lambda w: compute_similar(w.story.pk),
}

# Actions that change what a story is filed and found under (tag pages, filters, search), not
# what its own pages show: the pages are rebuilt, so the hooks (the search index) hear of it,
# with the same bytes. tests/tags/test_gardening.py proves what they do to tags and filters.
REFILES: dict[str, Callable[[World], object]] = {
    "do_make_canonical": lambda w: do_make_canonical(_tag("Slow Burn")),
    "do_make_synonym": lambda w: do_make_synonym(_tag("Slow Burn"), "Slow-Burn Romance"),
    "do_set_parent": lambda w: do_set_parent(_tag("Slow Burn"), "Original Work"),
    "do_rename": lambda w: do_rename(_tag("Slow Burn"), "Slow Burn Romance"),
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
    # Only story and part pages are cached (a test below holds it): what shows elsewhere, on
    # a page built for each request, shows at once.
    "do_follow": "follower counts show on the profile, built for each request",
    "do_unfollow": "follower counts show on the profile, built for each request",
    "do_subscribe": "a reader's own subscription shows in their per-reader controls only",
    "do_unsubscribe": "a reader's own subscription shows in their per-reader controls only",
    "do_mark_read": "a reader's own notifications",
    "do_fan_out_new_parts": "readers' own notifications; publishing the part changed its pages",
    "do_fan_out_announcement": "readers' own notifications; posting the note changed the page",
    "do_set_email_choice": "a member's own email settings",
    "do_save_position": "a reader's own position, history and shelf",
    "do_shelve": "a reader's own shelves",
    "do_unshelve": "a reader's own shelves",
    "do_set_history_paused": "a reader's own history",
    "do_clear_history": "a reader's own history",
    "do_create_list": "reading lists show on their own pages and the profile, built per request",
    "do_create_list_with": "reading lists show on their own pages and the profile",
    "do_update_list": "reading lists show on their own pages and the profile",
    "do_delete_list": "reading lists show on their own pages and the profile",
    "do_add_to_list": "reading lists show on their own pages and the profile",
    "do_move_entry": "reading lists show on their own pages and the profile",
    "do_set_entry_note": "reading lists show on their own pages and the profile",
    "do_remove_entry": "reading lists show on their own pages and the profile",
    "do_bookmark": "bookmarks show on the reader's bookmarks page and profile, built per request",
    "do_delete_bookmark": "bookmarks show on the reader's bookmarks page and profile",
    "do_hide_tag": "a reader's filter profile folds works on their own listings only",
    "do_hide_writer": "a reader's filter profile folds works on their own listings only",
    "do_hide_story": "a reader's filter profile folds works on their own listings only",
    "do_remove_rule": "a reader's filter profile folds works on their own listings only",
    "do_set_max_relationships": "a reader's filter profile folds works on their own listings only",
    # Downloads (formats/): files no page shows; the counts show on the writer's own story
    # page, built for each request.
    "do_prepare_download": "makes or finds a download file; no page shows it",
    "do_watch_build": "asks the worker for a download file; no page shows it",
    "do_build_file": "a download file; no page shows it",
    "do_refresh_story_files": "download files; no page shows them",
    "do_drop_files": "download files; no page shows them",
    "do_count_download": "download counts show on the writer's own story page only",
    # Imports (imports/): a preview only its writer sees; confirming makes drafts through
    # stories.actions (do_create_story, do_create_part), which report them.
    "do_start_import": "an import preview only its writer sees",
    "do_read_import": "an import preview only its writer sees",
    "do_confirm_import": "drafts, made and reported by stories.actions",
    "do_save_import": "drafts, made and reported by stories.actions",
    "do_cancel_import": "an import preview only its writer sees",
    "do_prune_imports": "old import previews, seen by nobody",
}


# The change path itself, and the words by which a function reports a change through it.
CHANGE_PATH = "stories.changes"
REPORTS_A_CHANGE = re.compile(r"\b(story_changed|stories_changed|account_changed)\(")


def _our_modules() -> Iterator[ModuleType]:
    """Every module of every installed app of ours that writes: it defines a `do_*` action or
    reports a change. Found, not listed, so a new app's actions cannot escape the walk."""
    for app in apps.get_app_configs():
        folder = Path(app.path)
        if folder.parent != ROOT:
            continue  # Django's own apps and third-party ones
        for path in sorted(folder.rglob("*.py")):
            relative = path.relative_to(ROOT).with_suffix("")
            if "migrations" in relative.parts or ".".join(relative.parts) == CHANGE_PATH:
                continue
            source = path.read_text()
            if re.search(r"^(async )?def do_", source, re.M) or REPORTS_A_CHANGE.search(source):
                name = ".".join(relative.parts).removesuffix(".__init__")
                yield importlib.import_module(name)


def _writes(module: ModuleType) -> set[str]:
    """A module's actions: its public `do_*` functions, and any other public function that
    reports a change (a job, a recount, a ranking run), itself or through a private helper of
    the same module (`flush_pending_reads` through `_apply_reads`)."""
    sources = {
        name: inspect.getsource(member)
        for name, member in inspect.getmembers(module, inspect.isfunction)
        if member.__module__ == module.__name__
    }
    reporting = {name for name, source in sources.items() if REPORTS_A_CHANGE.search(source)}
    while more := {
        name
        for name, source in sources.items()
        if name not in reporting and any(re.search(rf"\b{r}\(", source) for r in reporting)
    }:
        reporting |= more
    return {
        name
        for name in sources
        if not name.startswith("_") and (name.startswith("do_") or name in reporting)
    }


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
    found = {f"{module.__name__}.{name}" for module in _our_modules() for name in _writes(module)}
    # The walk cannot pass by missing its modules: these must be among those found.
    for known in ("stories.actions", "tags.actions", "notifications.actions", "social.counters"):
        assert any(name.startswith(f"{known}.") for name in found), known
    actions = {name.rsplit(".", 1)[1] for name in found}
    assert len(actions) == len(found), "two modules define an action of the same name"
    walked = {name.split(" ")[0] for name in [*PAGE_CHANGES, *REFILES]}
    assert actions == walked | set(NO_PAGE_CHANGES)


def test_only_story_and_part_pages_are_cached() -> None:
    """What NO_PAGE_CHANGES leans on: no other page is kept, so none can go stale."""
    kept_by = {
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/**/*.py")
        if not {".venv", "tests", "node_modules"} & set(path.relative_to(ROOT).parts)
        and re.search(r"\bpagecache\.(store_page|cached_page)\(|\bcached_page\(", path.read_text())
    }
    assert kept_by <= {"stories/views.py", "stories/middleware.py"}


# What must be true before an action can change anything.
SETUP: dict[str, Callable[[World], object]] = {
    "do_make_synonym": lambda w: do_make_canonical(
        get_or_create_tags(TagKind.ADDITIONAL, ["Slow-Burn Romance"])[0]
    ),
    "find_drift (fixing)": lambda w: _counters_drift(w.first),
    "compute_rankings": lambda w: _more_works_like(w, engaged=True),
    "compute_similar": lambda w: _more_works_like(w, engaged=False),
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


@pytest.mark.parametrize("action", REFILES, ids=str)
def test_every_action_that_refiles_a_story_rebuilds_its_pages_and_tells_the_hooks(
    world: World,
    action: str,
    recorded_hooks: list[tuple[object, ...]],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    SETUP.get(action, lambda w: None)(world)
    _prime(world)
    with django_capture_on_commit_callbacks(execute=True):
        REFILES[action](world)
    for url in (world.story.get_absolute_url(), world.first.get_absolute_url()):
        assert Client().get(url).get("X-Talehouse-Cache") != "hit", f"{action} left {url} cached"
    assert (world.story.pk, StoryChange.DETAILS) in recorded_hooks


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
