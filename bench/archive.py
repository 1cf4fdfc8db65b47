"""Discover at scale: a synthetic archive of realistic shape, and the listing, search and tag
queries timed against it (issue 8). Run by hand, never in the test suite:

    python -m bench.archive --works 100000                 # SQLite, in a bench data directory
    DATABASE_URL=postgres://…/talehouse_bench python -m bench.archive --works 100000

The archive: fandoms, relationships, characters and additional tags Zipf-distributed (a few
fandoms hold most works, most tags are used once or twice), about ten tags a work, 1-100 parts
a work (counted on the story, the text indexed for search is a generated summary and opening),
long-tailed reads, votes and comments, three years of updates. It is built once per database
and size (the `--fresh` flag rebuilds it), then each query runs `--runs` times through the real
views (Django's test client, in-process, templates included), printing p50 / p95 / p99.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

COMMON = (
    "tide harbour lantern ember frost gale haze iris willow raven wren ash marsh bell rope "
    "map smoke salt road ship star keeper daughter debt signal deep small hours pudding "
    "tenant room nine light dark night morning winter summer storm quiet sea river stone "
    "glass fire iron silver gold letter promise secret war peace home road forest garden"
).split()
# A vocabulary with a realistic long tail: the common words above, then 20,000 made-up ones
# ("velmorin", "astrakeen"…) drawn Zipf-style, so a query's words match few or many works as
# real words do.
_SYLLABLES = "ka lo ve mir an tha sel dor is ru en qua bel nor fi ast ren mo li gar".split()
_rng = random.Random(3)
WORDS = COMMON + [
    "".join(_rng.choice(_SYLLABLES) for _ in range(_rng.randint(2, 4))) + str(n % 7 or "")
    for n in range(20_000)
]


def zipf_index(rng: random.Random, size: int, s: float = 1.1) -> int:
    """An index in [0, size) drawn with Zipf-like weights (index 0 the most common)."""
    # Inverse transform on a continuous approximation: fast and good enough for shape.
    u = rng.random()
    if s == 1.0:
        return min(size - 1, int(size**u) - 1)
    a = 1 - s
    x = ((size**a - 1) * u + 1) ** (1 / a)
    return min(size - 1, max(0, int(x) - 1))


def words(rng: random.Random, count: int) -> str:
    return " ".join(WORDS[zipf_index(rng, len(WORDS), 1.05)] for _ in range(count))


# After the bulk load, and before timing: statistics, and on PostgreSQL a vacuum, as autovacuum
# would give a live archive. Without it no page is marked all-visible, so no index-only scan
# skips the table, and setting the search vectors left a dead copy of every search document
# (1,011,313 dead rows at a million works, on a server with autovacuum off).
def freshen(connection: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def build(works: int, seed: int = 8) -> None:
    """Fill the empty database with the archive, in bulk."""
    from django.db import connection

    from accounts.models import Profile, User
    from search.backends import PostgreSQLBackend, config_for
    from search.models import SearchDocument
    from stories.models import Story, StoryTag, warning_flags
    from tags.models import Tag, TagKind

    rng = random.Random(seed)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    started = time.perf_counter()
    fandoms = max(20, works // 50)
    additional = max(100, works // 5)
    per_fandom = 12  # characters and relationships per fandom
    # Each bulk insert commits on its own: one transaction for a million works kept the whole
    # archive in SQLite's write-ahead log, and rebuilding the search index read it from there
    # for over half an hour. A large page cache serves the index rebuild.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size = -1048576")  # KiB: 1 GiB
    authors = User.objects.bulk_create(
        [User(username=f"writer{n}") for n in range(max(10, works // 10))],
        batch_size=5000,
    )
    Profile.objects.bulk_create([Profile(user=user) for user in authors], batch_size=5000)
    tags: dict[str, list[Tag]] = {}
    tags["fandom"] = [
        Tag(kind=TagKind.FANDOM, name=f"Fandom {n}", slug=f"fandom-{n}", is_canonical=True)
        for n in range(fandoms)
    ]
    tags["character"] = [
        Tag(kind=TagKind.CHARACTER, name=f"Character {f}-{n}", slug=f"character-{f}-{n}")
        for f in range(fandoms)
        for n in range(per_fandom)
    ]
    tags["relationship"] = [
        Tag(
            kind=TagKind.RELATIONSHIP,
            name=f"Character {f}-{n}/Character {f}-{n + 1}",
            slug=f"character-{f}-{n}-slash-character-{f}-{n + 1}",
        )  # fmt: skip
        for f in range(fandoms)
        for n in range(per_fandom)
    ]
    tags["additional"] = [
        Tag(kind=TagKind.ADDITIONAL, name=f"Trope {n}", slug=f"trope-{n}")
        for n in range(additional)
    ]
    for kind in tags:
        tags[kind] = Tag.objects.bulk_create(tags[kind], batch_size=5000)
    print(f"  {sum(len(v) for v in tags.values()):,} tags", file=sys.stderr)

    ratings = ["general", "teen", "mature", "explicit", "not_rated"]
    warning_sets = [["none"], ["none"], ["none"], ["chose_not"], ["violence"], ["death"],
                    ["violence", "death"]]  # fmt: skip
    languages = ["en"] * 12 + ["es", "fr", "de", "pt", "id", "ja"]
    batch = 20_000
    made = 0
    while made < works:
        size = min(batch, works - made)
        stories, shapes = [], []
        for n in range(made, made + size):
            reads = int(rng.lognormvariate(5, 2))
            updated = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
            warnings = rng.choice(warning_sets)
            parts = min(100, 1 + int(rng.expovariate(1 / 8)))
            stories.append(
                Story(
                    author=authors[zipf_index(rng, len(authors), 1.05)],
                    title=f"{words(rng, rng.randint(2, 4)).title()} {n}",
                    summary=words(rng, rng.randint(15, 40)),
                    rating=rng.choice(ratings),
                    warnings=warnings,
                    warning_bits=warning_flags(warnings),
                    language=rng.choice(languages),
                    status="complete" if rng.random() < 0.4 else "in_progress",
                    published_at=updated - timedelta(days=rng.randint(0, 400)),
                    updated_at=updated,
                    published_parts_count=parts,
                    word_count=parts * int(rng.lognormvariate(7.5, 0.6)),
                    reads_count=reads,
                    votes_count=int(reads * rng.uniform(0, 0.08)),
                    comments_count=int(reads * rng.uniform(0, 0.02)),
                )
            )
            fandom = zipf_index(rng, fandoms, 1.2)
            chosen = [tags["fandom"][fandom]]
            if rng.random() < 0.1:  # a crossover
                chosen.append(tags["fandom"][zipf_index(rng, fandoms, 1.2)])
            base = fandom * per_fandom
            for _ in range(rng.randint(0, 3)):
                chosen.append(tags["relationship"][base + zipf_index(rng, per_fandom, 1.3)])
            for _ in range(rng.randint(1, 6)):
                chosen.append(tags["character"][base + zipf_index(rng, per_fandom, 1.3)])
            for _ in range(rng.randint(2, 10)):
                chosen.append(tags["additional"][zipf_index(rng, additional, 1.05)])
            shapes.append(list({tag.pk: tag for tag in chosen}.values()))
        stories = Story.objects.bulk_create(stories, batch_size=5000)
        StoryTag.objects.bulk_create(
            [
                StoryTag(story=story, tag=tag, position=position)
                for story, chosen in zip(stories, shapes, strict=True)
                for position, tag in enumerate(chosen)
            ],
            batch_size=10_000,
        )
        SearchDocument.objects.bulk_create(
            [
                SearchDocument(
                    story=story,
                    config=config_for(story.language),
                    title=story.title,
                    summary=story.summary,
                    tags=", ".join(tag.name for tag in chosen),
                    body=words(rng, 150),
                )
                for story, chosen in zip(stories, shapes, strict=True)
            ],
            batch_size=5000,
        )
        made += size
        print(f"  {made:,} works ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        else:
            cursor.execute(PostgreSQLBackend.SET_VECTOR)
    freshen(connection)
    print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def picky_reader(rng: random.Random) -> Any:
    """A reader with a 50-rule filter profile: tag patterns, writers and works."""
    from accounts.models import User
    from discover.models import FilterSettings, HideRule
    from stories.models import Story

    reader, created = User.objects.get_or_create(username="picky-reader")
    if created:
        # Patterns as the profile page accepts them (none matches over 5,000 tags).
        rules = [HideRule(reader=reader, tag_pattern=f"Trope {n + 100}*") for n in range(30)]
        rules += [HideRule(reader=reader, tag_pattern=f"*/Character {n}-1") for n in range(5)]
        rules += [HideRule(reader=reader, writer_id=pk) for pk in range(2, 12)]
        story_ids = Story.objects.order_by("?").values_list("pk", flat=True)[:5]
        rules += [HideRule(reader=reader, story_id=pk) for pk in story_ids]
        HideRule.objects.bulk_create(rules)
        FilterSettings.objects.create(reader=reader, max_relationships=2)
    return reader


def readers_of_the_archive(rng: random.Random, readers: int = 20_000) -> None:
    """Read rows for "readers of this also read": each reader reads about ten works, most of
    them in one favourite fandom's popular works. Made once, on the first run that needs it."""
    from django.db import connection

    from social.models import Read
    from stories.models import StoryTag
    from tags.models import Tag, TagKind

    if Read.objects.exists():
        return
    started = time.perf_counter()
    fandoms = list(
        Tag.objects.filter(kind=TagKind.FANDOM).order_by("pk").values_list("pk", flat=True)[:200]
    )
    works_in = {
        fandom: list(
            StoryTag.objects.filter(tag_id=fandom)
            .order_by("story_id")
            .values_list("story_id", flat=True)[:500]
        )
        for fandom in fandoms
    }
    # The archive counts parts on its stories without making them: the works read get a first
    # part to hold their reads.
    from stories.models import Part

    read_works = {story for works in works_in.values() for story in works}
    Part.objects.bulk_create(
        (Part(story_id=story, title="Part 1", status="published") for story in read_works),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT story_id, MIN(id) FROM stories_part GROUP BY story_id")
        first_part = dict(cursor.fetchall())
    now = datetime.now(UTC)
    rows = []
    for reader in range(readers):
        favourite = works_in[fandoms[zipf_index(rng, len(fandoms), 1.1)]]
        for _ in range(10):
            if not favourite:
                break
            story = favourite[zipf_index(rng, len(favourite), 1.0)]
            if story in first_part:
                rows.append(Read(part_id=first_part[story], reader_key=f"v:bench{reader}",
                                 counted_at=now))  # fmt: skip
        if len(rows) >= 20_000:
            Read.objects.bulk_create(rows)
            rows = []
    Read.objects.bulk_create(rows)
    print(f"  reads for co-reading in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def time_similar(runs: int, seed: int = 10) -> tuple[list[float], list[float]]:
    """ "More like this": computing one story's list (the background job), then the story page
    that shows it, for popular and tail works alike."""
    from django.test import Client

    from discover.similar import compute_similar
    from stories.models import Story

    rng = random.Random(seed)
    readers_of_the_archive(rng)
    top = Story.objects.count()
    computing, pages = [], []
    anonymous = Client()
    for n in range(runs + 2):
        story = Story.objects.filter(pk__gte=1 + zipf_index(rng, top, 1.05)).order_by("pk").first()
        assert story is not None
        started = time.perf_counter()
        compute_similar(story.pk)
        computed = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        response = anonymous.get(story.get_absolute_url())
        shown = (time.perf_counter() - started) * 1000
        assert response.status_code == 200
        if n >= 2:
            computing.append(computed)
            pages.append(shown)
    return computing, pages


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run_queries(runs: int, seed: int = 9) -> list[tuple[str, list[float]]]:
    from django.test import Client

    from tags.models import Tag, TagKind

    rng = random.Random(seed)
    anonymous = Client()
    picky = Client()
    picky.force_login(picky_reader(rng))
    biggest = Tag.objects.filter(kind=TagKind.FANDOM).order_by("pk").first()
    assert biggest is not None
    # Tags of every popularity: the head, the middle and the tail of the Zipf curve.
    fandoms = list(Tag.objects.filter(kind=TagKind.FANDOM).order_by("pk")[:50])
    tropes = list(Tag.objects.filter(kind=TagKind.ADDITIONAL).order_by("pk")[:200])

    def tag_param(tag: Tag) -> str:
        return f"{tag.kind}:{tag.slug}"

    def filtered() -> tuple[Any, str, dict[str, Any]]:
        include = [tag_param(rng.choice(fandoms[:10])), tag_param(rng.choice(tropes))]
        query = {"tag": include, "xtag": tag_param(rng.choice(tropes)), "rating": "teen",
                 "sort": "reads"}  # fmt: skip
        return anonymous, "/works/", query

    def searched() -> tuple[Any, str, dict[str, Any]]:
        # Two words as readers type them: a common one and one from anywhere in the tail.
        q = f"{WORDS[zipf_index(rng, 200, 1.0)]} {WORDS[zipf_index(rng, len(WORDS), 1.05)]}"
        return anonymous, "/works/", {"q": q, "rating": "teen", "language": "en"}

    def big_tag() -> tuple[Any, str, dict[str, Any]]:
        return anonymous, biggest.get_absolute_url(), {}

    def deep_page() -> tuple[Any, str, dict[str, Any]]:
        return anonymous, "/works/", {"page": 200}

    def profiled() -> tuple[Any, str, dict[str, Any]]:
        return picky, "/works/", {"tag": tag_param(rng.choice(fandoms[:10]))}

    cases = [
        ("include 2 tags + exclude 1 + rating, by reads", filtered),
        ("full text + rating + language", searched),
        ("the biggest fandom's tag page", big_tag),
        ("page 200 of the whole listing", deep_page),
        ("a reader with a 50-rule filter profile", profiled),
    ]
    results = []
    for name, make in cases:
        times = []
        for n in range(runs + 2):
            client, url, query = make()
            started = time.perf_counter()
            response = client.get(url, query)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (name, response.status_code)
            if n >= 2:  # the first two warm the caches
                times.append(elapsed)
        results.append((name, times))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--fresh", action="store_true", help="rebuild the archive")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        data = Path(tempfile.gettempdir()) / f"talehouse-bench-archive-{options.works}"
        if options.fresh and data.exists():
            for child in data.glob("*.sqlite3*"):
                child.unlink()
        os.environ["TALEHOUSE_DATA_DIR"] = str(data)
    os.environ.setdefault("TALEHOUSE_DEV", "1")
    os.environ.setdefault("TALEHOUSE_INSECURE_HTTP", "1")  # the test client speaks plain http
    os.environ.setdefault("TALEHOUSE_STATIC_MANIFEST", "0")  # no collectstatic needed
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talehouse.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from stories.models import Story

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from django.db import connection as db

    freshen(db)  # statistics for indexes a migration may just have added
    if options.fresh or not Story.objects.exists():
        if Story.objects.exists():
            sys.exit("The database holds stories: use an empty one (or --fresh on SQLite).")
        print(f"building an archive of {options.works:,} works…", file=sys.stderr)
        build(options.works)
    from django.db import connection

    print(f"\n{Story.objects.count():,} works on {connection.vendor}, {options.runs} runs each\n")
    print("| query | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|")
    results = run_queries(options.runs)
    computing, pages = time_similar(options.runs)
    results += [
        ("more like this: computing one story's list (background)", computing),
        ("a story page with its more-like-this list", pages),
    ]
    for name, times in results:
        p50, p95, p99 = (percentile(times, s) for s in (0.5, 0.95, 0.99))
        print(f"| {name} | {p50:.0f} | {p95:.0f} | {p99:.0f} |")


if __name__ == "__main__":
    main()
