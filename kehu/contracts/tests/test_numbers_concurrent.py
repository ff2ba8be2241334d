"""CON-1: contract numbers under concurrency on PostgreSQL: many handlers registering
contracts of one department at once get unique, gap-free numbers; a rolled-back
registration gives its number back. (SQLite's IMMEDIATE transactions serialise writers.)"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from kehu.audit.context import acting_as, actor_for
from kehu.contracts import services
from kehu.contracts.models import Contract
from kehu.contracts.tests.conftest import contract_data
from kehu.core.models import User
from kehu.customers.models import Customer

YEAR = timezone.localdate().year


def _register(pk: int, user: User, start: threading.Barrier, fail: bool, errors: list[Any]) -> None:
    try:
        start.wait(timeout=30)
        customer = Customer.objects.get(pk=pk)
        with acting_as(actor_for(user)), transaction.atomic():
            services.contract_create(contract_data(customer, user))
            if fail:
                raise RuntimeError("rolled back on purpose")
    except RuntimeError:
        pass
    except BaseException as error:
        errors.append(error)
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_unique_gap_free_numbers(
    migration_seeds: None, demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); run with KEHU_DATABASE_URL=postgres://…")
    workers = 12
    customers = [make_customer(("manager1", "manager2")[n % 2]).pk for n in range(workers)]
    start = threading.Barrier(workers)
    errors: list[Any] = []
    threads = [
        threading.Thread(
            target=_register,
            args=(pk, demo["manager1" if n % 2 == 0 else "manager2"], start, n % 4 == 3, errors),
        )
        for n, pk in enumerate(customers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    kept = workers - workers // 4
    numbers = sorted(Contract.objects.values_list("number", flat=True))
    assert numbers == [f"HT-SALE-{YEAR}-{n:04d}" for n in range(1, kept + 1)]
