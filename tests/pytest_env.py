"""Loaded with `-p tests.pytest_env` before Django starts: the test environment's settings."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("TALEHOUSE_DEV", "1")
os.environ.setdefault("TALEHOUSE_INSECURE_HTTP", "1")
os.environ.setdefault("TALEHOUSE_EMAIL_VERIFICATION", "mandatory")
os.environ.setdefault("TALEHOUSE_SERVE_MEDIA", "1")
os.environ.setdefault("TALEHOUSE_STATIC_MANIFEST", "0")
# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from tests
# that use it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The suite's own data directory (database files, media, static files), never the checkout's
# `data/`: a `make demo` running beside `make test` must not change what the tests read.
if "TALEHOUSE_DATA_DIR" not in os.environ:
    _data_dir = tempfile.mkdtemp(prefix="talehouse-tests-")
    os.environ["TALEHOUSE_DATA_DIR"] = _data_dir
    atexit.register(shutil.rmtree, _data_dir, ignore_errors=True)
