import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.ops.schedule import enqueue_due


class Command(BaseCommand):
    help = "Enqueue periodic jobs when due (runs until stopped, or once with --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=int, default=60)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            for name in enqueue_due():
                self.stdout.write(f"enqueued {name}")
            if options["once"]:
                return
            time.sleep(options["interval"])
