import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from kehu.ops.schedule import tick


class Command(BaseCommand):
    help = (
        "Enqueue periodic jobs when due and reclaim stale ones "
        "(runs until stopped, or once with --once)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=int, default=60)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            for name in tick():
                self.stdout.write(f"enqueued {name}")
            if options["once"]:
                return
            close_old_connections()  # a restarted database must not end the loop
            time.sleep(options["interval"])
