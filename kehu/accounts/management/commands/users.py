"""`kehu users unlock USERNAME`: lift a sign-in lock-out, e.g. of the only administrator."""

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.accounts.services import unlock
from kehu.audit.context import Actor
from kehu.core.models import User


class Command(BaseCommand):
    help = "Manage user accounts from the command line (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        unlock_parser = sub.add_parser("unlock", help="Lift a sign-in lock-out.")
        unlock_parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        if not User.objects.filter(username=username).exists():
            raise CommandError(f"no such user: {username}")
        # The audit event names the operating-system account that ran the command.
        actor = Actor(None, f"command line ({getpass.getuser()})"[:150])
        user = unlock(username, actor)
        self.stdout.write(f"unlocked {user.username}")
