from __future__ import annotations

import threading
import time
import zlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection, connections
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from social.actions.reads import VISITOR_COOKIE
from social.counters import find_drift
from social.jobs import flush_pending_reads
from social.models import PendingRead, Read
from stories.models import Part, Story
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"
OTHER_BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Safari/605.1"


def visitor(visitor_id: str | None = None) -> Client:
    """An anonymous browser; with `visitor_id`, one that carries the first-party cookie."""
    client = Client()
    if visitor_id is not None:
        client.cookies[VISITOR_COOKIE] = visitor_id
    return client


def beacon(
    client: Client, part: Part | int, user_agent: str = BROWSER, ip: str = "203.0.113.7"
) -> TestResponse:
    part_id = part if isinstance(part, int) else part.pk
    return client.post(
        reverse("social:read_beacon", args=[part_id]),
        headers={"user-agent": user_agent},
        REMOTE_ADDR=ip,
    )


def reads(part: Part) -> tuple[int, int]:
    """The part's and its story's reads counters, fresh from the database."""
    part.refresh_from_db()
    return part.reads_count, Story.objects.get(pk=part.story_id).reads_count


# --- who counts --------------------------------------------------------------------------


def test_the_same_visitor_reading_twice_counts_once(part: Part) -> None:
    browser = visitor("visitor-aaaaaaaaaaaa")
    beacon(browser, part)
    beacon(browser, part)
    assert flush_pending_reads() == 1
    beacon(browser, part)  # again after the flush: still inside the window
    assert flush_pending_reads() == 0
    assert reads(part) == (1, 1)


def test_two_visitors_count_twice(part: Part) -> None:
    beacon(visitor("visitor-aaaaaaaaaaaa"), part)
    beacon(visitor("visitor-bbbbbbbbbbbb"), part)
    assert flush_pending_reads() == 2
    assert reads(part) == (2, 2)


def test_a_visitor_without_the_cookie_is_known_by_ip_and_user_agent(part: Part) -> None:
    beacon(visitor(), part, ip="198.51.100.1")
    beacon(visitor(), part, ip="198.51.100.1")
    flush_pending_reads()
    assert reads(part) == (1, 1)

    beacon(visitor(), part, ip="198.51.100.2")
    beacon(visitor(), part, ip="198.51.100.1", user_agent=OTHER_BROWSER)
    flush_pending_reads()
    assert reads(part) == (3, 3)
    assert not Read.objects.filter(reader_key__contains="198.51.100").exists()


def test_a_malformed_visitor_cookie_falls_back_to_ip_and_user_agent(part: Part) -> None:
    beacon(visitor("short"), part)
    beacon(visitor("not a valid id; drop table"), part)
    flush_pending_reads()
    assert reads(part) == (1, 1)
    assert Read.objects.get().reader_key.startswith("v:")


def test_a_signed_in_reader_counts_by_account_on_every_device(reader: User, part: Part) -> None:
    phone, laptop = client_for(reader), client_for(reader)
    laptop.cookies[VISITOR_COOKIE] = "laptop-visitor-0001"
    beacon(phone, part, ip="198.51.100.1")
    beacon(laptop, part, ip="198.51.100.2", user_agent=OTHER_BROWSER)
    assert flush_pending_reads() == 1
    read = Read.objects.get()
    assert read.user == reader and read.reader_key == f"u:{reader.pk}"
    assert reads(part) == (1, 1)


def test_the_authors_own_reads_never_count(author_client: Client, part: Part) -> None:
    beacon(author_client, part)
    assert flush_pending_reads() == 0
    assert reads(part) == (0, 0)
    assert not PendingRead.objects.exists()


@pytest.mark.parametrize(
    "user_agent",
    [
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "curl/8.0",
        "python-requests/2.31",
        "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0 Safari/537.36",
        "",
    ],
)
def test_bots_and_scripts_are_not_readers(part: Part, user_agent: str) -> None:
    response = beacon(visitor("visitor-aaaaaaaaaaaa"), part, user_agent=user_agent)
    assert response.status_code == 204
    assert not PendingRead.objects.exists()
    flush_pending_reads()
    assert reads(part) == (0, 0)


def test_a_beacon_without_any_user_agent_is_not_a_reader(part: Part) -> None:
    response = visitor("visitor-aaaaaaaaaaaa").post(reverse("social:read_beacon", args=[part.pk]))
    assert response.status_code == 204
    assert not PendingRead.objects.exists()


def test_a_read_of_a_draft_part_does_not_count(draft_part: Part) -> None:
    beacon(visitor("visitor-aaaaaaaaaaaa"), draft_part)
    assert flush_pending_reads() == 0
    assert reads(draft_part) == (0, 0)
    assert not PendingRead.objects.exists() and not Read.objects.exists()


def test_a_read_of_a_part_that_does_not_exist_is_dropped(db: None) -> None:
    assert beacon(visitor("visitor-aaaaaaaaaaaa"), 999999).status_code == 204
    assert flush_pending_reads() == 0
    assert not PendingRead.objects.exists() and not Read.objects.exists()


def test_a_read_counts_again_once_the_24_hour_window_has_passed(part: Part) -> None:
    browser = visitor("visitor-aaaaaaaaaaaa")
    beacon(browser, part)
    flush_pending_reads()

    Read.objects.update(counted_at=F("counted_at") - timedelta(hours=23))
    beacon(browser, part)
    assert flush_pending_reads() == 0
    assert reads(part) == (1, 1)

    Read.objects.update(counted_at=F("counted_at") - timedelta(hours=1))
    beacon(browser, part)
    assert flush_pending_reads() == 1
    assert reads(part) == (2, 2)
    assert Read.objects.count() == 2


def test_reads_of_different_parts_add_up_on_the_story(story: Story, part: Part) -> None:
    second = make_part(story, "The Second Night")
    browser = visitor("visitor-aaaaaaaaaaaa")
    beacon(browser, part)
    beacon(browser, second)
    beacon(visitor("visitor-bbbbbbbbbbbb"), second)
    flush_pending_reads()
    assert reads(part) == (1, 3)
    assert reads(second) == (2, 3)


def test_small_batches_still_count_each_reader_once(part: Part) -> None:
    for n in range(5):
        beacon(visitor(f"visitor-{n:012d}"), part)
        beacon(visitor(f"visitor-{n:012d}"), part)
    assert flush_pending_reads(batch_size=3) == 5
    assert reads(part) == (5, 5)
    assert not PendingRead.objects.exists()
    assert find_drift() == []


def test_a_beacon_for_an_id_no_part_can_have_is_dropped_quietly(db: None) -> None:
    for impossible in (2**63, 10**30):
        assert beacon(visitor("visitor-aaaaaaaaaaaa"), impossible).status_code == 204
    assert not PendingRead.objects.exists()


# --- the beacon endpoint -----------------------------------------------------------------


def test_the_beacon_answers_204_without_touching_the_story_tables(reader: User, part: Part) -> None:
    for client in (visitor("visitor-aaaaaaaaaaaa"), visitor(), client_for(reader)):
        with CaptureQueriesContext(connection) as captured:
            response = beacon(client, part)
        assert response.status_code == 204
        assert response["Cache-Control"] == "no-store"
        assert response.content == b""
        touched = [q["sql"] for q in captured.captured_queries if "stories_" in q["sql"]]
        assert touched == []
        assert any("social_pendingread" in q["sql"] for q in captured.captured_queries)
    assert PendingRead.objects.count() == 3
    assert reads(part) == (0, 0)  # nothing is counted until the queue is flushed


def test_the_beacon_refuses_get(part: Part) -> None:
    response = visitor("visitor-aaaaaaaaaaaa").get(
        reverse("social:read_beacon", args=[part.pk]), headers={"user-agent": BROWSER}
    )
    assert response.status_code == 405
    assert not PendingRead.objects.exists()


def test_the_beacon_needs_no_csrf_token(part: Part) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert beacon(strict, part).status_code == 204
    assert PendingRead.objects.count() == 1


# --- concurrency -------------------------------------------------------------------------

SENDER_THREADS = 8
SHARED_VISITORS = [f"shared-visitor-{n:04d}" for n in range(5)]
OWN_VISITORS_PER_THREAD = 3


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_burst_of_beacons_and_flushes_counts_each_reader_exactly_once() -> None:
    author = make_user(username="burst-author")
    story = make_story(author, "Crowded")
    busy, quiet = make_part(story, "Busy"), make_part(story, "Quiet")
    start = threading.Barrier(SENDER_THREADS + 1)
    senders_done = threading.Event()
    errors: list[BaseException] = []
    counted_while_busy: list[int] = []

    def send(thread_number: int) -> None:
        own = [f"thread-{thread_number}-visitor-{n:04d}" for n in range(OWN_VISITORS_PER_THREAD)]
        browser = Client()  # one client per thread; the cookie says which visitor it is

        def read(visitor_id: str, target: Part) -> None:
            browser.cookies[VISITOR_COOKIE] = visitor_id
            # Each visitor on an address of its own, as readers mostly are.
            address = zlib.crc32(visitor_id.encode())
            ip = f"10.{address >> 16 & 255}.{address >> 8 & 255}.{address & 255}"
            assert beacon(browser, target, ip=ip).status_code == 204

        try:
            start.wait()
            for _round in range(2):  # every reader reads twice: the repeats must not count
                for visitor_id in SHARED_VISITORS:
                    read(visitor_id, busy)
                    read(visitor_id, quiet)
                for visitor_id in own:
                    read(visitor_id, busy)
        except BaseException as error:  # noqa: B036 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    def flush_until_senders_are_done() -> None:
        try:
            start.wait()
            while not senders_done.is_set():
                counted_while_busy.append(flush_pending_reads())
                time.sleep(0.002)  # let the beacons' writers take the lock too
        except BaseException as error:  # noqa: B036 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    senders = [threading.Thread(target=send, args=(n,)) for n in range(SENDER_THREADS)]
    flusher = threading.Thread(target=flush_until_senders_are_done)
    for thread in [*senders, flusher]:
        thread.start()
    for thread in senders:
        thread.join(timeout=120)
    senders_done.set()
    flusher.join(timeout=120)

    assert errors == []
    assert not any(thread.is_alive() for thread in [*senders, flusher])
    assert len(counted_while_busy) >= 1
    counted_at_the_end = flush_pending_reads()

    expected_busy = len(SHARED_VISITORS) + SENDER_THREADS * OWN_VISITORS_PER_THREAD
    expected_quiet = len(SHARED_VISITORS)
    assert sum(counted_while_busy) + counted_at_the_end == expected_busy + expected_quiet
    assert reads(busy) == (expected_busy, expected_busy + expected_quiet)
    assert reads(quiet) == (expected_quiet, expected_busy + expected_quiet)
    assert Read.objects.count() == expected_busy + expected_quiet
    assert not PendingRead.objects.exists()
    assert find_drift() == []


def test_one_address_adds_at_most_its_share_of_anonymous_reads(part: Part, settings: Any) -> None:
    settings.TALEHOUSE_ANONYMOUS_READS_PER_ADDRESS = 5
    browser = Client()
    for n in range(8):  # a script minting a new visitor cookie for every beacon
        browser.cookies[VISITOR_COOKIE] = f"minted-visitor-{n:06d}"
        beacon(browser, part, ip="198.51.100.20")
    browser.cookies[VISITOR_COOKIE] = "someone-elsewhere-0001"
    beacon(browser, part, ip="198.51.100.99")
    flush_pending_reads()
    assert reads(part) == (6, 6)


def test_signed_in_readers_are_not_capped_by_a_shared_address(part: Part, settings: Any) -> None:
    settings.TALEHOUSE_ANONYMOUS_READS_PER_ADDRESS = 1
    for n in range(3):
        beacon(client_for(make_user(username=f"office{n}")), part, ip="198.51.100.30")
    flush_pending_reads()
    assert reads(part) == (3, 3)


def test_the_visitor_cookie_comes_with_the_beacon_and_keeps_the_reader_one_reader(
    part: Part,
) -> None:
    browser = visitor()
    page = browser.get(part.get_absolute_url())
    assert not page.cookies  # the shared page sets nothing
    first = beacon(browser, part)
    cookie = first.cookies[VISITOR_COOKIE]
    assert cookie.value and cookie["httponly"] and cookie["samesite"] == "Lax"
    flush_pending_reads()
    # The cookie, not the address, says who it is: the same reader on another network.
    second = beacon(browser, part, user_agent=OTHER_BROWSER, ip="198.51.100.9")
    assert VISITOR_COOKIE not in second.cookies
    flush_pending_reads()
    assert Read.objects.count() == 1
    assert Read.objects.get().reader_key == f"v:{cookie.value}"
