from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.test.client import FakePayload
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

CHROMIUM = os.environ.get("TALEHOUSE_CHROMIUM", "/usr/bin/chromium")
# A desktop browser's user agent: headless Chromium's own says "HeadlessChrome", which the
# read counter rightly treats as a bot.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A real browser on a loaded 2-core CI machine now and then misses a 15 s wait. Such a
    # timeout gets one rerun, reported as "rerun" in the summary; any other failure, and a
    # second timeout, fail the suite.
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=["TimeoutError"]))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


class _RequestsInFlight:
    """Requests the live server is answering, behind a gate that closes when a test ends.

    A page closing at the end of a test sends its last beacons (position, reads); a test
    database flushed under one of them deadlocks on PostgreSQL (TRUNCATE against the request's
    row locks) and fails the teardown. Counting alone leaves a race: a beacon the server has
    accepted but not yet started is not counted. So once the gate is closed, a request that
    starts is refused before it touches the database, and teardown waits for the ones already
    started."""

    def __init__(self) -> None:
        self.count = 0
        self.gate_open = False
        self.changed = threading.Condition()

    def started(self, environ: dict[str, Any], **kwargs: Any) -> None:
        # Only the live server's requests count: Django's test client (in tests that run
        # requests on threads of their own, too) sends a FakePayload as its body.
        _THIS_THREAD.live = not isinstance(environ.get("wsgi.input"), FakePayload)
        if not _THIS_THREAD.live:
            return
        with self.changed:
            if not self.gate_open:
                raise _TestIsOver("the browser test is over; request refused")
            self.count += 1

    def finished(self, **kwargs: Any) -> None:
        if not getattr(_THIS_THREAD, "live", False):
            return
        _THIS_THREAD.live = False
        with self.changed:
            if self.count > 0:
                self.count -= 1
            self.changed.notify_all()

    def open_gate(self) -> None:
        with self.changed:
            self.gate_open = True

    def close_gate_and_wait(self, timeout: float = 15) -> None:
        with self.changed:
            self.gate_open = False
            self.changed.wait_for(lambda: self.count <= 0, timeout)


class _TestIsOver(Exception):
    pass


_THIS_THREAD = threading.local()


IN_FLIGHT = _RequestsInFlight()


@pytest.fixture(scope="session", autouse=True)
def _count_requests_in_flight() -> Iterator[None]:
    request_started.connect(IN_FLIGHT.started, dispatch_uid="browser-tests-in-flight")
    request_finished.connect(IN_FLIGHT.finished, dispatch_uid="browser-tests-in-flight")
    yield
    request_started.disconnect(dispatch_uid="browser-tests-in-flight")
    request_finished.disconnect(dispatch_uid="browser-tests-in-flight")


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Any]:
    contexts: list[BrowserContext] = []

    def make(**kwargs: Any) -> BrowserContext:
        context = browser.new_context(user_agent=USER_AGENT, **kwargs)
        context.set_default_timeout(15000)
        contexts.append(context)
        return context

    IN_FLIGHT.open_gate()
    yield make
    IN_FLIGHT.close_gate_and_wait()
    for context in contexts:
        # Nothing more reaches the server once the test is over: leaving each page fires its
        # last beacons (keepalive requests outlive a closed context), so leave while they are
        # still refused, then close.
        context.route("**/*", _refuse)
        for page in context.pages:
            page.goto("about:blank")
        context.close()
    IN_FLIGHT.close_gate_and_wait()


def _refuse(route: Route) -> None:
    route.abort()


def check_accessibility(page: Page, label: str) -> None:
    """Inject axe-core and fail on any violation (WCAG 2.x A/AA and best practices)."""
    # Evaluated through DevTools rather than added as a <script>: the page's CSP rightly
    # forbids inline scripts, and we test the page as it is served.
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)
            }));
        }"""
    )
    assert result == [], f"axe violations on {label}: {result}"


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
