"""`kehu restore <backup> --target DIR` (SQLite): restore a backup into a new folder and check
it (audit chain, documents, deletions re-applied)."""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.audit.context import SYSTEM, acting_as


class Command(BaseCommand):
    help = "Restore a backup (SQLite database and files) into a new folder and check it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="The backup's id (kehu backup status lists them).")
        parser.add_argument("--target", required=True, help="A new, empty folder.")
        parser.add_argument("--from", dest="source", choices=["dir", "s3"], default=None)
        parser.add_argument("--no-checks", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from kehu.backups.restore import restore

        try:
            with acting_as(SYSTEM):
                report = restore(
                    options["backup"],
                    Path(options["target"]),
                    source=options["source"],
                    checks=not options["no_checks"],
                )
        except (ValidationError, ImproperlyConfigured) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            raise CommandError(" ".join(str(m) for m in messages)) from None
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=1, default=str))
        self.stdout.write(
            f"restored into {report['target']}: the database is {report['target']}/kehu.sqlite3, "
            f"the files {report['target']}/files"
        )
