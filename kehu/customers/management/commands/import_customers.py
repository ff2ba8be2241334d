"""`kehu import_customers FILE --unit CODE --user USERNAME [--dry-run] [--good-rows]`: check
or import a customer roster (.xlsx or .csv) as that user into that department."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kehu.core.models import OrgUnit, User
from kehu.customers.roster.services import check_roster, import_roster


class Command(BaseCommand):
    help = "Check or import a customer roster file (xlsx or csv)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--unit", required=True, help="code of the department")
        parser.add_argument("--user", required=True, help="the importing user's username")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")
        parser.add_argument("--good-rows", action="store_true", help="import the good rows")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            user = User.objects.get(username=options["user"], is_active=True)
            unit = OrgUnit.objects.get(code=options["unit"])
        except (User.DoesNotExist, OrgUnit.DoesNotExist) as error:
            raise CommandError(str(error)) from None
        content = path.read_bytes()
        if options["dry_run"]:
            outcome = check_roster(user, unit, path.name, content)
        else:
            outcome = import_roster(
                user, unit, path.name, content, good_rows_only=options["good_rows"]
            )
        summary = {k: getattr(outcome, k) for k in ("counts", "rows", "imported", "batches")}
        summary["file_errors"] = outcome.file_errors
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        if not outcome.ok and not options["good_rows"]:
            raise CommandError("the file has errors")
