"""Benchmark: telling 100,000 subscribers of a new part (the fan-out task), in-process.

Run `python -m bench.fan_out` (SQLite in a temporary directory, or the database DATABASE_URL
names: give it an empty one). Prints the time to publish (the request's share), the fan-out's
time, its queries and the peak Python memory it took.
"""

from __future__ import annotations

import os
import tempfile
import time
import tracemalloc

SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS", "100000"))


def main() -> None:
    os.environ.setdefault("TALEHOUSE_DATA_DIR", tempfile.mkdtemp(prefix="talehouse-fanout-"))
    os.environ.update(TALEHOUSE_DEV="1", DJANGO_SETTINGS_MODULE="talehouse.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from notifications import actions
    from notifications.models import Notification, Subscription
    from stories.actions import StoryData, do_create_part, do_create_story, do_publish_part

    call_command("migrate", verbosity=0)
    writer = User.objects.create_user("fanout-writer", "w@example.com", "x")
    story = do_create_story(writer, StoryData(title="Very Popular", warnings=["none"]))
    do_publish_part(do_create_part(story, "One", "<p>First.</p>"))
    start = time.perf_counter()
    User.objects.bulk_create(
        (
            User(username=f"sub{i}", email=f"s{i}@example.com", password="!")  # noqa: S106 - unusable
            for i in range(SUBSCRIBERS)
        ),
        batch_size=5000,
    )
    readers = User.objects.filter(username__startswith="sub").values_list("pk", flat=True)
    Subscription.objects.bulk_create(
        (Subscription(reader_id=pk, story=story) for pk in readers.iterator()), batch_size=5000
    )
    print(
        f"seeded {SUBSCRIBERS:,} subscribers in {time.perf_counter() - start:.1f} s "
        f"({connection.vendor})"
    )
    part = do_create_part(story, "Two", "<p>Second.</p>")

    start = time.perf_counter()
    do_publish_part(part)  # what the writer's request waits for: the fan-out is only queued
    print(f"publish (the request's work): {(time.perf_counter() - start) * 1000:.1f} ms")

    tracemalloc.start()
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        told = actions.do_fan_out_new_parts(story.pk)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    assert told == SUBSCRIBERS == Notification.objects.filter(part=part).count()
    print(
        f"fan-out to {told:,} readers: {seconds:.2f} s, {len(queries)} queries, "
        f"peak Python memory {peak:.1f} MB"
    )


if __name__ == "__main__":
    main()
