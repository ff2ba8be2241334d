"""`kehu token create USERNAME [--name NAME] [--days N]` prints the new token as its last word;
`kehu token list [USERNAME]` lists tokens; `kehu token revoke ID` revokes one."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.api import services
from kehu.api.models import ApiToken
from kehu.audit.context import SYSTEM, acting_as
from kehu.core.models import User


class Command(BaseCommand):
    help = "Create, list or revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", default="cli")
        create.add_argument("--days", type=int, default=None)
        listing = sub.add_parser("list")
        listing.add_argument("username", nargs="?", default="")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(SYSTEM):
            getattr(self, f"_{options['action']}")(options)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no such user: {username}")
        return user

    def _create(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        try:
            token, raw = services.create_token(user, options["name"], days=options["days"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        expires = token.expires_at.isoformat() if token.expires_at else "-"
        self.stdout.write(f"token for {user.username} (expires {expires}): {raw}")

    def _list(self, options: dict[str, Any]) -> None:
        rows = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if options["username"]:
            rows = rows.filter(user=self._user(options["username"]))
        for token in services.with_states(rows):
            used = token.last_used_at.isoformat() if token.last_used_at else "-"
            expires = token.expires_at.isoformat() if token.expires_at else "-"
            self.stdout.write(
                f"{token.pk}\t{token.user.username}\t{token.name}\tkh_{token.prefix}…\t"
                f"{token.state}\texpires {expires}\tlast used {used}"  # type: ignore[attr-defined]
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=options["id"]).first()
        if token is None:
            raise CommandError(f"no such token: {options['id']}")
        services.revoke_token(token, by=None)
        self.stdout.write(f"revoked token {token.pk} of {token.user.username}")
