"""The demo contracts: made through the services for active demo customers, loaded once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kehu.contracts import demo as contracts_demo
from kehu.contracts.models import Contract, Handover, StatisticsReport
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.customers.services import change_status

pytestmark = pytest.mark.django_db


def test_demo_contracts_in_many_states(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    for n in range(12):
        customer = make_customer(("manager1", "manager3", "manager4")[n % 3])
        customer = change_status(customer, "in_filing", "备案", demo["gm"])
        change_status(customer, "active", "备案通过", demo["gm"])
    assert contracts_demo.load() > 12
    statuses = set(Contract.objects.values_list("status", flat=True))
    assert {"draft", "signed", "performing", "completed", "terminated"} <= statuses
    assert Contract.objects.filter(contract_type="supplement", parent__isnull=False).exists()
    assert Contract.objects.filter(disputed=True).exists()
    assert Handover.objects.filter(status="open").exists()
    assert StatisticsReport.objects.count() == 1
    assert contracts_demo.load() == 0  # kept on later runs
