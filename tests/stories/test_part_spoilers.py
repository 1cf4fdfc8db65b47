"""A part's own warnings and spoiler tags: set by its writer, hidden from readers behind a
click, never on the story's tags or in listings."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from stories.models import Part

FORM = {"title": "The Turn", "body": "<p>Then it happened.</p>"}


def test_a_part_carries_its_own_warnings_and_spoiler_tags_behind_a_click(
    author_client: Client, client: Client, part: Part
) -> None:
    url = reverse("stories:part_edit", args=[part.pk])
    data = FORM | {"part_warnings": ["death"], "spoiler_tags": "Ash Dies, Twist Ending, Ash Dies"}
    assert author_client.post(url, data).status_code == 302
    part.refresh_from_db()
    assert part.part_warnings == ["death"]
    assert part.spoiler_tags == ["Ash Dies", "Twist Ending"]  # said twice, kept once
    page = client.get(part.get_absolute_url()).content.decode()
    fold = page.index('<details class="part-spoilers">')
    assert fold < page.index("Major Character Death") < page.index("Twist Ending")
    assert page.index("Twist Ending") < page.index("Then it happened.")
    story_page = client.get(part.story.get_absolute_url()).content.decode()
    assert (
        "Twist Ending" not in story_page
        and "Twist Ending" not in client.get("/works/").content.decode()
    )
    form = author_client.get(url).content.decode()
    assert re.search(r'value="death"[^>]*checked', form)
    assert 'value="Ash Dies, Twist Ending"' in form

    # Cleared again by the writer.
    assert author_client.post(url, FORM).status_code == 302
    part.refresh_from_db()
    assert (part.part_warnings, part.spoiler_tags) == ([], [])
    assert "part-spoilers" not in client.get(part.get_absolute_url()).content.decode()


def test_bad_spoiler_input_is_refused_and_nothing_is_saved(
    author_client: Client, part: Part
) -> None:
    url = reverse("stories:part_edit", args=[part.pk])
    cases: list[tuple[dict[str, object], str]] = [
        ({"spoiler_tags": ", ".join(f"t{n}" for n in range(21))}, "At most 20 spoiler tags."),
        ({"spoiler_tags": "x" * 101}, "at most 100 characters"),
        ({"part_warnings": ["none"]}, "Select a valid choice."),
    ]
    for data, message in cases:
        response = author_client.post(url, FORM | data)
        assert response.status_code == 400
        assert message in response.content.decode()
    part.refresh_from_db()
    assert part.title != "The Turn" and part.spoiler_tags == []
