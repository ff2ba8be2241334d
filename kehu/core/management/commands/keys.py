"""`kehu keys status|rotate|add`: the field keys (docs/operations.md, Keys)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.core import keyconfig, keyrotation
from kehu.core.crypto import keyring
from kehu.core.keychecks import add_canary
from kehu.core.keymodels import KeyCanary, KeyRotation


class Command(BaseCommand):
    help = "Field keys: how many values each key holds, rotation to the current key."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("status", help="Values per key id, canaries, the last rotation.")
        rotate = actions.add_parser(
            "rotate",
            help="Re-encrypt every value under the current (newest) key, in the "
            "background (resumes an unfinished pass).",
        )
        rotate.add_argument(
            "--foreground", action="store_true", help="Run the pass here, not as a job."
        )
        rotate.add_argument("--batch-size", type=int, default=keyrotation.BATCH_SIZE)
        actions.add_parser(
            "add", help="Embedded mode: generate a new key in the data folder (then restart)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _status(self, options: dict[str, Any]) -> None:
        ring = keyring()
        self.stdout.write(f"current key: {ring.current_id}; configured: {', '.join(ring.ids)}")
        canaries = ", ".join(KeyCanary.objects.values_list("key_id", flat=True)) or "none"
        self.stdout.write(f"canaries in the database: {canaries}")
        remaining = 0
        for column, counts in keyrotation.status().items():
            text = ", ".join(f"{key}: {n}" for key, n in sorted(counts.items())) or "empty"
            self.stdout.write(f"{column}: {text}")
            remaining += sum(n for key, n in counts.items() if key != ring.current_id)
        self.stdout.write(f"values not yet under {ring.current_id} (row-bound): {remaining}")
        last = KeyRotation.objects.first()
        if last is not None:
            state = (
                f"finished {last.finished_at:%Y-%m-%d %H:%M}"
                if last.finished_at
                else ("unfinished (run `kehu keys rotate` to resume)")
            )
            self.stdout.write(
                f"last rotation to {last.key_id}: {state}; {last.rewritten} rewritten, "
                f"{last.unreadable} unreadable"
            )

    def _rotate(self, options: dict[str, Any]) -> None:
        add_canary(keyring().current_id)
        rotation = keyrotation.start()
        if options["foreground"]:
            outcome = keyrotation.run(rotation, size=options["batch_size"])
            self.stdout.write(
                f"rotation to {rotation.key_id} finished: {outcome.rewritten} rewritten, "
                f"{outcome.unreadable} unreadable"
            )
            for problem in outcome.problems[:50]:
                self.stdout.write(f"  cannot decrypt {problem}")
            return
        keyrotation.rotate_field_keys.enqueue(rotation.pk)
        self.stdout.write(
            f"rotation to {rotation.key_id} queued (pass {rotation.pk}); follow it with "
            "`kehu keys status`"
        )

    def _add(self, options: dict[str, Any]) -> None:
        if settings.KEHU_CLUSTER_MODE:
            raise CommandError(
                "Cluster mode (PostgreSQL): put the new key first in KEHU_FIELD_KEYS on every "
                "server (id:secret, e.g. from `python -c 'import secrets; "
                "print(secrets.token_urlsafe(50))'`), restart, then run `kehu keys rotate`."
            )
        key_id = keyconfig.add_generated_field_key(
            settings.DATA_DIR, list(settings.KEHU_FIELD_KEYS)
        )
        self.stdout.write(
            f"new field key {key_id} written to {settings.DATA_DIR / 'field_keys'}; restart "
            "Kehu (new writes then use it), then run `kehu keys rotate`. Back the file up."
        )
