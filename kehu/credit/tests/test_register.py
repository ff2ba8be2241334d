"""The credit register: utilisation of the limit and the worst ageing bucket per account,
sorted either way by them, and exported with them."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from openpyxl import load_workbook

from kehu.core.models import User
from kehu.credit import receivables, selectors, services
from kehu.credit.models import LimitKind
from kehu.customers.models import Customer


def invoice(customer: Customer, number: str, due: datetime.date, amount: str) -> None:
    receivables.invoices_upsert(
        [(1, {"customer": str(customer.pk), "number": number, "date": "2026-01-01",
              "due_date": due.isoformat(), "amount": amount})],
        source="t",
    )  # fmt: skip


@pytest.mark.django_db
def test_register_utilisation_ageing_and_sort(
    demo: dict[str, User], client_for: Callable[..., Client], make_customer: Callable[..., Customer]
) -> None:
    today = datetime.date.today()
    half, overdue, no_limit = make_customer(), make_customer(), make_customer()
    for customer, limit in ((half, "1000"), (overdue, "100000")):
        services.limit_grant(
            customer, kind=LimitKind.NEW, limit_amount=Decimal(limit), by=demo["credit"]
        )
    invoice(half, "R-1", today + datetime.timedelta(days=10), "500")
    invoice(overdue, "R-2", today - datetime.timedelta(days=45), "1000")
    invoice(no_limit, "R-3", today - datetime.timedelta(days=130), "10")

    read = selectors.register_rows(demo["credit"], today).values(
        "customer_id", "utilisation", "worst_bucket"
    )
    rows = {a["customer_id"]: SimpleNamespace(**a) for a in read}
    assert rows[half.pk].utilisation == Decimal("50.0") and rows[half.pk].worst_bucket == ""
    assert rows[overdue.pk].utilisation == Decimal("1.0")
    assert rows[overdue.pk].worst_bucket == "31-60"
    assert rows[no_limit.pk].utilisation is None and rows[no_limit.pk].worst_bucket == "121+"

    credit = client_for("credit")

    def order(sort: str) -> list[int]:
        page = credit.get("/credit/", {"sort": sort}).content.decode()
        shown = [c.pk for c in (half, overdue, no_limit)]
        return sorted(shown, key=lambda pk: page.index(f'data-customer="{pk}"'))

    assert order("-utilisation") == [half.pk, overdue.pk, no_limit.pk]
    assert order("-ageing") == [no_limit.pk, overdue.pk, half.pk]
    assert order("ageing") == [half.pk, overdue.pk, no_limit.pk]
    export = credit.get("/credit/register.xlsx", {"sort": "-utilisation"})
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values[1]
    assert "utilisation (%)" in header or "额度使用率（%）" in header
    first = values[2]
    assert first[0] == half.name and 50 in (first[4], Decimal("50.0"), "50.0")
