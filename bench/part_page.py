"""Benchmark: the part page of a 200-part story with 500 comments, from the real database,
against the same template rendered with no database, side by side under gunicorn.

Run with `make bench`. Prints req/s, p50 and p99 for each, then the ratio (goal: >= 0.6).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DURATION = os.environ.get("BENCH_DURATION", "15s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
WORKERS = os.environ.get("BENCH_WORKERS", "2")


def django_env(data_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TALEHOUSE_DEV="1",
        TALEHOUSE_INSECURE_HTTP="1",
        TALEHOUSE_DATA_DIR=data_dir,
        TALEHOUSE_STATIC_MANIFEST="0",
        TALEHOUSE_LOG_LEVEL="WARNING",
        TALEHOUSE_PAGE_CACHE="0",  # measure the uncached path
        # wrk sends every beacon from one address: lift its limit to measure the full path.
        TALEHOUSE_RATE_BEACONS_PER_IP="100000000",
        DJANGO_SETTINGS_MODULE="talehouse.settings",
    )
    return env


SEED = """
import django; django.setup()
from accounts.models import Profile, User
from social.actions import do_add_comment
from social.models import Comment
from stories.actions import StoryData, do_create_story, do_publish_part
from stories.models import Part, Story
author = User.objects.create_user("bench-author", "a@example.com", "x")
Profile.objects.create(user=author, display_name="Bench Author")
readers = []
for i in range(20):
    u = User.objects.create_user(f"reader{i}", f"r{i}@example.com", "x")
    Profile.objects.create(user=u, display_name=f"Reader {i}")
    readers.append(u)
story = do_create_story(author, StoryData(title="A Very Long Serial", warnings=["none"],
    tags={"fandom": ["Original Work"], "additional": ["Slow Burn", "Found Family"]}))
lines = ['<p>"Line %d of the argument," she said.</p><p>He did not answer.</p>' % i
         for i in range(150)]
body = "".join(lines)
parts = [Part(story=story, position=i, title=f"Part {i}", body_html=body, word_count=1500)
         for i in range(1, 201)]
Part.objects.bulk_create(parts)
for part in Part.objects.filter(story=story):
    do_publish_part(part)
target = Part.objects.get(story=story, position=100)
for thread in range(100):
    top = do_add_comment(readers[thread % 20], target, f"Thread {thread}: this part!\\nSo good.")
    parent = top
    for depth in range(4):
        reader = readers[(thread + depth) % 20]
        parent = do_add_comment(reader, target, f"Reply {depth}", parent=parent)
for other in range(5):
    s = do_create_story(author, StoryData(title=f"Other story {other}", warnings=["none"]))
    p = Part.objects.create(story=s, position=1, title="One", body_html="<p>x</p>", word_count=1)
    do_publish_part(p)
assert Comment.objects.filter(part=target).count() == 500
print(target.pk, target.get_absolute_url())
"""


def wrk(url: str, script: str | None = None) -> dict[str, float]:
    extra = ["-s", script] if script else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", *extra, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def percentile(label: str) -> float:
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url} answered {errors.group(1)} errors:\n{out}")
    return {"rps": rps, "p50": percentile("50"), "p99": percentile("99")}


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (make bench installs it with apt-get)")
    data_dir = tempfile.mkdtemp(prefix="talehouse-bench-")
    env = django_env(data_dir)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run(
        [python, "-c", SEED], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    env["BENCH_PART_ID"] = seeded[0]
    part_url = f"http://127.0.0.1:{PORT}{seeded[1]}"
    no_db_url = f"http://127.0.0.1:{PORT}/__bench/part-no-db/"
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "bench.wsgi:application", "-b", f"127.0.0.1:{PORT}",
         "-w", WORKERS, "--log-level", "warning", "--no-control-socket"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(no_db_url, timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        page = urllib.request.urlopen(part_url, timeout=5).read()
        nodb = urllib.request.urlopen(no_db_url, timeout=5).read()
        print(f"page sizes: with database {len(page)} bytes, no database {len(nodb)} bytes")
        for url in (part_url, no_db_url):  # warm up both
            subprocess.run(["wrk", "-t1", "-c4", "-d2s", url], check=True, capture_output=True)
        print(f"gunicorn, {WORKERS} sync workers; wrk -t2 -c{CONNECTIONS} -d{DURATION}; SQLite")
        results = {
            "part page (database)": wrk(part_url),
            "template only (no database)": wrk(no_db_url),
        }
        for name, r in results.items():
            line = f"{name:<30} {r['rps']:8.1f} req/s   p50 {r['p50']:7.2f} ms"
            print(f"{line}   p99 {r['p99']:7.2f} ms")
        beacon_url = part_url.replace(seeded[1], f"/parts/{seeded[0]}/read/")
        beacon = wrk(beacon_url, str(ROOT / "bench" / "beacon.lua"))
        line = f"{'read beacon (POST, new visitor)':<30} {beacon['rps']:8.1f} req/s"
        print(f"{line}   p50 {beacon['p50']:7.2f} ms   p99 {beacon['p99']:7.2f} ms")
        ratio = (
            results["part page (database)"]["rps"] / results["template only (no database)"]["rps"]
        )
        print(f"ratio (database / no database): {ratio:.2f}  (goal >= 0.6)")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
