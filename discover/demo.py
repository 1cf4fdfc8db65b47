"""A library for the demo to discover in: generated works across six made-up fandoms, with
the tags, synonyms, ratings, warnings and reading habits that make filters, rankings and
"more like this" meaningful. The hand-written stories (stories/demo_content) are the ones to
read closely; these are short, assembled from sentences written for this file, and say so in
their notes.

Everything goes through the real actions (create, publish, count reads), so every number on
their pages is exact, and a seeded random generator makes the same library every time."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from social.actions.votes import do_set_vote
from social.jobs import flush_pending_reads
from social.models import PendingRead
from stories.actions import (
    StoryData,
    check_cover,
    do_create_part,
    do_create_story,
    do_publish_part,
)
from stories.demo_covers import make_cover
from stories.models import Part, Story
from tags.models import TagKind


@dataclass(frozen=True)
class Fandom:
    name: str
    places: tuple[str, ...]
    characters: tuple[str, ...]
    pairings: tuple[tuple[str, str], ...]
    flavour: tuple[str, ...]  # additional tags that belong to its works


FANDOMS = [
    Fandom(
        "The Lantern Guild",
        ("the guildhall", "Wick Street", "the oil cellars", "the harbour wall"),
        ("Corra Vane", "Tobin Marsh", "Ilse Rook", "Dace Harrow", "Wren Abernathy"),
        (("Corra Vane", "Tobin Marsh"), ("Ilse Rook", "Dace Harrow")),
        ("Night Watch", "Guild Politics", "Lamplighting"),
    ),
    Fandom(
        "Hollow Crown Chronicles",
        ("the throne room", "the Ashen Road", "the winter palace", "the border fort"),
        ("Queen Maud", "Sir Aldric Penn", "Elowen Thorn", "Cassius Vey", "Brother Hale"),
        (("Elowen Thorn", "Cassius Vey"), ("Queen Maud", "Sir Aldric Penn")),
        ("Court Intrigue", "Swords", "Political Marriage"),
    ),
    Fandom(
        "Orbital Nine",
        ("the hydroponics deck", "the docking ring", "the observation blister", "Airlock C"),
        ("Captain Yara Osei", "Mikko Brandt", "Dr Sunniva Holm", "Pilot Ren Ashby", "Unit Seven"),
        (("Yara Osei", "Sunniva Holm"), ("Mikko Brandt", "Ren Ashby")),
        ("Space Station", "Hard Science Fiction", "Isolation"),
    ),
    Fandom(
        "Tidewater Saga",
        ("the salt flats", "the ferry landing", "the drowned chapel", "Gull Point"),
        ("Nell Tarrant", "Arlo Quist", "Granny Bess", "Perrin Lowe", "Marisol Dune"),
        (("Nell Tarrant", "Arlo Quist"), ("Perrin Lowe", "Marisol Dune")),
        ("Coastal Town", "Family Secrets", "Storms"),
    ),
    Fandom(
        "The Clockwork Court",
        ("the gear gallery", "the ballroom", "the clock tower", "the tinkers' market"),
        ("Lady Ottilie Brass", "Fennick Spool", "Automaton Vesper", "Lord Cadmus Grey"),
        (("Ottilie Brass", "Fennick Spool"), ("Automaton Vesper", "Cadmus Grey")),
        ("Steampunk", "Masquerade", "Clockwork"),
    ),
    Fandom(
        "Starfall Academy",
        ("the east dormitory", "the star chart room", "the training yard", "the library tower"),
        ("Juno Perrault", "Kit Ambrose", "Professor Lind", "Sable Okafor", "Teddy Rusk"),
        (("Juno Perrault", "Kit Ambrose"), ("Sable Okafor", "Teddy Rusk")),
        ("Magic School", "Exams", "Rivals"),
    ),
]
# Tags every fandom's works draw on, with the spellings writers use for the same idea: the
# gardener (tags/demo.py) makes them synonyms, so filtering by one finds them all.
SHARED_TAGS = [
    "Slow Burn",
    "Slowburn",
    "Found Family",
    "Chosen Family",
    "Enemies to Lovers",
    "Enemies Turned Lovers",
    "Hurt/Comfort",
    "Hurt and Comfort",
    "Fluff",
    "Angst",
    "Angst with a Happy Ending",
    "Humour",
    "Humor",
    "Friendship",
    "Grief",
    "Letters",
    "Alternate Universe - Coffee Shop",
    "Coffee Shop AU",
    "Road Trip",
    "Mystery",
]
RATINGS = ["general", "general", "teen", "teen", "teen", "mature", "explicit", "not_rated"]
WARNING_SETS = [["none"]] * 6 + [["chose_not"], ["violence"], ["death"], ["violence", "death"]]
WRITERS = [
    ("pennywhistle", "Penny Whistle"),
    ("northlight", "Northlight"),
    ("salt_and_ink", "Salt and Ink"),
    ("quillfeather", "Quill Feather"),
    ("moth_lantern", "Moth Lantern"),
    ("tidewriter", "Tidewriter"),
    ("gearheart", "Gearheart"),
    ("stargazer_j", "Stargazer J"),
]

ADJECTIVES = "Quiet Last Borrowed Silver Broken Second Burning Hidden Lantern-Lit Drowned".split()
NOUNS = "Harbour Letter Promise Crown Signal Winter Key Orbit Bell Map Tide Clock".split()
TITLE_PATTERNS = [
    "The {adj} {noun}",
    "{noun} of {place}",
    "What the {noun} Knew",
    "Seven Nights at {place}",
    "{a}, Again",
    "A {noun} for {a}",
    "After the {noun}",
    "The {noun} and the {noun2}",
]
SUMMARIES = [
    "{a} has one season to set things right at {place}, and {b} is not making it easy.",
    "Nobody at {place} remembers the {noun_l}. {a} does, and that is the whole trouble.",
    "One {noun_l}, one bad idea and {b}: {a} has had worse weeks, but not many.",
    "{a} and {b} agree on nothing, except that something is wrong at {place}.",
    "Five small moments between {a} and {b}, each one a little braver than the last.",
    "When the {noun_l} goes missing from {place}, {a} is the only one who believes {b}.",
]
NARRATION = [
    "{a} had not meant to stay so long at {place}, but the weather had other plans.",
    "By the time the bells rang the hour, {a} had made up their mind.",
    "{b} was waiting by the door with two cups of something hot and a look {a} could not read.",
    "Nobody at {place} talked about the {noun_l} any more, which was why {a} went looking.",
    "The letter came on a Tuesday, creased and water-stained, in a hand {a} knew at once.",
    "{a} counted the steps down: forty-one, the same as always. It felt like more.",
    "Someone had circled {place} on the old map in red ink, and pressed hard.",
    "{b} laughed, and for a moment the whole room seemed warmer.",
    "It rained for three days. On the fourth, {a} and {b} stopped pretending.",
    "{a} had a rule about borrowed things, and {b} had broken it twice before breakfast.",
    "The {noun_l} sat on the table between them like a question neither wanted to ask.",
    "Outside, {place} went on with its evening as if nothing had happened.",
    "{a} wrote three replies and burned two of them.",
    "There are silences that rest and silences that wait. This one waited.",
    "When the lamps went out, {b} was still there, which surprised them both.",
    "{a} knew the way by heart, and took the long way anyway.",
]
LINES = [
    "You're late.",
    "I brought the {noun_l}. Don't ask where I found it.",
    "We could leave. Tonight. Nobody would notice until morning.",
    "That isn't a plan. That's a wish with boots on.",
    "Tell me I'm wrong, then.",
    "I kept the letter. I don't know why I kept the letter.",
    "Is it always this cold at {place}?",
    "Only in the months with an R in them.",
    "You don't have to do this alone.",
    "I know. That's what frightens me.",
    "Sit down before you fall down.",
    "If this goes badly, I want it on record that it was your idea.",
    "It was entirely my idea. I'm proud of it.",
    "Say that again, slower.",
    "Come on. The tide won't wait and neither will I.",
    "Thank you. For staying.",
]
SAID = ["said", "asked", "said quietly", "said at last", "muttered", "called"]


TITLES = {"Captain", "Dr", "Pilot", "Lady", "Lord", "Queen", "Sir", "Brother", "Professor"}
TITLES |= {"Granny", "Unit", "Automaton"}


def _short(name: str) -> str:
    """What the prose calls a character: "Captain Yara Osei" is Yara, "Queen Maud" Maud."""
    words = [word for word in name.split() if word not in TITLES]
    return words[0] if words else name


class _Writer:
    """Fills the sentence banks for one story's cast."""

    def __init__(self, rng: random.Random, fandom: Fandom, a: str, b: str) -> None:
        self.rng, self.fandom = rng, fandom
        self.names = {"a": _short(a), "b": _short(b)}

    def fill(self, template: str) -> str:
        return template.format(
            place=self.rng.choice(self.fandom.places),
            noun_l=self.rng.choice(NOUNS).lower(),
            **self.names,
        )

    def part_html(self, paragraphs: int) -> str:
        out = []
        for _ in range(paragraphs):
            if self.rng.random() < 0.45:
                out.append(self.fill(self.rng.choice(NARRATION)))
            else:
                speaker = self.rng.choice(["a", "b"])
                line = self.fill(self.rng.choice(LINES))
                out.append(f"“{line}” {self.names[speaker]} {self.rng.choice(SAID)}.")
        return "".join(f"<p>{escape(text)}</p>" for text in out)


def _title(rng: random.Random, fandom: Fandom, a: str) -> str:
    nouns = rng.sample(NOUNS, 2)
    return rng.choice(TITLE_PATTERNS).format(
        adj=rng.choice(ADJECTIVES),
        noun=nouns[0],
        noun2=nouns[1],
        place=rng.choice(fandom.places).removeprefix("the ").title(),
        a=_short(a),
    )


def add_discover_library(
    make_user: Callable[[str, str], User], readers: list[User], rng: random.Random, works: int = 72
) -> list[Story]:
    """Create `works` generated stories by the demo's generated writers, with reads from
    visitors who each favour a fandom or two (so "readers also read" has something to say)
    and votes from the demo's readers."""
    writers = [make_user(username, display) for username, display in WRITERS]
    now = timezone.now()
    stories: list[Story] = []
    parts_of: dict[int, list[Part]] = {}
    # Fandoms are Zipf-shaped, as on any archive: the first holds the most works.
    fandom_weights = [1 / (rank + 1) for rank in range(len(FANDOMS))]
    titles: set[str] = set()
    for index in range(works):
        fandom = rng.choices(FANDOMS, fandom_weights)[0]
        a, b = rng.choice(fandom.pairings)
        title = _title(rng, fandom, a)
        while title in titles:
            title = _title(rng, fandom, a)
        titles.add(title)
        writer = _Writer(rng, fandom, a, b)
        others = [c for c in fandom.characters if _short(c) not in {_short(a), _short(b)}]
        behind = rng.choice(fandom.pairings)
        background = [f"{behind[0]}/{behind[1]}"] if behind != (a, b) and rng.random() < 0.4 else []
        author = rng.choice(writers)
        # About a third of the works have a cover, as on any archive; the rest show a letter.
        cover = None
        if rng.random() < 0.33:
            cover = check_cover(make_cover(title, author.display_name))
        story = do_create_story(
            author,
            StoryData(
                title=title,
                summary=writer.fill(rng.choice(SUMMARIES)),
                rating=rng.choice(RATINGS),
                warnings=rng.choice(WARNING_SETS),
                language="en",
                status=rng.choice(["in_progress", "complete", "complete", "hiatus"]),
                tags={
                    TagKind.FANDOM: [fandom.name],
                    TagKind.RELATIONSHIP: [f"{a}/{b}"],
                    TagKind.CHARACTER: [a, b, *rng.sample(others, rng.randint(0, 2))],
                    TagKind.ADDITIONAL: [
                        *rng.sample(fandom.flavour, rng.randint(1, 2)),
                        *rng.sample(SHARED_TAGS, rng.randint(1, 4)),
                    ],
                },
                background_relationships=background,
            ),
            cover=cover,
        )
        # Spread over a year, a few a week; the newest under a week old.
        start = now - timedelta(days=365 * (works - index) / works, hours=rng.randint(0, 20))
        parts_of[story.pk] = []
        for number in range(rng.choice([1, 1, 2, 2, 3, 4])):
            part = do_create_part(
                story,
                f"Part {number + 1}",
                writer.part_html(rng.randint(8, 18)),
                notes_after=("Generated for the Talehouse demo library." if number == 0 else ""),
            )
            published_at = min(start + timedelta(days=number * 5), now - timedelta(minutes=5))
            do_publish_part(part, at=published_at)
            parts_of[story.pk].append(part)
        stories.append(story)
    _add_visitor_reads(stories, parts_of, rng)
    for reader in readers:
        for story in rng.sample(stories, k=min(len(stories), rng.randint(3, 12))):
            do_set_vote(reader, parts_of[story.pk][0], True)
    return stories


def _add_visitor_reads(
    stories: list[Story], parts_of: dict[int, list[Part]], rng: random.Random, visitors: int = 400
) -> None:
    """Anonymous visitors, each keen on one or two fandoms: they read a few works, mostly
    there, and fewer of them read on into later parts. Counted by the real batch counter."""
    by_fandom: dict[str, list[Story]] = {}
    fandom_of = dict(
        Story.objects.unchecked("demo: the fandom of each generated work")
        .filter(pk__in=[story.pk for story in stories], story_tags__tag__kind=TagKind.FANDOM)
        .values_list("pk", "story_tags__tag__name")
    )
    for story in stories:
        by_fandom.setdefault(fandom_of.get(story.pk, ""), []).append(story)
    fandoms = sorted(by_fandom)
    rows: list[PendingRead] = []
    created = timezone.now()
    for visitor in range(visitors):
        favourites = rng.sample(fandoms, k=min(len(fandoms), rng.choice([1, 1, 2])))
        for _ in range(rng.randint(2, 7)):
            shelf = by_fandom[rng.choice(favourites)] if rng.random() < 0.85 else stories
            story = rng.choice(shelf)
            for depth, part in enumerate(parts_of[story.pk]):
                if depth and rng.random() < 0.35:
                    break
                key = f"v:shelf{visitor:04d}"
                rows.append(PendingRead(part_id=part.pk, reader_key=key, created_at=created))
    PendingRead.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    flush_pending_reads()
