"""Every paragraph of a part has a stable id: readers comment on it and resume at it."""

from __future__ import annotations

from stories.actions import do_create_part, do_save_part
from stories.models import Story
from stories.paragraphs import paragraphs

BODY = ["“Did you lock the gate?”", "“Twice.”", "Rain ticked on the roof.", "“Twice.”"]


def html(texts: list[str]) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def test_every_paragraph_gets_its_own_id_on_save(story: Story) -> None:
    part = do_create_part(story, "Gate", html(BODY))
    found = paragraphs(part.body_html)
    assert [text for _, text in found] == BODY
    assert len({pid for pid, _ in found}) == len(BODY)


def test_editing_one_paragraph_keeps_the_others_ids_and_never_reuses_its_old_one(
    story: Story,
) -> None:
    part = do_create_part(story, "Gate", html(BODY))
    before = paragraphs(part.body_html)
    do_save_part(part, "Gate", html([BODY[0], "“Three times.”", BODY[2], BODY[3]]))
    after = paragraphs(part.body_html)
    assert (after[0], after[2], after[3]) == (before[0], before[2], before[3])
    assert after[1][0] not in {pid for pid, _ in before}  # the edited paragraph is a new one


def test_moving_paragraphs_moves_their_ids_with_them(story: Story) -> None:
    part = do_create_part(story, "Gate", html(BODY[:3]))
    before = {text: pid for pid, text in paragraphs(part.body_html)}
    do_save_part(part, "Gate", html([BODY[2], BODY[0], BODY[1]]))
    assert paragraphs(part.body_html) == [
        (before[BODY[2]], BODY[2]),
        (before[BODY[0]], BODY[0]),
        (before[BODY[1]], BODY[1]),
    ]


def test_repeated_paragraphs_keep_their_ids_in_order(story: Story) -> None:
    part = do_create_part(story, "Gate", html(BODY))
    before = [pid for pid, _ in paragraphs(part.body_html)]
    do_save_part(part, "Gate", html(BODY))
    assert [pid for pid, _ in paragraphs(part.body_html)] == before


def test_a_writer_cannot_choose_a_paragraph_id(story: Story) -> None:
    part = do_create_part(story, "Gate", '<p data-pid="deadbeef">Forged.</p>')
    assert paragraphs(part.body_html)[0][0] != "deadbeef"
