from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

# Beside the web server: the task worker, and the scheduler that enqueues periodic tasks.
HELPERS = {
    # The worker says nothing of each run (a read flush every few seconds); talehouse.tasks logs
    # every failure and retry.
    "worker": ["db_worker", "--interval", "1", "--no-startup-delay", "--verbosity", "0"],
    "scheduler": ["run_scheduler"],
}


class Command(BaseCommand):
    help = "Serve the site (gunicorn) with its task worker and scheduler beside it (`make demo`)."

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
        helpers = {name: self._start(name) for name in HELPERS}
        stopping = False

        def stop(*_args: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and web.poll() is None:
                for name, process in helpers.items():
                    if process.poll() is not None:
                        # Read counting and publishing must not stop silently while the site
                        # keeps serving.
                        self.stderr.write(f"{name} exited ({process.returncode}); restarting it")
                        time.sleep(1)
                        helpers[name] = self._start(name)
                time.sleep(0.5)
        finally:
            processes = [web, *helpers.values()]
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

    def _start(self, name: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "manage.py", *HELPERS[name]])  # noqa: S603
