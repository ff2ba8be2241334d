"""Sealing events into the chain: giving them `seq`, `prev_hash` and a keyed `hash`.

Only the chain-head row orders the chain, and nobody ever waits for it while holding a
business lock: `record()` seals its event at once only when it gets the head without
waiting (PostgreSQL FOR UPDATE SKIP LOCKED; on SQLite the IMMEDIATE transaction already
excludes every other writer), else it inserts the event unsealed and seals the backlog right
after the writer's commit, in its own short transaction whose first lock is the head. A
sealer then only updates committed unsealed events, which no other transaction locks, so it
never waits while holding the head: the head can take part in no deadlock. Every sealing
happens under the head lock and moves the head in the same transaction, so the chain has no
gaps and no forks.

Of the writers that seal after commit only one at a time waits for the head (the sealer's
turn, a transaction-level advisory lock taken without waiting): the others return at once,
because the turn's holder looks for unsealed events again after it has released the turn
and seals them too (see `seal_backlog`).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from kehu.audit.chain import HASHED_FIELDS, event_hash
from kehu.audit.keys import audit_key
from kehu.audit.models import SCHEME_HMAC, AuditEvent, ChainHead

SEAL_BATCH = 500
SEALED_FIELDS = ["seq", "prev_hash", "hash", "scheme"]
# The advisory lock key of the sealer's turn ("kehuaudt").
SEALER_TURN = 0x6B65687561756474
# Sealing rounds one writer does after its commit before it leaves the rest to the next
# writer or the interval job (a writer should not seal a long burst of others' events).
SEALER_ROUNDS = 20


def try_lock_head() -> ChainHead | None:
    """The head, locked, if no other transaction holds it; None instead of waiting."""
    if connection.vendor != "postgresql":
        return ChainHead.objects.get(pk=1)
    # SKIP LOCKED returns no row instead of failing: no savepoint is needed, and a head
    # this transaction already holds is returned as well.
    return ChainHead.objects.select_for_update(skip_locked=True).filter(pk=1).first()


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


def _seal_batch(key: bytes, batch: int) -> int:
    """In the caller's transaction: lock the head (waiting) and seal up to `batch` events."""
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
    return len(rows)


def seal_pending(batch: int = SEAL_BATCH) -> int:
    """Seal every committed event that is not in the chain yet, in insertion order.

    Call it outside the writer's transaction (after commit, from a job or a command)."""
    from kehu.audit.heads import export_if_due

    key = audit_key()
    sealed = 0
    while True:
        with transaction.atomic():
            count = _seal_batch(key, batch)
        sealed += count
        if count < batch:
            return sealed
        export_if_due()


def _take_sealer_turn() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEALER_TURN])
        return bool(cursor.fetchone()[0])


def seal_backlog(rounds: int = SEALER_ROUNDS) -> int | None:
    """After a writer's commit: seal the events left unsealed, unless another sealer has
    its turn (None) — that one seals them. A sealer whose turn ends looks again for unsealed
    events (committed before any writer found the turn taken) and takes another turn if there
    are some, so no event committed before a failed try is left behind."""
    if connection.vendor != "postgresql":
        return seal_pending()
    key = audit_key()
    sealed = 0
    for round_no in range(rounds):
        with transaction.atomic():
            if not _take_sealer_turn():
                return sealed if round_no else None
            sealed += _seal_batch(key, SEAL_BATCH)
        if not AuditEvent.objects.filter(seq__isnull=True).exists():
            break
    return sealed


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
        if self.unsealed:
            if seal_backlog() is None:
                return  # the sealer that has the turn exports after sealing
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
