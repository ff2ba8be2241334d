"""`kehu privacy_reapply`: apply the deletion ledger again — run it after restoring a backup
taken before some deletions (docs/operations.md)."""

from typing import Any

from django.core.management.base import BaseCommand

from kehu.audit.context import SYSTEM, acting_as
from kehu.privacy.requests import reapply_deletions


class Command(BaseCommand):
    help = "Re-apply recorded deletions and restrictions of personal data (after a restore)."

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(SYSTEM):
            count = reapply_deletions()
        self.stdout.write(f"{count} deletion(s) re-applied")
