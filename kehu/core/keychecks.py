"""The start-up check of the field keys (a Django system check, so `kehu serve`, its worker
and scheduler, `migrate` and `check` all run it): every configured key that has a canary in
the database must decrypt it, and while the database holds canaries at least one configured
key must have one. Otherwise the server refuses to start, saying what to do, instead of
showing every encrypted value as unreadable. A configured key without a canary (a key just
added for rotation) gets one.

A database that cannot be reached is a problem too: the keys cannot be compared, and a
server must not start as if they matched. Only a database without the canary table (before
the first `migrate`) has nothing to compare, and passes."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from kehu.core.crypto import Undecryptable, keyring, open_sealed, seal
from kehu.core.keymodels import CANARY_CONTEXT, CANARY_TEXT, KeyCanary

UNVERIFIED = "kehu.E102"


def canary_opens(sealed: str) -> bool:
    try:
        return open_sealed(sealed, CANARY_CONTEXT) == CANARY_TEXT
    except Undecryptable:
        return False


def add_canary(key_id: str) -> None:
    """Store the canary of a configured key unless it has one."""
    try:
        with transaction.atomic():
            KeyCanary.objects.get_or_create(
                key_id=key_id, defaults={"sealed": seal(CANARY_TEXT, CANARY_CONTEXT, None, key_id)}
            )
    except IntegrityError:
        pass  # another process stored it at the same moment


def key_problems() -> list[str]:
    """What is wrong between the configured field keys and the database's canaries (empty
    when they match); adds the canaries of configured keys that have none."""
    ring = keyring()
    stored = dict(KeyCanary.objects.values_list("key_id", "sealed"))
    wrong = [key_id for key_id in ring.ids if key_id in stored and not canary_opens(stored[key_id])]
    if wrong:
        return [
            _(
                "The field keys do not match the database: the configured key %(ids)s cannot "
                "decrypt the database's check value (canary) of that id. Configure the key this "
                "database was encrypted with (KEHU_FIELD_KEYS or KEHU_FIELD_KEY, "
                "docs/operations.md, Keys); do not start with another key."
            )
            % {"ids": ", ".join(wrong)}
        ]
    if stored and not any(key_id in stored for key_id in ring.ids):
        return [
            _(
                "The field keys do not match the database: it was encrypted with the key(s) "
                "%(stored)s, the configuration has %(configured)s. Add the database's keys to "
                "KEHU_FIELD_KEYS (docs/operations.md, Keys); do not start without them."
            )
            % {"stored": ", ".join(sorted(stored)), "configured": ", ".join(ring.ids)}
        ]
    for key_id in ring.ids:
        if key_id not in stored:
            add_canary(key_id)
    return []


def _not_migrated_yet() -> bool:
    """Whether the database is reachable and has no canary table (nothing to compare yet)."""
    return KeyCanary._meta.db_table not in connection.introspection.table_names()


def check_field_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        if _not_migrated_yet():
            return []
        problems = key_problems()
    except DatabaseError as error:
        return [
            checks.Critical(
                _(
                    "The field keys cannot be checked: the database cannot be reached (%(error)s). "
                    "Start when the database is available (KEHU_DATABASE_URL)."
                )
                % {"error": str(error).strip().splitlines()[0][:200] if str(error) else "?"},
                id=UNVERIFIED,
            )
        ]
    return [checks.Critical(problem, id="kehu.E101") for problem in problems]
