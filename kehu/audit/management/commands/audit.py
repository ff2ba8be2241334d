"""`kehu audit verify [--head FILE|DIR]…` and `kehu audit export-head [--dir DIR]`."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.audit.selectors import verify_chain
from kehu.audit.services import export_head


class Command(BaseCommand):
    help = "Verify the tamper-evident audit chain or export its head."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Recompute the whole chain.")
        verify.add_argument(
            "--head",
            action="append",
            default=[],
            help="Exported head file or folder to check against (repeatable).",
        )
        verify.add_argument(
            "--exported-heads",
            action="store_true",
            help="Also check against every head in KEHU_AUDIT_HEAD_DIR.",
        )
        export = sub.add_parser("export-head", help="Write the chain head outside the database.")
        export.add_argument("--dir", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export-head":
            entry = export_head(options["dir"])
            self.stdout.write(f"exported head #{entry['seq']} {entry['hash']} to {entry['path']}")
            return
        paths = [Path(p) for p in options["head"]]
        if options["exported_heads"] and Path(settings.KEHU_AUDIT_HEAD_DIR).exists():
            paths.append(Path(settings.KEHU_AUDIT_HEAD_DIR))
        result = verify_chain(paths)
        if not result.ok:
            raise CommandError(f"audit chain BROKEN at event #{result.bad_seq}: {result.problem}")
        self.stdout.write(
            f"audit chain intact: {result.count} events, head #{result.head_seq} {result.head_hash}"
        )
