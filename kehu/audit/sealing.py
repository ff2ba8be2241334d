"""Sealing events into the chain: giving them `seq`, `prev_hash` and a keyed `hash`.

Only the chain-head row orders the chain, and nobody ever waits for it while holding a
business lock: `record()` seals its event at once only when it gets the head without
waiting (PostgreSQL NOWAIT; on SQLite the IMMEDIATE transaction already excludes every
other writer), else it inserts the event unsealed and `seal_pending()` seals it right after
the writer's commit, in its own short transaction whose first lock is the head. A sealer
then only updates committed unsealed events, which no other transaction locks, so it never
waits while holding the head: the head can take part in no deadlock. Every sealing happens
under the head lock and moves the head in the same transaction, so the chain has no gaps
and no forks.
"""

from __future__ import annotations

from typing import Any

from django.db import OperationalError, connection, transaction

from kehu.audit.chain import HASHED_FIELDS, event_hash
from kehu.audit.keys import audit_key
from kehu.audit.models import SCHEME_HMAC, AuditEvent, ChainHead

SEAL_BATCH = 500
SEALED_FIELDS = ["seq", "prev_hash", "hash", "scheme"]


class HeadHeld:
    """Marks (in the transaction's on-commit list) that it locked the head. Django drops the
    mark when a savepoint around the locking rolls back, which releases the lock too."""

    def __init__(self) -> None:
        self.ran = False

    def __call__(self) -> None:
        self.ran = True


def try_lock_head() -> ChainHead | None:
    """The head, locked, if no other transaction holds it; None instead of waiting."""
    if connection.vendor != "postgresql":
        return ChainHead.objects.get(pk=1)
    if any(isinstance(e[1], HeadHeld) and not e[1].ran for e in connection.run_on_commit):
        return ChainHead.objects.get(pk=1)  # already ours: no savepoint, no lock request
    try:
        with transaction.atomic():
            head = ChainHead.objects.select_for_update(nowait=True).get(pk=1)
    except OperationalError:
        return None
    transaction.on_commit(HeadHeld())
    return head


def seal_row(row: dict[str, Any], head: ChainHead, key: bytes) -> None:
    """Append `row` after `head` (locked by the caller) and move the head to it."""
    row["seq"] = head.seq + 1
    row["prev_hash"] = head.hash
    row["scheme"] = SCHEME_HMAC
    row["hash"] = event_hash(row, key)
    head.seq, head.hash = row["seq"], row["hash"]
    if head.keyed_from is None:
        head.keyed_from = row["seq"]


def save_head(head: ChainHead) -> None:
    head.save(update_fields=["seq", "hash", "keyed_from"])


def seal_pending(batch: int = SEAL_BATCH) -> int:
    """Seal the committed events that are not in the chain yet, in insertion order.

    Call it outside the writer's transaction (after commit, from a job or a command)."""
    from kehu.audit.heads import export_if_due

    key = audit_key()
    sealed = 0
    while True:
        with transaction.atomic():
            head = ChainHead.objects.select_for_update().get(pk=1)
            rows = list(
                AuditEvent.objects.filter(seq__isnull=True)
                .order_by("id")
                .values("id", *HASHED_FIELDS)[:batch]
            )
            events = []
            for row in rows:
                seal_row(row, head, key)
                events.append(AuditEvent(id=row["id"], **{f: row[f] for f in SEALED_FIELDS}))
            if events:
                AuditEvent.objects.bulk_update(events, SEALED_FIELDS)
                save_head(head)
        sealed += len(rows)
        if len(rows) < batch:
            return sealed
        export_if_due()


class AfterCommit:
    """Once the writer's transaction commits: seal what it could not seal at once, then
    export the head if due. The head the writer locked says whether an export is due
    without a query, so the common case costs nothing."""

    def __init__(self) -> None:
        self.unsealed = False
        self.head: ChainHead | None = None
        self.ran = False  # (a test's captured callbacks run without a commit)

    def __call__(self) -> None:
        from django.utils import timezone

        from kehu.audit.heads import export_due, export_if_due

        self.ran = True
        if self.unsealed and AuditEvent.objects.filter(seq__isnull=True).exists():
            seal_pending()
        elif self.head is not None and not export_due(self.head, timezone.now()):
            return
        export_if_due()


def seal_after_commit(head: ChainHead | None) -> None:
    """Register (once per transaction) the after-commit step for an event that was sealed
    with `head` locked, or left unsealed (`head` None)."""
    # Reuse a registration made in a savepoint that is still open around this event.
    current = set(connection.savepoint_ids)
    step = None
    for entry in connection.run_on_commit:
        if isinstance(entry[1], AfterCommit) and not entry[1].ran and set(entry[0]) <= current:
            step = entry[1]
    if step is None:
        step = AfterCommit()
        transaction.on_commit(step, robust=True)
    if head is None:
        step.unsealed = True
    else:
        step.head = head
