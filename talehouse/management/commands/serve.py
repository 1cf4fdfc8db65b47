from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the site (gunicorn) and run its background jobs beside it (`make demo`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", default="8000")
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        manage = [sys.executable, "manage.py"]
        jobs = subprocess.Popen([*manage, "run_jobs"])  # noqa: S603 - our own command
        web = subprocess.Popen(  # noqa: S603 - our own command
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

        def stop(*_args: Any) -> None:
            for process in (web, jobs):
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            jobs.wait(timeout=10)
