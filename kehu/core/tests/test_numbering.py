"""Numbers from patterns: unique and gap-free, also when callers roll back or run at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from kehu.core import numbering
from kehu.core.models import NumberSequence


@pytest.mark.django_db
def test_numbers_follow_each_other_per_key() -> None:
    with transaction.atomic():
        first = numbering.allocate(
            "{year}-{dept}-{seq:03d}", "archive:2026:SALE", year=2026, dept="SALE"
        )
        second = numbering.allocate(
            "{year}-{dept}-{seq:03d}", "archive:2026:SALE", year=2026, dept="SALE"
        )
        other = numbering.allocate(
            "{year}-{dept}-{seq:03d}", "archive:2026:MKT", year=2026, dept="MKT"
        )
    assert (first, second, other) == ("2026-SALE-001", "2026-SALE-002", "2026-MKT-001")


@pytest.mark.django_db
def test_a_rolled_back_number_is_given_again() -> None:
    with transaction.atomic():
        assert numbering.next_value("case") == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert numbering.next_value("case") == 2
        raise RuntimeError("the caller fails after taking the number")
    with transaction.atomic():
        assert numbering.next_value("case") == 2


@pytest.mark.django_db
def test_bad_patterns_are_a_clear_error() -> None:
    with pytest.raises(numbering.NumberPatternError):
        numbering.format_number("{year}-{unknown}-{seq}", seq=1)


def allocate_concurrently(workers: int, each: int) -> list[int]:
    start = threading.Barrier(workers)
    taken: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            start.wait(timeout=30)
            for _ in range(each):
                with transaction.atomic():
                    value = numbering.next_value("concurrent")
                with lock:
                    taken.append(value)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return taken


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_on_postgresql_are_unique_and_gap_free() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); run with KEHU_DATABASE_URL=postgres://…")
    taken = allocate_concurrently(workers=10, each=10)
    assert sorted(taken) == list(range(1, 101))
    assert NumberSequence.objects.get(key="concurrent").last_value == 100


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError):
        numbering.next_value("case")


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_on_sqlite_are_unique_and_gap_free() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant of the PostgreSQL test above")
    taken = allocate_concurrently(workers=4, each=10)
    assert sorted(taken) == list(range(1, 41))
