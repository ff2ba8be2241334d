"""CON-4: the semi-annual contract statistics against hand-counted fixtures: by department,
type and currency, counts and amounts, the previous half-year beside them; due 10 January and
10 July; generated as Excel and PDF and kept as versioned reports."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from kehu.audit.models import AuditEvent
from kehu.contracts import reminders, services, statistics
from kehu.contracts.models import Contract, StatisticsReport
from kehu.core import storage
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.ops.reminders import run_reminders

pytestmark = pytest.mark.django_db

H1_2026 = statistics.half_year(dt.date(2026, 3, 1))
D = dt.date


@pytest.fixture
def events(
    demo: dict[str, User],
    make_customer: Callable[..., Customer],
    make_contract: Callable[..., Contract],
) -> None:
    """SALE: A and B sales signed in 2026 H1 (100.00, 250.50), B performed; C sales signed in
    2025 H2 (40.00), terminated in 2026 H1; D service signed in 2025 H2 (10.00), disputed in
    2026 H1. MKT: E purchase in USD signed in 2026 H1 (999.99). Outside both half-years:
    F signed 2026-07-01, G signed 2025-06-30."""
    sale, mkt = make_customer("manager1"), make_customer("manager3")
    m1, m3 = demo["manager1"], demo["manager3"]

    def signed(customer: Customer, on: dt.date, amount: str, by: User, **extra: object) -> Contract:
        contract = make_contract(
            customer, by=by.username, amount=Decimal(amount), effective_on=None, **extra
        )
        return services.contract_transition(contract, "signed", by=by, on=on)

    signed(sale, D(2026, 2, 1), "100.00", m1)
    b = signed(sale, D(2026, 3, 15), "250.50", m1)
    services.contract_transition(b, "completed", by=m1, on=D(2026, 6, 30))
    c = signed(sale, D(2025, 8, 1), "40.00", m1)
    services.contract_transition(c, "terminated", by=m1, on=D(2026, 1, 10), reason="违约")
    d = signed(sale, D(2025, 12, 31), "10.00", m1, contract_type="service")
    services.contract_mark_disputed(d, by=m1, reason="质量争议", on=D(2026, 4, 1))
    signed(mkt, D(2026, 5, 5), "999.99", m3, contract_type="purchase", currency="USD")
    signed(sale, D(2026, 7, 1), "7.00", m1)
    signed(sale, D(2025, 6, 30), "8.00", m1)


def test_the_figures_are_the_hand_counted_ones(events: None) -> None:
    lines = [
        (line.unit_code, line.contract_type, line.currency, line.kind, line.count,
         line.amount, line.previous_count, line.previous_amount)
        for line in statistics.aggregate(H1_2026)
    ]  # fmt: skip
    zero = Decimal("0")
    assert lines == [
        ("MKT", "purchase", "USD", "signed", 1, Decimal("999.99"), 0, zero),
        ("SALE", "sales", "CNY", "signed", 2, Decimal("350.50"), 1, Decimal("40.00")),
        ("SALE", "sales", "CNY", "completed", 1, Decimal("250.50"), 0, zero),
        ("SALE", "sales", "CNY", "terminated", 1, Decimal("40.00"), 0, zero),
        ("SALE", "service", "CNY", "signed", 0, zero, 1, Decimal("10.00")),
        ("SALE", "service", "CNY", "disputed", 1, Decimal("10.00"), 0, zero),
    ]


def test_due_on_10_january_and_10_july() -> None:
    assert H1_2026.due_on == D(2026, 7, 10)
    assert H1_2026.previous == statistics.Period(D(2025, 7, 1), D(2025, 12, 31))
    assert H1_2026.previous.due_on == D(2026, 1, 10)
    assert statistics.period_due(D(2026, 7, 5)) == H1_2026
    assert statistics.period_due(D(2027, 1, 2)).start == D(2026, 7, 1)


def test_reports_are_kept_as_versions_with_their_files(events: None, demo: dict[str, User]) -> None:
    first = statistics.report_generate(H1_2026, by=demo["credit"])
    second = statistics.report_generate(H1_2026, by=demo["credit"])
    assert (first.number, second.number) == (1, 2)
    assert first.due_on == D(2026, 7, 10)
    with storage.open_plain(first.xlsx_name) as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert ["销售部 (SALE)", "Sales contract", "CNY", "Signed", 2, "350.50", 1, "40.00"] in values
    with storage.open_plain(first.pdf_name) as handle:
        assert handle.read(5) == b"%PDF-"
    assert AuditEvent.objects.filter(action="contracts.statisticsreport.generate").count() == 2


def test_the_statistics_page_generates_and_downloads(
    events: None, client_for: Callable[..., Client]
) -> None:
    assert client_for("manager1").get("/contracts/statistics/").status_code == 403
    client = client_for("credit")
    page = client.get("/contracts/statistics/")
    assert page.status_code == 200
    response = client.post("/contracts/statistics/", {"year": 2026, "half": 1})
    assert response.status_code == 302
    report = StatisticsReport.objects.get()
    download = client.get(f"/contracts/statistics/{report.pk}/xlsx/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"  # type: ignore[attr-defined]
    assert client_for("gm").get(f"/contracts/statistics/{report.pk}/pdf/").status_code == 200
    assert (
        client_for("gm").post("/contracts/statistics/", {"year": 2026, "half": 2}).status_code
        == 403
    )
    assert AuditEvent.objects.filter(action="contracts.statisticsreport.download").count() == 2


def test_the_report_is_a_reminder_rule_until_generated(demo: dict[str, User]) -> None:
    (due,) = reminders.semiannual_pending(D(2026, 7, 1), None)
    assert due.deadline == D(2026, 7, 10)
    assert [u.username for u in due.recipients] == ["credit"]
    assert list(reminders.semiannual_pending(D(2026, 7, 1), demo["manager1"])) == []
    # Seven working days ahead: the reminder ten days ahead goes to the contract officer, once.
    assert run_reminders(D(2026, 7, 1), [reminders.SEMIANNUAL]) == {reminders.SEMIANNUAL: 1}
    assert run_reminders(D(2026, 7, 2), [reminders.SEMIANNUAL]) == {reminders.SEMIANNUAL: 0}
    statistics.report_generate(H1_2026, by=demo["credit"])
    assert [d.deadline for d in reminders.semiannual_pending(D(2026, 7, 1), None)] == [
        D(2027, 1, 10)
    ]


def test_the_api_generates_lists_and_downloads(
    events: None, api_for: Callable[[str], Client]
) -> None:
    api = api_for("credit")
    created = api.post(
        "/api/v1/contract-statistics/", {"year": 2026, "half": 1}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"] == 1 and body["due_on"] == "2026-07-10"
    assert len(body["rows"]) == 6
    listed = api_for("gm").get("/api/v1/contract-statistics/").json()
    assert [row["id"] for row in listed] == [body["id"]]
    refused = api_for("gm").post(
        "/api/v1/contract-statistics/", {"year": 2026, "half": 1}, content_type="application/json"
    )
    assert refused.status_code == 403
    pdf_file = api.get(f"/api/v1/contract-statistics/{body['id']}/pdf/")
    assert pdf_file.status_code == 200
    assert b"".join(pdf_file.streaming_content)[:5] == b"%PDF-"  # type: ignore[attr-defined]
