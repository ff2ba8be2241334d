"""Financial statements: the ratios of a hand-computed statement, entry in 万元, and the
refusals — a sheet that does not balance (with the difference), a period entered twice,
negative figures."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kehu.core.models import User
from kehu.credit import statements
from kehu.credit.models import FinancialStatement
from kehu.customers.models import Customer

D = Decimal

# A year, in 元: the ratios below are worked out by hand.
YEAR = {
    "period_kind": "year", "year": 2025, "part": 0, "unit": "yuan",
    "cash": D("100000"), "receivables": D("300000"), "inventory": D("200000"),
    "current_assets": D("800000"), "total_assets": D("2000000"),
    "current_liabilities": D("400000"), "total_liabilities": D("1200000"),
    "equity": D("800000"), "revenue": D("3600000"), "cost_of_sales": D("2700000"),
    "operating_profit": D("450000"), "interest_expense": D("90000"),
    "net_profit": D("270000"), "operating_cash_flow": D("240000"),
    "investing_cash_flow": D("-50000"), "financing_cash_flow": D("0"),
}  # fmt: skip


@pytest.mark.django_db
def test_ratios_of_a_hand_computed_statement(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    statement = statements.statement_create(make_customer(), YEAR, by=demo["credit"])
    assert statements.ratios(statement) == {
        "current": D("2.00"),  # 800,000 / 400,000
        "quick": D("1.50"),  # (800,000 − 200,000) / 400,000
        "debt_to_assets": D("60.00"),  # 1,200,000 / 2,000,000
        "gross_margin": D("25.00"),  # (3,600,000 − 2,700,000) / 3,600,000
        "net_margin": D("7.50"),  # 270,000 / 3,600,000
        "receivable_days": D("30.00"),  # 300,000 × 360 / 3,600,000
        "inventory_days": D("26.67"),  # 200,000 × 360 / 2,700,000
        "interest_cover": D("5.00"),  # 450,000 / 90,000
        "cash_flow_to_liabilities": D("20.00"),  # 240,000 / 1,200,000
    }


@pytest.mark.django_db
def test_wan_entry_quarter_and_zero_denominators(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    in_wan: dict[str, Any] = {
        k: (v / 10000 if isinstance(v, Decimal) else v) for k, v in YEAR.items()
    }
    in_wan.update(period_kind="quarter", part=2, unit="wan", interest_expense=D("0"),
                  revenue=D("90"), cost_of_sales=D("67.5"))  # fmt: skip
    statement = statements.statement_create(make_customer(), in_wan, by=demo["credit"])
    assert statement.total_assets == D("2000000.00") and statement.revenue == D("900000.00")
    values = statements.ratios(statement)
    assert values["interest_cover"] is None
    assert values["receivable_days"] == D("30.00")  # 300,000 × 90 / 900,000


@pytest.mark.django_db
def test_refusals(demo: dict[str, User], make_customer: Callable[..., Customer]) -> None:
    customer = make_customer()
    with pytest.raises(ValidationError) as refused:
        statements.statement_create(customer, {**YEAR, "equity": D("700000")}, by=demo["credit"])
    assert "100,000.00" in refused.value.message_dict["total_assets"][0]
    with pytest.raises(ValidationError) as refused:
        statements.statement_create(
            customer, {**YEAR, "inventory": D("-1"), "part": 3}, by=demo["credit"]
        )
    assert {"inventory", "part"} <= set(refused.value.message_dict)
    assert not FinancialStatement.objects.exists()
    statements.statement_create(customer, YEAR, by=demo["credit"])
    with pytest.raises(ValidationError, match="already entered"):
        statements.statement_create(customer, YEAR, by=demo["credit"])
    assert FinancialStatement.objects.count() == 1


@pytest.mark.django_db
def test_statements_page(
    demo: dict[str, User], client_for: Callable[..., Client], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    credit = client_for("credit")
    data = {k: str(v) for k, v in YEAR.items()}
    bad = credit.post(f"/credit/customers/{customer.pk}/statements/", {**data, "equity": "1"})
    assert bad.status_code == 400 and "799,999.00" in bad.content.decode()
    done = credit.post(f"/credit/customers/{customer.pk}/statements/", data)
    assert done.status_code == 302
    page = credit.get(f"/credit/customers/{customer.pk}/statements/").content.decode()
    assert 'data-ratio="current"' in page and "26.67" in page
    manager = client_for("manager1")
    assert manager.get(f"/credit/customers/{customer.pk}/statements/").status_code == 403
