"""Concurrent writers queue up behind the chain head: one chain, no gaps, no forks."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from kehu.audit.context import Actor, acting_as
from kehu.audit.models import AuditEvent, ChainHead
from kehu.audit.selectors import verify_chain
from kehu.audit.services import record

WAIT_LIMIT = 30  # seconds; only a hung test reaches it


def append_concurrently(writers: int, events_each: int) -> None:
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            start.wait(timeout=30)
            with acting_as(Actor(None, f"writer{number}", "127.0.0.1")):
                for index in range(events_each):
                    with transaction.atomic():
                        record("test.concurrent", extra={"writer": number, "index": index})
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    assert not errors, errors


def assert_one_chain(expected: int) -> None:
    assert AuditEvent.objects.count() == expected
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, expected + 1)), "gap in the chain"
    prev_hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(prev_hashes)) == expected, "two events follow the same event (a fork)"
    result = verify_chain()
    assert result.ok, result.problem
    assert result.count == expected
    head = ChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (result.head_seq, result.head_hash)
    per_writer = {
        (e["writer"], e["index"]) for e in AuditEvent.objects.values_list("extra", flat=True)
    }
    assert len(per_writer) == expected, "an event was lost or written twice"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_writers_on_postgresql_leave_one_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); run with KEHU_DATABASE_URL=postgres://…")
    append_concurrently(writers=20, events_each=10)
    assert_one_chain(200)


@pytest.mark.django_db(transaction=True)
def test_five_writers_on_sqlite_leave_one_chain() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant of the PostgreSQL test above")
    append_concurrently(writers=5, events_each=10)
    assert_one_chain(50)


def run_in_thread(work: object) -> threading.Thread:
    def target() -> None:
        try:
            work()  # type: ignore[operator]
        finally:
            connection.close()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def wait_for(condition: object) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def sealer_turn_taken() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()"
        )
        return bool(cursor.fetchone()[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_only_one_writer_waits_to_seal_and_it_seals_the_others_events() -> None:
    """While a transaction holds the head, the first writer that has to seal after its
    commit waits for it; the next ones return at once, and the waiting one seals their
    events as well."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); run with KEHU_DATABASE_URL=postgres://…")
    holding, release = threading.Event(), threading.Event()

    def hold_head() -> None:
        with transaction.atomic():
            ChainHead.objects.select_for_update().get(pk=1)
            holding.set()
            release.wait(WAIT_LIMIT)

    holder = run_in_thread(hold_head)
    assert holding.wait(WAIT_LIMIT)
    first = run_in_thread(lambda: record("test.first"))
    wait_for(sealer_turn_taken)
    started = time.monotonic()
    for _n in range(3):
        record("test.later")
    returned_after = time.monotonic() - started
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 4
    release.set()
    holder.join(WAIT_LIMIT)
    first.join(WAIT_LIMIT)
    assert not first.is_alive()
    assert returned_after < 5  # the holder waited up to WAIT_LIMIT seconds
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)) == [
        "test.first",
        *["test.later"] * 3,
    ]
    assert verify_chain(exports=False).ok
