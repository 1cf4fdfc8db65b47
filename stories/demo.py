"""Load Talehouse's demo content: original stories written for this project.

The stories live in `stories/demo_content/*.md` (front matter + parts). Reads, votes and
comments are generated through the same actions the site uses, so every counter is exact.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from markdown_it import MarkdownIt

from accounts.models import Profile, User
from social.actions.comments import do_add_comment
from social.actions.votes import do_set_vote
from social.jobs import flush_pending_reads
from social.models import Comment, PendingRead
from stories.actions import (
    PartSpoilers,
    StoryData,
    check_cover,
    do_create_part,
    do_create_story,
    do_publish_part,
)
from stories.demo_covers import make_cover
from stories.models import Audience, Part, Story
from tags.models import TagKind

CONTENT_DIR = Path(__file__).parent / "demo_content"
DEMO_PASSWORD = "talehouse-demo"  # noqa: S105 - printed for the demo, never used elsewhere
WRITER_NAMES = {"maren": "Maren Holt", "oskar": "Oskar Lind", "ife": "Ifeoma Adeyemi"}
_markdown = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
    ["replacements", "smartquotes"]
)


@dataclass
class DemoPart:
    title: str
    body_markdown: str
    notes_before: str = ""
    notes_after: str = ""
    draft: bool = False
    spoilers: list[str] = field(default_factory=list)  # the part's own spoiler tags


@dataclass
class DemoStory:
    meta: dict[str, Any]
    parts: list[DemoPart] = field(default_factory=list)


def _parse_front_matter(text: str) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or ":" not in line:
            continue
        key, _sep, value = line.partition(":")
        value = re.sub(r"\s+#.*$", "", value).strip()
        if value == "|":
            block = []
            while i < len(lines) and (lines[i].startswith(" ") or not lines[i].strip()):
                block.append(lines[i].strip())
                i += 1
            meta[key.strip()] = "\n".join(block).strip()
        elif value.startswith("[") and value.endswith("]"):
            meta[key.strip()] = [v.strip() for v in value[1:-1].split(",") if v.strip()]
        else:
            meta[key.strip()] = value
    return meta


def parse_story_file(path: Path) -> DemoStory:
    text = path.read_text(encoding="utf-8")
    _before, front, body = text.split("---", 2)
    story = DemoStory(meta=_parse_front_matter(front))
    for chunk in re.split(r"^# Part: ", body, flags=re.MULTILINE)[1:]:
        title, _nl, rest = chunk.partition("\n")
        part = DemoPart(title=title.strip(), body_markdown="")
        kept = []
        for line in rest.splitlines():
            marker = re.match(
                r"^<!--\s*(notes_before|notes_after|draft|spoilers)\s*:?\s*(.*?)\s*-->$", line
            )
            if marker:
                name, value = marker.groups()
                if name == "draft":
                    part.draft = True
                elif name == "spoilers":
                    part.spoilers = [tag.strip() for tag in value.split(",") if tag.strip()]
                else:
                    setattr(part, name, value)
            else:
                kept.append(line)
        part.body_markdown = "\n".join(kept).strip()
        story.parts.append(part)
    return story


def load_stories() -> list[DemoStory]:
    return [parse_story_file(p) for p in sorted(CONTENT_DIR.glob("*.md"))]


def _lines(name: str) -> list[str]:
    path = CONTENT_DIR / name
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def _make_user(username: str, display_name: str) -> User:
    user = User.objects.create_user(username, f"{username}@demo.talehouse.invalid", DEMO_PASSWORD)
    Profile.objects.filter(user=user).update(display_name=display_name)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def demo_reader_names() -> list[str]:
    return _lines("readers.txt")


def demo_is_loaded() -> bool:
    return User.objects.filter(username__in=WRITER_NAMES).exists()


def story_data(meta: dict[str, Any]) -> StoryData:
    """A demo story's details, from its front matter (stories/demo_content)."""
    return StoryData(
        title=meta["title"],
        summary=meta.get("summary", ""),
        rating=meta.get("rating", "not_rated"),
        warnings=meta.get("warnings", ["none"]),
        language=meta.get("language", "en"),
        status=meta.get("status", "in_progress"),
        tags={
            TagKind.FANDOM: meta.get("fandoms", []),
            TagKind.RELATIONSHIP: meta.get("relationships", []),
            TagKind.CHARACTER: meta.get("characters", []),
            TagKind.ADDITIONAL: meta.get("additional", []),
        },
        background_relationships=meta.get("background_relationships", []),
    )


@transaction.atomic
def load_demo(seed: int = 2026) -> dict[str, list[str]]:
    """Create the demo writers, readers, stories, reads, votes and comments (once)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    writers = {name: _make_user(name, display) for name, display in WRITER_NAMES.items()}
    readers = [_make_user(name, name.capitalize()) for name in demo_reader_names()]
    comments = _lines("comments.txt")
    replies = _lines("replies.txt")
    now = timezone.now()
    stories = load_stories()
    published: list[tuple[Story, Part]] = []
    for index, demo in enumerate(stories):
        meta = demo.meta
        story = do_create_story(
            writers[meta["author"]],
            story_data(meta),
            cover=check_cover(make_cover(meta["title"], WRITER_NAMES[meta["author"]])),
        )
        # Spread over four months, the latest story first published under a month ago: the
        # Discover page's "fresh and under-read" shelf has something to show.
        start = now - timedelta(days=120 - index * 19)
        for number, demo_part in enumerate(demo.parts):
            part = do_create_part(
                story,
                demo_part.title,
                _markdown.render(demo_part.body_markdown),
                demo_part.notes_before,
                demo_part.notes_after,
                spoilers=PartSpoilers([], demo_part.spoilers) if demo_part.spoilers else None,
            )
            if not demo_part.draft:
                do_publish_part(
                    part, at=start + timedelta(days=number * 3, hours=rng.randint(0, 9))
                )
                published.append((story, part))

    _add_reads(published, rng)
    for story, part in published:
        voters = rng.sample(readers, k=rng.randint(0, len(readers)))
        for reader in voters:
            do_set_vote(reader, part, True)
        _add_comments(story, part, readers, comments, replies, rng)
    # A library of generated works to filter, rank and recommend among.
    from discover.demo import add_discover_library

    add_discover_library(_make_user, readers, rng)
    # Follows, subscriptions, inline comments, a scheduled part (the features built on stories).
    from notifications.demo import add_readers_coming_back

    add_readers_coming_back(writers, readers, rng)
    from library.demo import add_libraries, add_lists_and_bookmarks

    add_libraries(readers, rng)
    add_lists_and_bookmarks(readers, rng)
    from tags.demo import add_tag_gardening

    gardener = add_tag_gardening(_make_user)
    # Searchable at once, before the worker has run the indexing tasks queued above.
    from search.indexing import rebuild_index

    rebuild_index()
    from discover.rankings import compute_rankings

    compute_rankings()  # the hot list and ranks in tags, before the scheduler's first run
    from discover import embeddings
    from discover.similar import compute_similar

    public = list(Story.objects.visible_to_audience(Audience.MEMBER).values_list("pk", flat=True))
    if embeddings.encoder() is not None:  # the optional model: every vector before comparing
        for story_id in public:
            embeddings.embed_story(story_id)
    for story_id in public:
        compute_similar(story_id)  # "more like this", before the worker's first run
    return {
        "writers": sorted(writers),
        "readers": [r.username for r in readers],
        "gardener": [gardener.username],
    }


def _add_reads(published: list[tuple[Story, Part]], rng: random.Random) -> None:
    """Queue anonymous reads and apply them with the real batch counter."""
    rows: list[PendingRead] = []
    created = timezone.now()
    for position, (_story, part) in enumerate(published):
        # Earlier parts of a story are read more; one story gets four-digit numbers.
        base = 1500 if position < 3 else 40
        count = max(3, int(base * rng.uniform(0.4, 1.1)) - position)
        rows.extend(
            PendingRead(part_id=part.pk, reader_key=f"v:demo{part.pk}x{i:05d}", created_at=created)
            for i in range(count)
        )
    PendingRead.objects.bulk_create(rows, batch_size=2000)
    flush_pending_reads()


def _add_comments(
    story: Story,
    part: Part,
    readers: list[User],
    comments: list[str],
    replies: list[str],
    rng: random.Random,
) -> None:
    # Comments arrive in the days after the part was published, replies after what they answer.
    when = part.published_at or timezone.now()
    for _ in range(rng.randint(0, 3)):
        reader = rng.choice(readers)
        thread = [do_add_comment(reader, part, rng.choice(comments))]
        if rng.random() < 0.6:
            thread.append(do_add_comment(story.author, part, rng.choice(replies), parent=thread[0]))
            if rng.random() < 0.5:
                thread.append(do_add_comment(reader, part, rng.choice(comments), parent=thread[1]))
        for comment in thread:
            when = min(when + timedelta(minutes=rng.randint(20, 1800)), timezone.now())
            Comment.objects.filter(pk=comment.pk).update(created_at=when)
