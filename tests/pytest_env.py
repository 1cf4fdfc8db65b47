"""Loaded with `-p tests.pytest_env` before Django starts: the test environment's settings."""

from __future__ import annotations

import os

os.environ.setdefault("TALEHOUSE_DEV", "1")
os.environ.setdefault("TALEHOUSE_INSECURE_HTTP", "1")
os.environ.setdefault("TALEHOUSE_EMAIL_VERIFICATION", "mandatory")
os.environ.setdefault("TALEHOUSE_SERVE_MEDIA", "1")
os.environ.setdefault("TALEHOUSE_STATIC_MANIFEST", "0")
# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from tests
# that use it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
