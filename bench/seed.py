"""The benchmark's stories, seeded through the real actions into whatever database is set up.

- `seed_sized()`: the part page as the demo serves it — a collection of one-shots, one part of
  about 1,000 words in about 150 short dialogue paragraphs, 40 comments in threads, counters in
  the thousands (so the stats line shows "1.5K").
- `heavy()`: the worst case the query budgets are written for — 200 parts, 500 comments.

Run `python -m bench.seed` (with DJANGO_SETTINGS_MODULE set) to print both parts as JSON.
"""

from __future__ import annotations

import itertools
import json

WHO = ["Mara", "Tobin", "the ferryman", "Aunt Ise", "Wren"]
SAID = ["said", "asked", "whispered", "called", "muttered"]
LINES = [
    "Did you lock the gate?",
    "The tide will not wait for us.",
    "I counted the lanterns twice.",
    "Nobody crosses after dark.",
    "Then we go before the bell.",
    "You kept the map dry, at least.",
    "Is that smoke over the marsh?",
    "Hold the rope and do not look down.",
]
NARRATION = [
    "Rain ticked on the roof of the boathouse.",
    "She pulled her collar up against the wind.",
    "Somewhere below, a bell rang once and stopped.",
    "He laughed, and it sounded almost honest.",
]


def dialogue_paragraphs(count: int) -> list[str]:
    """Short paragraphs, mostly dialogue, about seven words each."""
    paragraphs = []
    for i in range(count):
        if i % 4 == 3:
            paragraphs.append(NARRATION[i // 4 % len(NARRATION)])
        else:
            line = LINES[i % len(LINES)]
            paragraphs.append(f"\u201c{line}\u201d {WHO[i % len(WHO)]} {SAID[i % len(SAID)]}.")
    return paragraphs


def _readers(prefix: str, count: int) -> list:
    from accounts.models import Profile, User

    readers = []
    for i in range(count):
        user = User.objects.create_user(f"{prefix}{i}", f"{prefix}{i}@example.com", "x")
        Profile.objects.filter(user=user).update(display_name=f"Reader {prefix} {i}")
        readers.append(user)
    return readers


def _other_stories(author, count: int) -> None:  # type: ignore[no-untyped-def]
    """Stories for "discover more" to show."""
    from stories.actions import StoryData, do_create_part, do_create_story, do_publish_part

    for n in range(count):
        story = do_create_story(
            author,
            StoryData(title=f"Another tale {n}", summary="Short and kind.", warnings=["none"]),
        )
        do_publish_part(do_create_part(story, "One", "<p>Once.</p>"))


def seed_sized() -> tuple[int, str]:
    from accounts.models import Profile, User
    from social.actions.comments import do_add_comment
    from social.models import Comment
    from stories.actions import StoryData, do_create_part, do_create_story, do_publish_part
    from stories.models import Part, Story

    author = User.objects.create_user("seed-author", "seed@example.com", "x")
    Profile.objects.filter(user=author).update(display_name="Seed Author")
    story = do_create_story(
        author,
        StoryData(
            title="Lanterns on the Marsh",
            summary="One-shots from a town where the tide keeps secrets.",
            rating="teen",
            warnings=["none"],
            tags={
                "fandom": ["Original Work"],
                "relationship": ["Mara/Tobin"],
                "character": ["Mara", "Tobin", "Wren"],
                "additional": ["One Shot Collection", "Found Family", "Slow Burn"],
            },
        ),
    )
    body = "".join(f"<p>{text}</p>" for text in dialogue_paragraphs(150))
    parts = [do_create_part(story, f"Tide {n}", body) for n in range(1, 13)]
    for part in parts:
        do_publish_part(part)
    target = parts[5]
    readers = _readers("seed", 12)
    cycle = itertools.cycle(readers)
    added = 0
    for thread in range(16):
        text = f"Thread {thread}: the ferryman!\nMore, please."
        parent = do_add_comment(next(cycle), target, text)
        added += 1
        for _ in range(thread % 3 if added < 40 else 0):
            parent = do_add_comment(next(cycle), target, "Agreed, and the bell too.", parent=parent)
            added += 1
    while added < 40:
        do_add_comment(next(cycle), target, "Back again for this part.")
        added += 1
    # Counters as a popular story has them; the page shows them compact ("1.5K").
    Part.objects.filter(pk=target.pk).update(reads_count=1523, votes_count=40)
    Story.objects.filter(pk=story.pk).update(reads_count=18204, votes_count=612)
    _other_stories(author, 6)
    assert Comment.objects.filter(part=target).count() == 40
    target.refresh_from_db()
    return target.pk, target.get_absolute_url()


def heavy() -> tuple[int, str]:
    from accounts.models import Profile, User
    from social.actions.comments import do_add_comment
    from social.models import Comment
    from stories.actions import StoryData, do_create_story, do_publish_part
    from stories.models import Part

    author = User.objects.create_user("bench-author", "a@example.com", "x")
    Profile.objects.filter(user=author).update(display_name="Bench Author")
    readers = _readers("reader", 20)
    story = do_create_story(
        author,
        StoryData(
            title="A Very Long Serial",
            warnings=["none"],
            tags={"fandom": ["Original Work"], "additional": ["Slow Burn", "Found Family"]},
        ),
    )
    lines = [
        f"<p>\u201cLine {i} of the argument,\u201d she said.</p><p>He did not answer.</p>"
        for i in range(150)
    ]
    body = "".join(lines)
    Part.objects.bulk_create(
        Part(story=story, position=i, title=f"Part {i}", body_html=body, word_count=1500)
        for i in range(1, 201)
    )
    for part in Part.objects.filter(story=story):
        do_publish_part(part)
    target = Part.objects.get(story=story, position=100)
    for thread in range(100):
        text = f"Thread {thread}: this part!\nSo good."
        parent = do_add_comment(readers[thread % 20], target, text)
        for depth in range(4):
            parent = do_add_comment(
                readers[(thread + depth) % 20], target, f"Reply {depth}", parent=parent
            )
    _other_stories(author, 5)
    assert Comment.objects.filter(part=target).count() == 500
    return target.pk, target.get_absolute_url()


def main() -> None:
    import django

    django.setup()
    from stories.models import Part, Story

    seed_pk, seed_url = seed_sized()
    heavy_pk, heavy_url = heavy()
    # Mixed pages for the memory check: every story page, a spread of parts, the home page.
    mixed = [story.get_absolute_url() for story in Story.objects.all()]
    mixed += [part.get_absolute_url() for part in Part.objects.select_related("story")[::7]]
    mixed += ["/"]
    print(json.dumps({"seed": [seed_pk, seed_url], "heavy": [heavy_pk, heavy_url], "mixed": mixed}))


if __name__ == "__main__":
    main()
