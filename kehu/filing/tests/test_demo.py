"""The demo filings: one per state, made through the services, loaded once."""

from __future__ import annotations

import pytest

from kehu.core.models import User
from kehu.customers.models import CustomerStatus
from kehu.filing import demo as filing_demo
from kehu.filing.models import Filing

pytestmark = pytest.mark.django_db


def test_demo_filings_in_every_state(demo: dict[str, User]) -> None:
    assert filing_demo.load() == len(filing_demo.PLAN)
    stages = dict(Filing.objects.values_list("customer__name", "stage"))
    assert stages == {name: target for target, name, _industry in filing_demo.PLAN}
    assert Filing.objects.get(stage="approved").customer.status == CustomerStatus.ACTIVE
    assert Filing.objects.get(stage="rejected").customer.status == CustomerStatus.REJECTED
    assert Filing.objects.get(stage="due_diligence").high_risk
    assert filing_demo.load() == 0  # kept on later runs
