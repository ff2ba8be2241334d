"""`kehu backup` (back up now), `kehu backup status`, `kehu backup verify`, `kehu backup
drill`, `kehu backup pgbackrest-config`; `kehu backup after-restore` is run by the restore."""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.audit.context import SYSTEM, acting_as
from kehu.privacy.requests import ledger_entries


def _say(error: Exception) -> str:
    messages = getattr(error, "messages", None) or [str(error)]
    return " ".join(str(m) for m in messages)


class Command(BaseCommand):
    help = "Back up Kehu (SQLite database and stored files), show or check the backups."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action")
        sub.add_parser("run", help="Back up now (the default).")
        status = sub.add_parser("status", help="The last backups (and pgBackRest's), their age.")
        status.add_argument("--json", action="store_true")
        sub.add_parser("verify", help="Re-read the latest backup in every destination.")
        sub.add_parser("drill", help="Back up, restore into a scratch folder, compare, report.")
        sub.add_parser("pgbackrest-config", help="Print the pgBackRest configuration to use.")
        ledger = sub.add_parser(
            "ledger", help="Write the deletion ledger (no personal data) to FILE, for restores."
        )
        ledger.add_argument("file")
        after = sub.add_parser("after-restore", help="(run by kehu restore on the copy)")
        after.add_argument("--heads", required=True)
        after.add_argument("--ledger")

    def handle(self, *args: Any, **options: Any) -> None:
        from kehu.backups import drill, engine, pgbackrest, status

        action = options["action"] or "run"
        try:
            with acting_as(SYSTEM):
                if action == "run":
                    manifest = engine.backup()
                    self.stdout.write(
                        f"backup {manifest['id']}: {len(manifest['new_files'])} new of "
                        f"{len(manifest['files'])} files"
                        + (", database copied" if "database" in manifest else "")
                    )
                elif action == "status":
                    state = status.backup_status()
                    if options["json"]:
                        self.stdout.write(json.dumps(state, ensure_ascii=False, default=str))
                    else:
                        self.stdout.write(status.as_text(state))
                    if state["problems"]:
                        raise CommandError("; ".join(state["problems"]))
                elif action == "verify":
                    summary = engine.verify()
                    self.stdout.write(f"backups intact: {summary['checked']} files checked")
                elif action == "drill":
                    report = drill.drill()
                    self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
                elif action == "pgbackrest-config":
                    self.stdout.write(pgbackrest.configuration())
                elif action == "ledger":
                    entries = ledger_entries()
                    Path(options["file"]).write_text(json.dumps(entries), encoding="utf-8")
                    self.stdout.write(f"{len(entries)} ledger entries written")
                elif action == "after-restore":
                    from kehu.backups.checks import after_restore

                    ledger = Path(options["ledger"]) if options["ledger"] else None
                    result = after_restore(Path(options["heads"]), ledger)
                    self.stdout.write(json.dumps(result, ensure_ascii=False))
        except (ValidationError, ImproperlyConfigured) as error:
            raise CommandError(_say(error)) from None
