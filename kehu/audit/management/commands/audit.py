"""`kehu audit verify [--head FILE|DIR]…`, `kehu audit export-head [--dir DIR]` and
`kehu audit seal`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.audit.heads import export_if_due
from kehu.audit.monitor import seal_and_verify
from kehu.audit.sealing import seal_pending
from kehu.audit.services import export_head


class Command(BaseCommand):
    help = "Verify the tamper-evident audit chain or export its head."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify",
            help="Seal pending events, recompute the whole chain, compare it with the head "
            "row and the heads exported to KEHU_AUDIT_HEAD_DIR.",
        )
        verify.add_argument(
            "--head",
            action="append",
            default=[],
            help="Another exported head file or folder to check against (repeatable).",
        )
        verify.add_argument(
            "--exported-heads",
            action="store_true",
            help="Kept for scripts: KEHU_AUDIT_HEAD_DIR is always checked.",
        )
        export = sub.add_parser("export-head", help="Write the chain head outside the database.")
        export.add_argument("--dir", default=None)
        sub.add_parser("seal", help="Seal the events committed but not yet in the chain.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export-head":
            entry = export_head(options["dir"])
            self.stdout.write(f"exported head #{entry['seq']} {entry['hash']} to {entry['path']}")
            return
        if options["action"] == "seal":
            self.stdout.write(f"sealed {seal_pending()} events")
            return
        _sealed, result = seal_and_verify([Path(p) for p in options["head"]])
        if not result.ok:
            where = f" at event #{result.bad_seq}" if result.bad_seq else ""
            raise CommandError(f"audit chain BROKEN{where}: {result.problem}")
        export_if_due()
        self.stdout.write(
            f"audit chain intact: {result.count} events, head #{result.head_seq} {result.head_hash}"
        )
