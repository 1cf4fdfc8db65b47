from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from social.counters import find_drift
from social.jobs import flush_pending_reads


class Command(BaseCommand):
    help = (
        "Recompute reads, votes, comments (and other apps' counters: downloads) from source rows"
        " and report any drift."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="Correct drifted counters.")
        parser.add_argument(
            "--check", action="store_true", help="Exit with status 1 if any counter drifted."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Queued reads are not drift: apply them first so the comparison is fair.
        flush_pending_reads()
        drift = find_drift(fix=options["fix"])
        for item in drift:
            self.stdout.write(str(item))
        verb = "fixed" if options["fix"] else "found"
        self.stdout.write(f"{len(drift)} drifted counter(s) {verb}.")
        if drift and options["check"] and not options["fix"]:
            raise SystemExit(1)
