"""The annual credit-management analysis report (CON-4: 信用管理情况分析报告, due 10 January
for the year before), per department (the customers' units) and in total: from the credit
file, the accounts, the limits granted, the accounts on credit hold, the exposure, the open
receivables by age (not yet due, overdue up to 90 days, overdue longer), the year's invoices
and what has been collected on them, the problem accounts reported in the year and not
rejected (问题帐款, the bad debts); and the contracts signed, terminated and disputed in
the year (the dated events the semi-annual statistics count). Balances are those of the day
the report is generated; flows count the year. Generated as Excel and PDF and kept as a
versioned report (kehu.contracts.statistics.keep_report)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.contracts.models import ContractEvent, EventKind, ReportKind, StatisticsReport
from kehu.contracts.statistics import DUE_DAY, author, keep_report
from kehu.credit.models import (
    CreditAccount,
    LimitRequestStatus,
    ProblemKind,
    ProblemReport,
    Receivable,
)
from kehu.generic.export import rows_to_xlsx
from kehu.infra import pdf

ZERO = Decimal("0.00")
OVERDUE_LONG = 90
AMOUNTS = (
    "limits", "exposure", "open_current", "overdue_short", "overdue_long", "invoiced",
    "collected", "problem_amount", "signed_amount",
)  # fmt: skip
COUNTS = ("accounts", "held", "problems", "signed", "terminated", "disputed")


def due_on(year: int) -> datetime.date:
    return datetime.date(year + 1, 1, DUE_DAY)


def year_due(today: datetime.date) -> int:
    """The year whose report is due next: the last one that has ended."""
    return today.year - 1


def _merge(table: dict[str, dict[str, Any]], rows: Any, unit: str, name: str) -> None:
    for row in rows:
        line = table.setdefault(row[unit], {"code": row[unit], "name": row[name]})
        line.update({k: v for k, v in row.items() if k not in (unit, name)})


def figures(year: int, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """The report's lines: one per department, then the total."""
    today = today or timezone.localdate()
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    unit, name = "customer__unit__code", "customer__unit__name"
    table: dict[str, dict[str, Any]] = {}
    accounts = CreditAccount.objects.values(unit, name).annotate(
        accounts=Count("pk"),
        limits=Sum("limit_amount"),
        held=Count("pk", filter=Q(held=True)),
        receivables=Sum("open_receivables"),
        orders=Sum("open_orders"),
    )
    _merge(table, accounts.order_by(), unit, name)
    long_ago = today - datetime.timedelta(days=OVERDUE_LONG)
    open_items = Receivable.objects.filter(open_amount__gt=0).values(unit, name)
    _merge(
        table,
        open_items.annotate(
            open_current=Sum("open_amount", filter=Q(due_date__gte=today)),
            overdue_short=Sum("open_amount", filter=Q(due_date__lt=today, due_date__gte=long_ago)),
            overdue_long=Sum("open_amount", filter=Q(due_date__lt=long_ago)),
        ).order_by(),
        unit,
        name,
    )
    invoiced = Receivable.objects.filter(invoice_date__gte=start, invoice_date__lte=end)
    _merge(
        table,
        invoiced.values(unit, name)
        .annotate(invoiced=Sum("amount"), collected=Sum("paid"))
        .order_by(),
        unit,
        name,
    )
    problems = ProblemReport.objects.filter(
        kind=ProblemKind.PROBLEM, created_at__date__gte=start, created_at__date__lte=end
    ).exclude(status=LimitRequestStatus.REJECTED)
    by_unit = "account__customer__unit__code", "account__customer__unit__name"
    _merge(
        table,
        problems.values(*by_unit)
        .annotate(problems=Count("pk"), problem_amount=Sum("amount"))
        .order_by(),
        *by_unit,
    )
    events = ContractEvent.objects.filter(happened_on__gte=start, happened_on__lte=end)
    _merge(
        table,
        events.values("unit__code", "unit__name")
        .annotate(
            signed=Count("pk", filter=Q(kind=EventKind.SIGNED)),
            signed_amount=Sum("amount", filter=Q(kind=EventKind.SIGNED, currency="CNY")),
            terminated=Count("pk", filter=Q(kind=EventKind.TERMINATED)),
            disputed=Count("pk", filter=Q(kind=EventKind.DISPUTED)),
        )
        .order_by(),
        "unit__code",
        "unit__name",
    )
    lines = [_line(table[code], f"{table[code]['name']} ({code})") for code in sorted(table)]
    total: dict[str, Any] = {}
    for line in lines:
        for key in (*AMOUNTS, *COUNTS):
            total[key] = total.get(key, 0) + (Decimal(line[key]) if key in AMOUNTS else line[key])
    if lines:
        lines.append(_line(total, _("Total")))
    return lines


def _line(values: dict[str, Any], unit: str) -> dict[str, Any]:
    exposure = values.get("exposure")
    if exposure is None:
        exposure = (values.get("receivables") or ZERO) + (values.get("orders") or ZERO)
    invoiced = values.get("invoiced") or ZERO
    collected = values.get("collected") or ZERO
    rate = f"{collected / invoiced * 100:.1f}%" if invoiced else ""
    line: dict[str, Any] = {"unit": unit, "exposure": f"{exposure:.2f}", "collection_rate": rate}
    for key in AMOUNTS:
        if key != "exposure":
            line[key] = f"{(values.get(key) or ZERO):.2f}"
    for key in COUNTS:
        line[key] = int(values.get(key) or 0)
    return line


def columns() -> list[tuple[str, str]]:
    return [
        ("unit", _("Department")),
        ("accounts", _("credit accounts")),
        ("limits", _("credit limits")),
        ("held", _("on credit hold")),
        ("exposure", _("exposure")),
        ("open_current", _("not yet due")),
        ("overdue_short", _("overdue up to 90 days")),
        ("overdue_long", _("overdue over 90 days")),
        ("invoiced", _("invoiced in the year")),
        ("collected", _("collected")),
        ("collection_rate", _("collection rate")),
        ("problems", _("problem accounts")),
        ("problem_amount", _("amount of problem accounts")),
        ("signed", _("contracts signed")),
        ("signed_amount", _("amount signed (CNY)")),
        ("terminated", _("contracts terminated")),
        ("disputed", _("contracts disputed")),
    ]


def title(year: int) -> str:
    return _("Annual credit-management analysis report %(year)s") % {"year": year}


def to_xlsx(year: int, rows: list[dict[str, Any]], by: str) -> bytes:
    data, _count = rows_to_xlsx(
        title(year)[:31], columns(), [SimpleNamespace(**r) for r in rows], by
    )
    return data


def to_pdf(year: int, rows: list[dict[str, Any]], by: str, today: datetime.date) -> bytes:
    """One page per department (the columns do not fit one table across)."""
    doc = pdf.Document(title=title(year), author=by, subject=str(year))
    doc.heading(title(year))
    text = _(
        "Year %(year)s; balances, ageing and exposure as of %(today)s; invoices, collections, "
        "problem accounts and contracts of the year; by %(by)s."
    )
    doc.paragraph(text % {"year": year, "today": today, "by": by})
    if not rows:
        doc.paragraph(_("No credit account, receivable or contract in this year."))
    labels = dict(columns())
    for row in rows:
        doc.paragraph(str(row["unit"]))
        doc.key_values([(labels[key], row[key]) for key, _label in columns()[1:]], 60)
    doc.signature_lines([(_("Prepared by"), _("Reviewed by"), _("Date"))])
    return doc.build()


def report_generate(year: int, *, by: Any, today: datetime.date | None = None) -> StatisticsReport:
    """Compute the year's report and keep it with its Excel and PDF files as the year's next
    version (audited)."""
    today = today or timezone.localdate()
    name = author(by)
    rows = figures(year, today)
    return keep_report(
        ReportKind.ANNUAL_CREDIT,
        datetime.date(year, 1, 1),
        datetime.date(year, 12, 31),
        due_on=due_on(year),
        rows=rows,
        files=(to_xlsx(year, rows, name), to_pdf(year, rows, name, today)),
        stem=f"contracts/credit-report/{year}",
        label=str(year),
        by=by,
    )


def generated_for(year: int) -> bool:
    kept = StatisticsReport.objects.filter(kind=ReportKind.ANNUAL_CREDIT)
    return kept.filter(period_start=datetime.date(year, 1, 1)).exists()
