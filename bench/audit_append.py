"""Benchmark 1 — appending to the audit chain.

Subject: `kehu.audit.services.record` (seals at once when the chain head is free, else after
commit). Baseline: `AuditEvent.objects.create` of the same rows with precomputed random
hashes, no head lock and no hashing, in the same transaction pattern. Cases: one transaction
per event; N events in one transaction; on PostgreSQL also 2 processes appending at once.
Writers: 1, 2 and 4 processes appending at once with `record()` and with the former append
(wait for the head lock inside the writer's transaction, plain SHA-256), events/s and the
ratio former/current.

Django is imported inside the functions: the concurrent appenders are spawned processes
that import this module before they set Django up.
"""

from __future__ import annotations

import multiprocessing
import random
import secrets
import time
from typing import Any

from bench.harness import Measurement, Results, log, measure_alternating

ACTOR = ("bench", "127.0.0.1")


def _contents(count: int, seed: int) -> list[dict[str, Any]]:
    from bench.data import event_content

    rng = random.Random(seed)
    return [event_content(i, rng) for i in range(count)]


def _plain_rows(contents: list[dict[str, Any]], first_seq: int) -> list[dict[str, Any]]:
    """What the baseline inserts: the same columns, hashes precomputed (random, like real
    ones, so the unique indexes see the same insert pattern)."""
    return [
        {
            "seq": first_seq + i,
            "actor_id": None,
            "actor_username": ACTOR[0],
            "source_ip": ACTOR[1],
            **content,
            "prev_hash": secrets.token_hex(32),
            "hash": secrets.token_hex(32),
        }
        for i, content in enumerate(contents)
    ]


def _append_chain(contents: list[dict[str, Any]], one_transaction: bool) -> None:
    from django.db import transaction

    from kehu.audit.context import Actor
    from kehu.audit.services import record

    actor = Actor(None, *ACTOR)

    def run() -> None:
        for c in contents:
            record(
                c["action"],
                changes=c["changes"],
                extra=c["extra"],
                actor=actor,
                object_type=c["object_type"],
                object_id=c["object_id"],
                object_repr=c["object_repr"],
            )

    if one_transaction:
        with transaction.atomic():
            run()
    else:
        run()


def _append_plain(rows: list[dict[str, Any]], one_transaction: bool) -> None:
    from django.db import transaction
    from django.utils import timezone

    from kehu.audit.models import AuditEvent

    def create(row: dict[str, Any]) -> None:
        AuditEvent.objects.create(occurred_at=timezone.now(), **row)

    if one_transaction:
        with transaction.atomic():
            for row in rows:
                create(row)
    else:
        for row in rows:
            with transaction.atomic():
                create(row)


def _append_former(contents: list[dict[str, Any]]) -> None:
    """The append before sealing: every writer waits for the head row lock in its own
    transaction, hashes with plain SHA-256, inserts, moves the head."""
    from django.db import transaction
    from django.utils import timezone

    from kehu.audit.chain import event_hash
    from kehu.audit.models import AuditEvent, ChainHead

    for c in contents:
        with transaction.atomic():
            head = ChainHead.objects.select_for_update().get(pk=1)
            row: dict[str, Any] = {
                "seq": head.seq + 1,
                "occurred_at": timezone.now(),
                "actor_id": None,
                "actor_username": ACTOR[0],
                "source_ip": ACTOR[1],
                **c,
                "prev_hash": head.hash,
            }
            row["hash"] = event_hash(row)
            AuditEvent.objects.create(**row)
            head.seq, head.hash = row["seq"], row["hash"]
            head.save(update_fields=["seq", "hash"])


def _appender(index: int, count: int, barrier: Any, commands: Any, results: Any) -> None:
    """A concurrent appender process: waits for a command, then appends `count` events."""
    import django

    django.setup()
    contents = _contents(count, seed=100 + index)
    while (kind := commands.get()) is not None:
        rows = _plain_rows(contents, first_seq=(index + 1) * 10**9)
        barrier.wait()
        start = time.perf_counter()
        if kind == "chain":
            _append_chain(contents, one_transaction=False)
        elif kind == "former":
            _append_former(contents)
        else:
            _append_plain(rows, one_transaction=False)
        results.put((index, start, time.perf_counter()))


def _concurrent(
    results: Results,
    count: int,
    reps: int,
    processes: int = 2,
    kinds: tuple[tuple[str, str, str], ...] = (
        ("plain", "concurrent_plain", "create(), {n} processes"),
        ("chain", "concurrent_chain", "record(), {n} processes"),
    ),
) -> None:
    from bench.data import reset_chain
    from kehu.audit.chain import verify_rows
    from kehu.audit.sealing import seal_pending
    from kehu.audit.selectors import chain_rows, verify_chain

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes)
    out = ctx.Queue()
    queues = [ctx.Queue() for _ in range(processes)]
    workers = [
        ctx.Process(target=_appender, args=(i, count, barrier, queues[i], out))
        for i in range(processes)
    ]
    for w in workers:
        w.start()
    total = count * processes
    measured = [
        (results.add(Measurement(key, label.format(n=processes), total, "events")), kind)
        for kind, key, label in kinds
    ]
    try:
        for round_no in range(reps + 1):
            for measurement, kind in measured:
                reset_chain()
                for q in queues:
                    q.put(kind)
                spans = [out.get(timeout=600) for _ in workers]
                elapsed = max(s[2] for s in spans) - min(s[1] for s in spans)
                if round_no:
                    measurement.times.append(elapsed)
                if kind in ("chain", "former"):
                    seal_pending()  # normally done: the writers' after-commit sealing
                    # The former append writes plain SHA-256, which verify_chain rejects
                    # while a key is configured: its chain is checked link by link only.
                    check = (
                        verify_chain(exports=False)
                        if kind == "chain"
                        else verify_rows(chain_rows())
                    )
                    if not (check.ok and check.count == total):
                        raise RuntimeError(f"concurrent appends broke the chain: {check}")
            log(f"concurrent round {round_no}/{reps} ({processes} processes) done")
        results.facts["concurrent_chain_verified"] = True
    finally:
        for q in queues:
            q.put(None)
        for w in workers:
            w.join(timeout=60)


def run(config: dict[str, Any]) -> Results:
    from django.db import connection

    from bench.data import reset_chain

    count = int(config["append_events"])
    batch = int(config["append_batch"])
    reps = int(config["reps"])
    results = Results("audit_append")
    results.facts.update(per_event_events=count, one_transaction_events=batch)

    contents = _contents(max(count, batch), seed=7)
    single, many = contents[:count], contents[:batch]
    rows_single, rows_many = _plain_rows(single, 1), _plain_rows(many, 1)

    cases = [
        (
            Measurement("tx_each_plain", "create(), 1 transaction/event", count, "events"),
            lambda: _append_plain(rows_single, one_transaction=False),
        ),
        (
            Measurement("tx_each_chain", "record(), 1 transaction/event", count, "events"),
            lambda: _append_chain(single, one_transaction=False),
        ),
        (
            Measurement("tx_one_plain", f"create(), {batch} in 1 transaction", batch, "events"),
            lambda: _append_plain(rows_many, one_transaction=True),
        ),
        (
            Measurement("tx_one_chain", f"record(), {batch} in 1 transaction", batch, "events"),
            lambda: _append_chain(many, one_transaction=True),
        ),
    ]
    for measurement, _fn in cases:
        results.add(measurement)
    measure_alternating(cases, reps, before_each=reset_chain)
    results.compare("append, 1 transaction per event", "tx_each_chain", "tx_each_plain")
    results.compare(f"append, {batch} events in 1 transaction", "tx_one_chain", "tx_one_plain")

    if connection.vendor == "postgresql":
        _concurrent(results, count, reps)
        results.compare("append, 2 processes at once", "concurrent_chain", "concurrent_plain")
        results.compare(
            "record(): 2 processes vs 1 process",
            "concurrent_chain",
            "tx_each_chain",
            note="ratio < 1: the two processes together append faster than one",
        )
    else:
        results.facts["concurrent"] = "create() vs record(): PostgreSQL only"
    _writers(results, count, reps)
    return results


def _writers(results: Results, count: int, reps: int) -> None:
    """record() against the former append with 1, 2 and 4 writer processes."""
    per_writer = max(count // 4, 50)
    results.facts["writers_events_each"] = per_writer
    for writers in (1, 2, 4):
        kinds = (
            ("former", f"writers{writers}_former", "former append, {n} writers"),
            ("chain", f"writers{writers}_record", "record(), {n} writers"),
        )
        _concurrent(results, per_writer, reps, writers, kinds)
        results.compare(
            f"{writers} writers: former append / record()",
            f"writers{writers}_former",
            f"writers{writers}_record",
            note="ratio > 1: record() appends faster than the former head-locking append",
        )
