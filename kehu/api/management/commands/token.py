"""`kehu token create USERNAME [--name NAME]` prints the new token as its last word."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.api.services import create_token
from kehu.core.models import User


class Command(BaseCommand):
    help = "Create an API token for a user."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no such user: {options['username']}")
        _token, raw = create_token(user, options["name"])
        self.stdout.write(f"token for {user.username}: {raw}")
