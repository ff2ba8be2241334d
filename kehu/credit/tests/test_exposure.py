"""Exposure, ageing and the automatic credit hold, on a fixed clock: over the limit, overdue
beyond the allowance, lifted when it clears, and the controller's override with its expiry."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.credit import receivables, services
from kehu.credit.exposure import account_refresh, ageing, credit_check, refresh_all
from kehu.credit.models import CreditAccount, HoldOverride, LimitKind, Receivable
from kehu.customers.models import Customer

TODAY = datetime.date(2026, 6, 30)
D = Decimal


def invoice(
    customer: Customer, number: str, amount: str, due: datetime.date, paid: str = "0"
) -> tuple[int, dict[str, str]]:
    return (1, {"customer": str(customer.pk), "number": number, "date": "2025-01-01",
                "due_date": due.isoformat(), "amount": amount, "paid": paid})  # fmt: skip


def grant(customer: Customer, by: User, limit: str, overdue_allowed: str = "0") -> None:
    services.limit_grant(
        customer,
        kind=LimitKind.NEW,
        limit_amount=D(limit),
        overdue_allowed=D(overdue_allowed),
        payment_days=30,
        by=by,
    )


@pytest.mark.django_db
def test_hold_by_limit_goes_on_and_off(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    grant(customer, demo["credit"], "100000")
    receivables.invoices_upsert(
        [invoice(customer, "INV-1", "80000", TODAY + datetime.timedelta(days=20))], source="t"
    )
    account = account_refresh(customer.pk, TODAY)
    assert not account.held and account.exposure == D("80000.00")

    receivables.orders_upsert(
        [(1, {"customer": str(customer.pk), "number": "SO-1", "date": "2026-06-01",
              "amount": "30000"})],
        source="t",
    )  # fmt: skip
    account = account_refresh(customer.pk, TODAY)
    assert account.held and account.hold_reasons == ["over_limit"]
    assert account.exposure == D("110000.00")
    assert AuditEvent.objects.filter(action="credit.hold.place").exists()

    # The invoice is paid in part: exposure 50,000 + 30,000 = 80,000 ≤ 100,000.
    receivables.invoices_upsert(
        [invoice(customer, "INV-1", "80000", TODAY + datetime.timedelta(days=20), paid="50000")],
        source="t",
    )
    account = account_refresh(customer.pk, TODAY)
    assert not account.held and account.hold_reasons == []
    assert AuditEvent.objects.filter(action="credit.hold.lift").exists()


@pytest.mark.django_db
def test_hold_by_ageing_follows_the_clock(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    grant(customer, demo["credit"], "1000000", overdue_allowed="5000")
    due = datetime.date(2026, 6, 15)
    receivables.invoices_upsert(
        [
            invoice(customer, "INV-A", "4000", due),
            invoice(customer, "INV-B", "3000", due + datetime.timedelta(days=30)),
        ],
        source="t",
    )
    # Before INV-A falls due nothing is overdue; once it is, 4,000 is within the allowance.
    assert not account_refresh(customer.pk, due).held
    assert not account_refresh(customer.pk, TODAY).held
    assert credit_check(customer, D("1"), TODAY).overdue == D("4000.00")
    # A month later INV-B is overdue too: 7,000 > 5,000. The daily job puts the hold on.
    later = due + datetime.timedelta(days=31)
    assert refresh_all(later) == 1
    account = CreditAccount.objects.get(customer=customer)
    assert account.held and account.hold_reasons == ["overdue"]
    check = credit_check(customer, D("100"), later)
    assert not check.allowed and [r["code"] for r in check.reasons] == ["overdue"]

    buckets = ageing([customer.pk], later)
    assert buckets["31-60"] == D("4000.00") and buckets["0-30"] == D("3000.00")
    assert buckets["current"] == D("0")


@pytest.mark.django_db
def test_ageing_buckets(demo: dict[str, User], make_customer: Callable[..., Customer]) -> None:
    customer = make_customer()
    days = {"N": -5, "A": 0, "B": 1, "C": 30, "D": 31, "E": 60, "F": 61, "G": 91, "H": 121,
            "I": 400}  # fmt: skip
    receivables.invoices_upsert(
        [invoice(customer, f"AG-{k}", "100", TODAY - datetime.timedelta(days=d))
         for k, d in days.items()],
        source="t",
    )  # fmt: skip
    buckets = ageing([customer.pk], TODAY)
    assert buckets == {
        "current": D("200.00"),  # not yet due, and due today
        "0-30": D("200.00"),
        "31-60": D("200.00"),
        "61-90": D("100.00"),
        "91-120": D("100.00"),
        "121+": D("200.00"),
    }


@pytest.mark.django_db
def test_override_lets_a_held_customer_trade_until_it_expires(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    grant(customer, demo["credit"], "1000")
    receivables.invoices_upsert(
        [invoice(customer, "INV-O", "5000", TODAY + datetime.timedelta(days=10))], source="t"
    )
    account = CreditAccount.objects.get(customer=customer)
    assert account.held
    assert not credit_check(customer, D("10"), TODAY).allowed

    with pytest.raises(ValidationError) as refused:
        services.override_grant(account, reason="  ", until=TODAY, by=demo["credit"])
    assert "reason" in refused.value.message_dict
    assert not HoldOverride.objects.exists()

    until = datetime.date.today() + datetime.timedelta(days=3)
    services.override_grant(account, reason="大客户年底回款承诺", until=until, by=demo["credit"])
    assert AuditEvent.objects.filter(action="credit.override.grant").exists()
    today = datetime.date.today()
    check = credit_check(customer, D("10"), today)
    assert check.allowed and check.held and check.override_until == until
    # The day after the override ends the hold bites again.
    assert not credit_check(customer, D("10"), until + datetime.timedelta(days=1)).allowed


@pytest.mark.django_db
def test_check_refuses_an_amount_above_the_available_credit(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    assert [r["code"] for r in credit_check(customer, D("1"), TODAY).reasons] == ["amount"]
    grant(customer, demo["credit"], "50000")
    receivables.invoices_upsert(
        [invoice(customer, "INV-C", "20000", TODAY + datetime.timedelta(days=10))], source="t"
    )
    assert credit_check(customer, D("30000"), TODAY).allowed
    check = credit_check(customer, D("30000.01"), TODAY)
    assert not check.allowed and not check.held
    assert check.available == D("30000.00")


@pytest.mark.django_db
def test_temporary_limit_counts_until_its_date(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    grant(customer, demo["credit"], "10000")
    services.limit_grant(
        customer,
        kind=LimitKind.TEMPORARY,
        limit_amount=D("0"),
        temporary_amount=D("5000"),
        temporary_until=TODAY,
        by=demo["credit"],
    )
    account = CreditAccount.objects.get(customer=customer)
    assert account.limit_amount == D("10000.00")
    assert account.effective_limit(TODAY) == D("15000.00")
    assert account.effective_limit(TODAY + datetime.timedelta(days=1)) == D("10000.00")
    assert account.grants.count() == 2


@pytest.mark.django_db
def test_import_is_idempotent_and_refuses_bad_rows(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    content = (
        "客户编号,发票号,开票日期,到期日,金额,已付\n"
        f"{customer.pk},FP-001,2026-05-01,2026-05-31,12500.50,0\n"
        f"{customer.pk},FP-002,2026年5月2日,2026-06-30,1.5万,5000\n"
    ).encode()
    first = receivables.import_file("ar.csv", content, kind="invoices")
    assert first.ok and first.count("new") == 2
    again = receivables.import_file("ar.csv", content, kind="invoices")
    assert again.ok and again.count("same") == 2 and again.count("new") == 0
    assert Receivable.objects.filter(customer=customer).count() == 2
    account = CreditAccount.objects.get(customer=customer)
    assert account.open_receivables == D("22500.50")

    bad = (
        "客户编号,发票号,开票日期,到期日,金额,已付\n"
        f"{customer.pk},FP-003,2026-05-01,2026-05-31,-5,0\n"
        f"{customer.pk},FP-004,2026-05-01,2026-04-30,100,0\n"
        f"{customer.pk},FP-005,2026-05-01,2026-05-31,100,200\n"
        f"{customer.pk},FP-006,2026-05-01,2026-05-31,99999999999,0\n"
        "999999,FP-007,2026-05-01,2026-05-31,100,0\n"
        f"{customer.pk},FP-001,2026-05-01,2026-05-31,1,0\n"
        f"{customer.pk},FP-001,2026-05-01,2026-05-31,2,0\n"
    ).encode()
    result = receivables.import_file("ar.csv", bad, kind="invoices")
    assert not result.ok
    errors = {item.line: item.errors for item in result.items}
    assert "amount" in errors[2] and "due_date" in errors[3] and "paid" in errors[4]
    assert "amount" in errors[5] and "customer" in errors[6] and "number" in errors[8]
    # Nothing stored: FP-001 keeps its amount, no new invoice.
    assert Receivable.objects.get(invoice_number="FP-001").amount == D("12500.50")
    assert Receivable.objects.count() == 2


@pytest.mark.django_db
def test_xlsx_import(demo: dict[str, User], make_customer: Callable[..., Customer]) -> None:
    import io

    from openpyxl import Workbook

    customer = make_customer()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["统一社会信用代码", "订单号", "订单日期", "金额"])
    sheet.append([customer.credit_code, "SO-9", datetime.date(2026, 6, 1), 8000])
    buffer = io.BytesIO()
    book.save(buffer)
    result = receivables.import_file("orders.xlsx", buffer.getvalue(), kind="orders")
    assert result.ok and result.count("new") == 1
    assert CreditAccount.objects.get(customer=customer).open_orders == D("8000.00")
