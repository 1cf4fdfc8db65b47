from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from talehouse.jobs import periodic_jobs, run_forever


class Command(BaseCommand):
    help = "Run Talehouse's periodic jobs (read counting, ...) until interrupted."

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = periodic_jobs()
        for job in jobs:
            self.stdout.write(f"every {job.every_seconds:g}s: {job.name}")
        try:
            run_forever(jobs)
        except KeyboardInterrupt:
            pass
