"""CON-4 and RPT-2: the contract statistics per department (only the reader's departments,
Excel and PDF, API) and the annual credit-management analysis report (the credit file's
figures per department against hand-counted fixtures, kept as versions, reminded)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from kehu.audit.models import AuditEvent
from kehu.contracts import annual, departments, reminders
from kehu.contracts.models import ReportKind, StatisticsReport
from kehu.contracts.tests.test_statistics import events  # noqa: F401  (fixture)
from kehu.core import storage
from kehu.core.models import User
from kehu.credit.models import CreditAccount, ProblemKind, ProblemReport, Receivable
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db
D = dt.date
H1_2026 = departments.span(2026, 1)


def by_unit(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f"{r['unit']}|{r['currency']}": r for r in rows}


@pytest.mark.usefixtures("events")
def test_department_figures_are_the_hand_counted_ones(demo: dict[str, User]) -> None:
    rows = by_unit(departments.table(demo["gm"], H1_2026))
    sale = rows["销售部 (SALE)|CNY"]
    assert (sale["signed_n"], sale["signed_amount"]) == (2, "350.50")
    assert (sale["completed_n"], sale["completed_amount"]) == (1, "250.50")
    assert (sale["terminated_n"], sale["disputed_n"], sale["changed_n"]) == (1, 1, 0)
    assert (sale["prev_signed_n"], sale["prev_signed_amount"]) == (2, "50.00")
    mkt = rows["市场部 (MKT)|USD"]
    assert (mkt["signed_n"], mkt["signed_amount"]) == (1, "999.99")
    total = rows["Total|CNY"]
    assert total["total"] and total["signed_n"] == 2
    # The whole year 2025 beside 2024: C, D and G signed (8.00 + 40.00 + 10.00).
    year = by_unit(departments.table(demo["gm"], departments.span(2025, None)))
    assert (year["销售部 (SALE)|CNY"]["signed_n"], year["销售部 (SALE)|CNY"]["signed_amount"]) == (
        3,
        "58.00",
    )


@pytest.mark.usefixtures("events")
def test_each_reader_sees_only_the_departments_he_may(demo: dict[str, User]) -> None:
    units = {r["unit"] for r in departments.table(demo["head_sale"], H1_2026)}
    assert units == {"销售部 (SALE)", "Total"}
    units = {r["unit"] for r in departments.table(demo["manager3"], H1_2026)}
    assert units == {"市场部 (MKT)", "Total"}
    assert departments.table(demo["finance"], H1_2026) == []


@pytest.mark.usefixtures("events")
def test_the_department_page_exports_excel_and_pdf(client_for: Callable[..., Client]) -> None:
    client = client_for("head_sale")
    page = client.get("/contracts/statistics/departments/", {"year": 2026, "half": 1})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="departments-table"' in html and "MKT" not in html
    xlsx = client.get(
        "/contracts/statistics/departments/", {"year": "2026", "half": "1", "format": "xlsx"}
    )
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert values[0][:4] == ["销售部 (SALE)", "CNY", 2, "350.50"]
    pdf = client.get("/contracts/statistics/departments/", {"year": "2026", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    exported = AuditEvent.objects.filter(action="contracts.contract.export")
    assert exported.count() == 2
    bad = client.get("/contracts/statistics/departments/", {"year": "x"})
    assert bad.status_code == 400
    assert client_for("finance").get("/contracts/statistics/departments/").status_code == 403
    ledger = client.get("/contracts/").content.decode()
    assert 'id="department-statistics-link"' in ledger


@pytest.mark.usefixtures("events")
def test_the_department_api(api_for: Callable[[str], Client]) -> None:
    rows = api_for("manager1").get(
        "/api/v1/contract-statistics/departments/", {"year": 2026, "half": 1}
    )
    assert rows.status_code == 200, rows.content
    sale = rows.json()[0]
    assert (sale["unit"], sale["signed_n"], sale["signed_amount"]) == ("销售部 (SALE)", 2, "350.50")
    assert (
        api_for("finance")
        .get("/api/v1/contract-statistics/departments/", {"year": 2026})
        .status_code
        == 403
    )
    assert (
        api_for("gm").get("/api/v1/contract-statistics/departments/", {"year": 1}).status_code
        == 400
    )


# --- the annual credit-management analysis report ----------------------------------------

TODAY = D(2027, 1, 5)


@pytest.fixture
def credit_file(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> tuple[Customer, Customer]:
    """SALE customer S: limit 1000.00, held; invoices of 2026: 500.00 (paid 300.00, due
    2027-01-20), 200.00 (unpaid, due 2026-12-01: 35 days overdue), and one of 2025: 100.00
    (unpaid, due 2025-06-30: long overdue); open orders 50.00; a problem account of 2026
    (80.00) and a rejected one. MKT customer M: limit 300.00, an invoice of 2026 of 100.00
    fully paid."""
    s, m = make_customer("manager1"), make_customer("manager3")
    sa = CreditAccount.objects.create(
        customer=s, limit_amount=Decimal("1000.00"), held=True,
        open_receivables=Decimal("500.00"), open_orders=Decimal("50.00"),
    )  # fmt: skip
    ma = CreditAccount.objects.create(customer=m, limit_amount=Decimal("300.00"))

    def invoice(customer: Customer, n: str, on: D, due: D, amount: str, paid: str) -> None:
        Receivable.objects.create(
            customer=customer, invoice_number=n, invoice_date=on, due_date=due,
            amount=Decimal(amount), paid=Decimal(paid),
            open_amount=Decimal(amount) - Decimal(paid),
        )  # fmt: skip

    invoice(s, "F1", D(2026, 11, 20), D(2027, 1, 20), "500.00", "300.00")
    invoice(s, "F2", D(2026, 10, 1), D(2026, 12, 1), "200.00", "0.00")
    invoice(s, "F3", D(2025, 5, 1), D(2025, 6, 30), "100.00", "0.00")
    invoice(m, "F4", D(2026, 3, 1), D(2026, 4, 1), "100.00", "100.00")
    for number, status in (("WT1", "approved"), ("WT2", "rejected")):
        report = ProblemReport.objects.create(
            number=number, account=sa, kind=ProblemKind.PROBLEM, amount=Decimal("80.00"),
            description="逾期", measures="催收", status=status, reported_by=demo["credit"],
        )  # fmt: skip
        ProblemReport.objects.filter(pk=report.pk).update(
            created_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
        )
    del ma
    return s, m


def test_the_annual_figures_are_the_hand_counted_ones(credit_file: object) -> None:
    lines = {line["unit"]: line for line in annual.figures(2026, TODAY)}
    sale = lines["销售部 (SALE)"]
    assert (sale["accounts"], sale["limits"], sale["held"]) == (1, "1000.00", 1)
    assert sale["exposure"] == "550.00"
    assert (sale["open_current"], sale["overdue_short"], sale["overdue_long"]) == (
        "200.00",
        "200.00",
        "100.00",
    )
    assert (sale["invoiced"], sale["collected"], sale["collection_rate"]) == (
        "700.00",
        "300.00",
        "42.9%",
    )
    assert (sale["problems"], sale["problem_amount"]) == (1, "80.00")
    mkt = lines["市场部 (MKT)"]
    assert (mkt["limits"], mkt["invoiced"], mkt["collection_rate"]) == (
        "300.00",
        "100.00",
        "100.0%",
    )
    total = lines["Total"]
    assert (total["accounts"], total["limits"], total["invoiced"]) == (2, "1300.00", "800.00")


@pytest.mark.usefixtures("events")
def test_the_annual_report_counts_the_years_contracts(credit_file: object) -> None:
    sale = {line["unit"]: line for line in annual.figures(2026, TODAY)}["销售部 (SALE)"]
    # A, B and F signed in 2026 (100.00 + 250.50 + 7.00); C terminated; D disputed.
    assert (sale["signed"], sale["signed_amount"]) == (3, "357.50")
    assert (sale["terminated"], sale["disputed"]) == (1, 1)


def test_annual_reports_are_kept_as_versions_and_downloaded(
    credit_file: object, client_for: Callable[..., Client], demo: dict[str, User]
) -> None:
    client = client_for("credit")
    response = client.post("/contracts/statistics/", {"report": "annual_credit", "year": 2026})
    assert response.status_code == 302
    client.post("/contracts/statistics/", {"report": "annual_credit", "year": 2026})
    kept = StatisticsReport.objects.filter(kind=ReportKind.ANNUAL_CREDIT).order_by("number")
    assert [r.number for r in kept] == [1, 2]
    report = kept[0]
    assert report.due_on == D(2027, 1, 10) and report.period_start == D(2026, 1, 1)
    with storage.open_plain(report.xlsx_name) as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).worksheets[0]
    assert sheet.cell(row=2, column=1).value == "部门"  # the page's language
    page = client.get("/contracts/statistics/").content.decode()
    assert 'id="annual-reports"' in page and f'data-report="{report.pk}"' in page
    download = client_for("gm").get(f"/contracts/statistics/{report.pk}/pdf/")
    assert download.status_code == 200
    assert "credit-report-2026-01-v1.pdf" in download["Content-Disposition"]
    refused = client_for("gm").post(
        "/contracts/statistics/", {"report": "annual_credit", "year": 2026}
    )
    assert refused.status_code == 403
    bad = client.post("/contracts/statistics/", {"report": "annual_credit", "year": "1"})
    assert bad.status_code == 400


def test_the_annual_report_through_the_api(
    credit_file: object, api_for: Callable[[str], Client]
) -> None:
    api = api_for("credit")
    created = api.post(
        "/api/v1/contract-statistics/",
        {"kind": "annual_credit", "year": 2026},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "annual_credit"
    missing = api.post(
        "/api/v1/contract-statistics/", {"year": 2026}, content_type="application/json"
    )
    assert missing.status_code == 400 and "half" in missing.json()


def test_the_annual_report_is_reminded_to_the_credit_manager(demo: dict[str, User]) -> None:
    (due,) = reminders.annual_pending(D(2027, 1, 2), None)
    assert due.deadline == D(2027, 1, 10)
    assert [u.username for u in due.recipients] == ["credit"]
    annual.report_generate(2026, by=demo["credit"], today=D(2027, 1, 2))
    assert list(reminders.annual_pending(D(2027, 1, 2), None)) == []
    assert [d.deadline for d in reminders.annual_pending(D(2027, 12, 1), None)] == [D(2028, 1, 10)]


# --- contract deadlines: the end date reminded, the review following the duration --------


def test_a_contract_ending_is_reminded_and_reviewed_that_month(
    demo: dict[str, User],
    make_customer: Callable[..., Customer],
    make_contract: Callable[..., Any],
) -> None:
    from kehu.contracts import selectors, services
    from kehu.reviews.models import ReviewSettings
    from kehu.reviews.selection import customers_to_review

    customer = make_customer()
    contract = make_contract(customer, effective_on=D(2026, 3, 1), ends_on=D(2026, 9, 30))
    assert list(reminders.contract_end_pending(D(2026, 9, 1), None)) == []  # a draft
    services.contract_transition(contract, "signed", by=demo["manager1"], on=D(2026, 3, 1))
    (due,) = reminders.contract_end_pending(D(2026, 9, 1), None)
    assert due.deadline == D(2026, 9, 30) and due.recipients == [demo["manager1"]]
    assert contract.number in due.title
    assert list(reminders.contract_end_pending(D(2026, 9, 1), demo["manager2"])) == []
    assert list(reminders.contract_end_pending(D(2026, 6, 1), None)) == []  # not yet near
    september = selectors.ending_contracts_review(D(2026, 9, 1), None)
    assert list(september) == [customer]
    assert not selectors.ending_contracts_review(D(2026, 10, 1), None).exists()
    Customer.objects.filter(pk=customer.pk).update(status="active")
    config = ReviewSettings.current()
    assert 9 not in config.month_numbers()  # an extra review, not the campaign's month
    assert customer in customers_to_review(D(2026, 9, 1), config)
    assert customer not in customers_to_review(D(2026, 10, 1), config)
