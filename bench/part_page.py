"""Benchmark: the part page under gunicorn, each route against what Python cannot go below.

Run with `make bench`. It seeds a fresh SQLite database (bench/seed.py: a seed-sized part of
about 150 short paragraphs and 40 comments, and a heavy one of a 200-part story with 500
comments), then starts `gunicorn bench.wsgi:application` once per cache setting and runs wrk:

- seed-sized part, cache hit, against the same bytes from memory through the same stack
  (goal >= 0.8);
- seed-sized part with the whole-page cache off, so each request writes the live numbers into
  the cached frame, as after any read or vote (goal >= 0.5); and its cold render with every
  cache off, for the record;
- heavy part with every cache off, against its template rendered with no database (>= 0.6);
- the read beacon;
- a worker's resident memory after 10,000 requests of mixed pages (goal < 150 MB).

Prints req/s, p50 and p99 per route, then the ratios; the last line is the heavy page's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DURATION = os.environ.get("BENCH_DURATION", "15s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
WORKERS = os.environ.get("BENCH_WORKERS", "2")
MIXED_REQUESTS = 10_000
BASE = f"http://127.0.0.1:{PORT}"


def django_env(data_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TALEHOUSE_DEV="1",
        TALEHOUSE_INSECURE_HTTP="1",
        TALEHOUSE_DATA_DIR=data_dir,
        TALEHOUSE_STATIC_MANIFEST="0",
        TALEHOUSE_LOG_LEVEL="WARNING",
        # wrk sends every beacon from one address: lift its limit to measure the full path.
        TALEHOUSE_RATE_BEACONS_PER_IP="100000000",
        DJANGO_SETTINGS_MODULE="talehouse.settings",
    )
    return env


def wrk(path: str, script: str | None = None, duration: str = DURATION) -> dict[str, float]:
    extra = ["-s", script] if script else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}", "--latency", *extra, BASE + path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{path} answered {errors.group(1)} errors:\n{out}")

    def number(pattern: str) -> float:
        return float(re.search(pattern, out).group(1))  # type: ignore[union-attr]

    def percentile(label: str) -> float:
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": number(r"(\d+) requests in"),
        "p50": percentile("50"),
        "p99": percentile("99"),
    }


@contextmanager
def server(env: dict[str, str], **settings: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bench.wsgi:application", "-b", f"127.0.0.1:{PORT}",
         "-w", WORKERS, "--log-level", "warning", "--no-control-socket"],
        cwd=ROOT,
        env=env | settings,
    )  # fmt: skip
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(BASE + "/__bench/same-bytes/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def measure(label: str, path: str, results: dict[str, dict[str, float]]) -> None:
    subprocess.run(["wrk", "-t1", "-c4", "-d2s", BASE + path], check=True, capture_output=True)
    result = results[label] = wrk(path)
    line = f"{label:<46} {result['rps']:8.1f} req/s   p50 {result['p50']:7.2f} ms"
    print(f"{line}   p99 {result['p99']:7.2f} ms", flush=True)


def worker_rss_mb(master: subprocess.Popen[bytes]) -> float:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)  # type: ignore[union-attr]
    return max(sizes)


def mixed_load(paths: list[str]) -> int:
    """At least MIXED_REQUESTS requests cycling through `paths`; returns how many were sent."""
    sent = 0
    env = {**os.environ, "BENCH_PATHS": ",".join(paths)}
    while sent < MIXED_REQUESTS:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{CONNECTIONS}", "-d5s", "-s", str(ROOT / "bench" / "mixed.lua"),
             BASE + paths[0]],
            check=True, capture_output=True, text=True, env=env,
        ).stdout  # fmt: skip
        if "Non-2xx" in out:
            raise SystemExit(f"mixed pages answered errors:\n{out}")
        sent += int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return sent


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (make bench installs it with apt-get)")
    data_dir = tempfile.mkdtemp(prefix="talehouse-bench-")
    (Path(data_dir) / "staticfiles").mkdir()  # served from the apps' folders; keep WhiteNoise quiet
    env = django_env(data_dir)
    try:
        run(env)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(env: dict[str, str]) -> None:
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    seeded = json.loads(
        subprocess.run(
            [python, "-m", "bench.seed"], cwd=ROOT, env=env, check=True, capture_output=True,
            text=True,
        ).stdout.splitlines()[-1]
    )  # fmt: skip
    (seed_pk, seed_url), (heavy_pk, heavy_url) = seeded["seed"], seeded["heavy"]
    env |= {"BENCH_SEED_URL": seed_url, "BENCH_HEAVY_PART_ID": str(heavy_pk)}
    floor = "/__bench/same-bytes/"
    results: dict[str, dict[str, float]] = {}
    print(f"gunicorn, {WORKERS} sync workers; wrk -t2 -c{CONNECTIONS} -d{DURATION}; SQLite")

    with server(env) as master:
        page = urllib.request.urlopen(BASE + seed_url).read()
        same = urllib.request.urlopen(BASE + floor).read()
        assert page == same, "the floor route must return the seed page's bytes"
        print(f"page sizes: seed-sized part {len(page):,} bytes", flush=True)
        measure("seed part, cache hit", seed_url, results)
        measure("same bytes from memory (floor)", floor, results)
        sent = mixed_load([seed_url, heavy_url, *seeded["mixed"]])
        rss = worker_rss_mb(master)
        print(f"worker memory after {sent:,} mixed requests: {rss:.0f} MB (goal < 150 MB)")

    with server(env, TALEHOUSE_PAGE_CACHE="0"):
        measure("seed part, page cache off (frame filled)", seed_url, results)
        measure("same bytes from memory (floor), again", floor, results)

    with server(env, TALEHOUSE_PAGE_CACHE="0", TALEHOUSE_FRAME_CACHE="0"):
        measure("seed part, cold render (every cache off)", seed_url, results)
        measure("heavy part, every cache off", heavy_url, results)
        measure("heavy part's template only, no database", "/__bench/template-only/", results)
        beacon = wrk(f"/parts/{seed_pk}/read/", str(ROOT / "bench" / "beacon.lua"))
        line = f"{'read beacon (POST, new visitor)':<46} {beacon['rps']:8.1f} req/s"
        print(f"{line}   p50 {beacon['p50']:7.2f} ms   p99 {beacon['p99']:7.2f} ms")

    def ratio(page: str, base: str) -> float:
        return results[page]["rps"] / results[base]["rps"]

    floor_again = "same bytes from memory (floor), again"
    cold = ratio("seed part, cold render (every cache off)", floor_again)
    print(f"for the record, seed cold render / floor: {cold:.2f}")
    uncached = ratio("seed part, page cache off (frame filled)", floor_again)
    print(f"ratio seed uncached: {uncached:.2f}  (goal >= 0.5)")
    hit = ratio("seed part, cache hit", "same bytes from memory (floor)")
    print(f"ratio seed cache hit: {hit:.2f}  (goal >= 0.8)")
    heavy = ratio("heavy part, every cache off", "heavy part's template only, no database")
    print(f"ratio (database / no database): {heavy:.2f}  (goal >= 0.6)")


if __name__ == "__main__":
    main()
