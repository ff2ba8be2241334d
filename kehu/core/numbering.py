"""Numbers from configurable patterns (archive, contract and case numbers), unique and gap-free.

`next_value` locks the key's row until the caller's transaction ends: concurrent callers queue
behind it (PostgreSQL row lock; SQLite's IMMEDIATE transactions serialise writers), and when the
caller rolls back the number is given back, so no number is skipped.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction

from kehu.core.models import NumberSequence


class NumberPatternError(ValueError):
    pass


def next_value(key: str) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_value() must run inside the transaction that uses the number")
    _check_pending_references()
    try:
        with transaction.atomic():
            NumberSequence.objects.get_or_create(key=key)
    except IntegrityError:
        pass  # created by a concurrent caller in the meantime
    sequence = NumberSequence.objects.select_for_update().get(key=key)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return sequence.last_value


def _check_pending_references() -> None:
    """Run the transaction's deferred foreign-key checks now, before the sequence is locked.

    PostgreSQL checks Django's foreign keys at COMMIT, taking a share lock on each referenced
    row (e.g. the existing customer a new duplicate flag names). Taken then, after the
    sequence, it deadlocks with a transaction that locked that row first and now waits for
    the sequence. Checked here, every row is locked before the sequence, in both orders."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # runs the pending checks now
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # later statements as before


def format_number(pattern: str, **parts: Any) -> str:
    """Fill a pattern such as "{year}-{dept}-{seq:03d}"; a wrong pattern is a clear error."""
    parts.setdefault("year", datetime.date.today().year)
    try:
        return pattern.format(**parts)
    except (KeyError, IndexError, ValueError) as error:
        raise NumberPatternError(f"invalid number pattern {pattern!r}: {error}") from error


def allocate(pattern: str, key: str, **parts: Any) -> str:
    """Take the next number of `key` and format it with `pattern` (as `{seq}`)."""
    return format_number(pattern, seq=next_value(key), **parts)
