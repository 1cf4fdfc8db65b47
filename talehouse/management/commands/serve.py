from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the site (gunicorn) and run its background jobs beside it (`make demo`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", default="8000")
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        web = subprocess.Popen(  # noqa: S603 - our own server command
            [
                sys.executable,
                "-m",
                "gunicorn",
                "talehouse.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
                # No control socket in the home directory: two servers would fight over it.
                "--no-control-socket",
            ]
        )
        jobs = self._start_jobs()
        stopping = False

        def stop(*_args: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and web.poll() is None:
                if jobs.poll() is not None:
                    # Read counting must not stop silently while the site keeps serving.
                    self.stderr.write(f"run_jobs exited ({jobs.returncode}); restarting it")
                    time.sleep(1)
                    jobs = self._start_jobs()
                time.sleep(0.5)
        finally:
            for process in (web, jobs):
                if process.poll() is None:
                    process.terminate()
            for process in (web, jobs):
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

    def _start_jobs(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "manage.py", "run_jobs"])  # noqa: S603
