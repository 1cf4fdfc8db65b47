from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from social.actions.comments import do_add_comment, do_delete_comment
from social.actions.reads import do_queue_read
from social.actions.votes import do_set_vote
from social.jobs import flush_pending_reads
from stories.models import Part, Story
from stories.paragraphs import paragraphs
from tests.factories import make_part


def recount(*args: str) -> str:
    out = StringIO()
    call_command("recount_counters", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def busy_part(reader: User, stranger: User, story: Story, part: Part) -> Part:
    """A part with reads, votes and comments (one of them deleted), made through the actions."""
    do_queue_read(part.pk, "v:visitor-aaaaaaaaaaaa", None)
    do_queue_read(part.pk, f"u:{reader.pk}", reader.pk)
    flush_pending_reads()
    do_set_vote(reader, part, True)
    do_set_vote(stranger, part, True)
    do_set_vote(stranger, part, False)
    first = do_add_comment(reader, part, "First")
    do_add_comment(stranger, part, "Reply", parent=first)
    do_delete_comment(do_add_comment(stranger, part, "Oops"))
    make_part(story, "Untouched")
    part.refresh_from_db()
    assert (part.reads_count, part.votes_count, part.comments_count) == (2, 1, 2)
    return part


def test_consistent_counters_report_no_drift(busy_part: Part) -> None:
    output = recount()
    assert "0 drifted counter(s) found." in output
    assert "stored" not in output


def test_queued_reads_are_applied_before_comparing(reader: User, part: Part) -> None:
    do_queue_read(part.pk, "v:visitor-bbbbbbbbbbbb", None)
    assert "0 drifted counter(s) found." in recount("--check")
    part.refresh_from_db()
    assert part.reads_count == 1


def test_a_corrupted_part_counter_is_reported(busy_part: Part) -> None:
    Part.objects.filter(pk=busy_part.pk).update(votes_count=7)
    output = recount()
    assert f"part {busy_part.pk} votes_count: stored 7, actual 1" in output
    assert "1 drifted counter(s) found." in output
    busy_part.refresh_from_db()
    assert busy_part.votes_count == 7  # reporting alone changes nothing


def test_corrupted_story_counters_are_reported_against_the_sum_of_parts(busy_part: Part) -> None:
    Story.objects.filter(pk=busy_part.story_id).update(reads_count=0, comments_count=99)
    output = recount()
    assert f"story {busy_part.story_id} reads_count: stored 0, actual 2" in output
    assert f"story {busy_part.story_id} comments_count: stored 99, actual 2" in output
    assert "2 drifted counter(s) found." in output


def test_fix_corrects_every_drifted_counter(busy_part: Part) -> None:
    Part.objects.filter(pk=busy_part.pk).update(reads_count=0, votes_count=5, comments_count=3)
    Story.objects.filter(pk=busy_part.story_id).update(votes_count=40)
    output = recount("--fix")
    assert "4 drifted counter(s) fixed." in output
    busy_part.refresh_from_db()
    story = Story.objects.get(pk=busy_part.story_id)
    assert (busy_part.reads_count, busy_part.votes_count, busy_part.comments_count) == (2, 1, 2)
    assert (story.reads_count, story.votes_count, story.comments_count) == (2, 1, 2)
    assert "0 drifted counter(s) found." in recount("--check")


def test_check_exits_1_when_a_counter_drifted(busy_part: Part) -> None:
    Part.objects.filter(pk=busy_part.pk).update(comments_count=0)
    with pytest.raises(SystemExit) as exit_info:
        recount("--check")
    assert exit_info.value.code == 1


def test_check_passes_quietly_on_consistent_counters(busy_part: Part) -> None:
    assert "0 drifted counter(s) found." in recount("--check")


def test_check_with_fix_repairs_and_succeeds(busy_part: Part) -> None:
    Part.objects.filter(pk=busy_part.pk).update(comments_count=0)
    assert "drifted counter(s) fixed." in recount("--check", "--fix")
    assert "0 drifted counter(s) found." in recount("--check")


# --- paragraph counts (inline comments) ---------------------------------------------------


@pytest.fixture
def paragraph_part(reader: User, stranger: User, story: Story) -> Part:
    """A part whose first paragraph has two live comments (a thread) and one deleted."""
    part = make_part(story, "Lines", "<p>First line.</p><p>Second line.</p>")
    first = paragraphs(part.body_html)[0][0]
    root = do_add_comment(reader, part, "Root", paragraph_id=first)
    do_add_comment(stranger, part, "Reply", parent=root)
    do_delete_comment(do_add_comment(stranger, part, "Oops", paragraph_id=first))
    part.refresh_from_db()
    assert part.paragraph_comments == {first: 2}
    return part


def test_consistent_paragraph_counts_report_no_drift(paragraph_part: Part) -> None:
    assert "0 drifted counter(s) found." in recount("--check")


def test_a_drifted_paragraph_count_is_reported_checked_and_fixed(paragraph_part: Part) -> None:
    first, second = (pid for pid, _ in paragraphs(paragraph_part.body_html))
    Part.objects.filter(pk=paragraph_part.pk).update(paragraph_comments={first: 5, second: 1})
    output = recount()
    assert f"part {paragraph_part.pk} paragraph_comments[{first}]: stored 5, actual 2" in output
    assert f"part {paragraph_part.pk} paragraph_comments[{second}]: stored 1, actual 0" in output
    assert "2 drifted counter(s) found." in output
    with pytest.raises(SystemExit):
        recount("--check")

    story = Story.objects.get(pk=paragraph_part.story_id)
    assert "2 drifted counter(s) fixed." in recount("--fix")
    paragraph_part.refresh_from_db()
    assert paragraph_part.paragraph_comments == {first: 2}
    # The fix changes what the page shows: its cached copies are rebuilt.
    assert Story.objects.get(pk=story.pk).content_version > story.content_version
    assert "0 drifted counter(s) found." in recount("--check")
