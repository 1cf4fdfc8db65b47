from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from stories.demo import (
    DEMO_PASSWORD,
    WRITER_NAMES,
    demo_is_loaded,
    demo_reader_names,
    load_demo,
)
from tags.demo import GARDENER


class Command(BaseCommand):
    help = "Load the original demo stories, readers, reads, votes and comments (once)."

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_is_loaded():
            self.stdout.write("Demo content is already loaded.")
        else:
            load_demo()
            self.stdout.write(self.style.SUCCESS("Demo content loaded."))
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        for username, name in WRITER_NAMES.items():
            self.stdout.write(f"  writer  {username:<10} {name}")
        self.stdout.write("  readers: " + ", ".join(demo_reader_names()))
        self.stdout.write(f"  tag gardener: {GARDENER[0]} (reviews tags at /tags/garden/)")
