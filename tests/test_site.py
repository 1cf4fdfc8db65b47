"""Site-wide behaviour: security headers, error pages, rate limits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client, override_settings

from stories.models import Part


def test_pages_send_a_strict_content_security_policy(client: Client, part: Part) -> None:
    response = client.get(part.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.content.decode()  # no inline script


def test_the_editor_page_gets_a_nonce_for_its_import_map(author_client: Client, part: Part) -> None:
    response = author_client.get(f"/write/parts/{part.pk}/")
    policy = response["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script type="importmap" nonce="{nonce}">' in response.content.decode()


def test_forms_are_protected_by_csrf(reader: object, part: Part) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)  # type: ignore[arg-type]
    response = client.post(f"/parts/{part.pk}/vote/", {"vote": "1"})
    assert response.status_code == 403


def test_a_server_error_shows_a_friendly_page(client: Client, db: None) -> None:
    from talehouse.views import error_500

    response = error_500(client.get("/").wsgi_request)
    assert response.status_code == 500
    assert "Nothing you wrote has been lost" in response.content.decode()


def test_a_forbidden_action_shows_a_friendly_page(stranger_client: Client, part: Part) -> None:
    response = stranger_client.get(f"/write/parts/{part.pk}/")
    assert response.status_code == 403
    assert "You can’t do that here" in response.content.decode()


@pytest.mark.parametrize("insecure", ["0"])
def test_production_settings_turn_on_secure_cookies_and_hsts(
    monkeypatch: pytest.MonkeyPatch, insecure: str
) -> None:
    import importlib

    import talehouse.settings as settings_module

    monkeypatch.setenv("TALEHOUSE_INSECURE_HTTP", insecure)
    monkeypatch.setenv("TALEHOUSE_DEBUG", "0")
    monkeypatch.setenv("TALEHOUSE_SECRET_KEY", "x" * 50)
    fresh = importlib.reload(settings_module)
    try:
        assert fresh.SESSION_COOKIE_SECURE and fresh.CSRF_COOKIE_SECURE
        assert fresh.SECURE_HSTS_SECONDS >= 31536000
        assert fresh.SECURE_SSL_REDIRECT
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)


def test_commenting_is_rate_limited(reader_client: Client, part: Part) -> None:
    with override_settings(TALEHOUSE_RATE_LIMITS={"comment": (2, 60), "vote": (60, 60)}):
        codes = [
            reader_client.post(f"/parts/{part.pk}/comments/", {"body": f"Hi {i}"}).status_code
            for i in range(3)
        ]
    assert codes == [302, 302, 429]
    part.refresh_from_db()
    assert part.comments_count == 2


def test_a_secret_can_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from talehouse.settings import env

    secret = tmp_path / "key"
    secret.write_text("from-the-file\n")
    monkeypatch.setenv("TALEHOUSE_EXAMPLE", "from-the-environment")
    assert env("TALEHOUSE_EXAMPLE") == "from-the-environment"
    monkeypatch.setenv("TALEHOUSE_EXAMPLE_FILE", str(secret))
    assert env("TALEHOUSE_EXAMPLE") == "from-the-file"


@pytest.mark.skipif(not os.environ.get("TALEHOUSE_REDIS_URL"), reason="runs when CI sets Redis")
def test_with_redis_configured_cached_pages_live_in_redis(client: Client, part: Part) -> None:
    import redis

    client.get(part.get_absolute_url())
    server = redis.Redis.from_url(os.environ["TALEHOUSE_REDIS_URL"])
    assert any(b"page:part:" in key for key in server.keys("*"))
    assert client.get(part.get_absolute_url())["X-Talehouse-Cache"] == "hit"


@pytest.mark.django_db(transaction=True)
def test_requests_keep_their_database_connection_and_check_it_first() -> None:
    """Opening a connection (and SQLite's PRAGMAs) cost most of a cached page: a worker
    keeps one between requests, and checks it before reuse instead of failing on a dead one."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import RequestFactory

    handler = WSGIHandler()
    seen = []
    for _ in range(2):
        response = handler(RequestFactory().get("/").environ, lambda *args: None)  # type: ignore[arg-type]
        response.close()  # request_finished: where a connection past its age is closed
        seen.append(connection.connection)
    assert seen[0] is not None and seen[0] is seen[1]
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
