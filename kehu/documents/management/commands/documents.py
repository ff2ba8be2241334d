"""`kehu documents verify`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.documents import services


class Command(BaseCommand):
    help = "Check stored documents against their SHA-256."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Re-read every stored version; non-zero exit on a problem.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.verify_all()
        for problem in result.problems:
            self.stderr.write(
                f"PROBLEM version #{problem['version']} (customer {problem['customer']}) "
                f"{problem['stored_name']}: {problem['problem']}"
            )
        if not result.ok:
            raise CommandError(
                f"{len(result.problems)} of {result.checked} stored documents are missing or "
                "altered; the system administrators have been alerted"
            )
        self.stdout.write(f"documents intact: {result.checked} versions checked")
