"""`kehu privacy_reapply`: apply the deletion ledger again — run it after restoring a backup
taken before some deletions (docs/operations.md)."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.audit.context import SYSTEM, acting_as
from kehu.privacy.requests import merge_ledger, reapply_deletions


class Command(BaseCommand):
    help = "Re-apply recorded deletions and restrictions of personal data (after a restore)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--ledger",
            help="A copy of the ledger (JSON, from the installation the backup was taken "
            "of) whose entries the restored ledger lacks; added first.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(SYSTEM):
            if options["ledger"]:
                with open(options["ledger"], encoding="utf-8") as handle:
                    added = merge_ledger(json.load(handle))
                self.stdout.write(f"{added} ledger entries added")
            count = reapply_deletions()
        self.stdout.write(f"{count} deletion(s) re-applied")
