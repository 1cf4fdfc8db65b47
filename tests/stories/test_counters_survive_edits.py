"""Editing never writes back stale counters read before a concurrent vote, comment or read."""

from __future__ import annotations

from accounts.models import User
from social.actions.comments import do_add_comment
from social.actions.votes import do_set_vote
from stories.actions import StoryData, do_save_part, do_unpublish_part, do_update_story
from stories.models import Part, Story


def test_saving_a_part_loaded_before_a_vote_keeps_the_vote(part: Part, reader: User) -> None:
    stale = Part.objects.get(pk=part.pk)
    do_set_vote(reader, part, True)
    do_add_comment(reader, part, "First!")
    do_save_part(stale, "New title", "<p>New text.</p>")
    part.refresh_from_db()
    assert (part.title, part.votes_count, part.comments_count) == ("New title", 1, 1)


def test_editing_a_story_loaded_before_a_vote_keeps_the_vote(part: Part, reader: User) -> None:
    stale = Story.objects.get(pk=part.story_id)
    do_set_vote(reader, part, True)
    do_update_story(stale, StoryData(title="Renamed", warnings=["none"]))
    story = Story.objects.get(pk=part.story_id)
    assert (story.title, story.votes_count) == ("Renamed", 1)


def test_unpublishing_a_part_loaded_before_a_vote_keeps_the_vote(part: Part, reader: User) -> None:
    stale = Part.objects.get(pk=part.pk)
    do_set_vote(reader, part, True)
    do_unpublish_part(stale)
    part.refresh_from_db()
    assert (part.status, part.votes_count) == ("draft", 1)


def test_deleting_a_part_loaded_before_a_vote_leaves_no_drift(story: Story, reader: User) -> None:
    from social.counters import find_drift
    from stories.actions import do_delete_part
    from tests.factories import make_part

    keep, doomed = make_part(story, "Keep"), make_part(story, "Doomed")
    stale = Part.objects.get(pk=doomed.pk)
    do_set_vote(reader, doomed, True)
    do_set_vote(reader, keep, True)
    do_delete_part(stale)
    assert find_drift() == []
    assert Story.objects.get(pk=story.pk).votes_count == 1


def test_deleting_an_account_leaves_no_drift(part: Part, reader: User) -> None:
    from social.actions.reads import do_queue_read
    from social.counters import find_drift
    from social.jobs import flush_pending_reads

    do_set_vote(reader, part, True)
    do_add_comment(reader, part, "Bye")
    do_queue_read(part.pk, f"u:{reader.pk}", reader.pk)
    flush_pending_reads()
    reader.delete()
    assert find_drift() == []
    part.refresh_from_db()
    assert (part.reads_count, part.votes_count, part.comments_count) == (1, 1, 1)
