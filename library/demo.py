"""The demo's readers keep libraries: a position in the stories they subscribed to (which puts
them on Reading and marks the parts read), a few on other shelves with a note, two public
reading lists and some bookmarks."""

from __future__ import annotations

import random

from accounts.models import User
from library.actions import (
    check_bookmark_tags,
    do_add_to_list,
    do_bookmark,
    do_create_list,
    do_save_position,
    do_shelve,
)
from library.models import Shelf
from notifications.models import Subscription
from stories.models import Part, PartStatus, Story
from stories.paragraphs import paragraphs

NOTES = ["Saving the last parts for the weekend.", "Too sad for now.", "Reread this one."]


def add_libraries(readers: list[User], rng: random.Random) -> None:
    for reader in readers:
        subscribed = Subscription.objects.filter(reader=reader).select_related("story")
        for subscription in subscribed:
            parts = list(
                Part.objects.unchecked("the demo's own parts")
                .filter(story=subscription.story, status=PartStatus.PUBLISHED)
                .order_by("position")
            )
            read = parts[: rng.randint(1, len(parts))] if parts else []
            for part in read:
                found = paragraphs(part.body_html)
                stop = found[rng.randrange(len(found))][0] if found else "i0"
                do_save_position(reader, part, stop)
        if rng.random() < 0.5 and subscribed:
            story = rng.choice(list(subscribed)).story
            do_shelve(reader, story, rng.choice([Shelf.PAUSED, Shelf.FINISHED]), rng.choice(NOTES))


LISTS = [
    ("Rainy-day reads", "Short, kind, and best with tea."),
    ("Stories with great dialogue", "Characters who talk like people."),
]
BOOKMARK_TAGS = ["comfort read", "reread", "dialogue", "sea", "found family"]


def add_lists_and_bookmarks(readers: list[User], rng: random.Random) -> None:
    """Two readers keep public reading lists; several bookmark stories with notes and tags."""
    stories = list(
        Story.objects.unchecked("the demo's own stories").filter(published_parts_count__gt=0)
    )
    for reader, (title, description) in zip(readers[:2], LISTS, strict=False):
        reading_list = do_create_list(reader, title, description, is_public=True)
        for story in rng.sample(stories, k=min(3, len(stories))):
            do_add_to_list(reading_list, story, rng.choice(["", "Start with this one."]))
    for reader in readers[2:6]:
        story = rng.choice(stories)
        tags = check_bookmark_tags(", ".join(rng.sample(BOOKMARK_TAGS, k=2)))
        do_bookmark(reader, story, rng.choice(NOTES), tags, is_public=rng.random() < 0.7)
