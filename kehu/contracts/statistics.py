"""The semi-annual contract statistics (CON-4): contracts signed, performed, changed,
terminated and disputed in a half-year, by department, contract type and currency, with
counts and amounts, the previous half-year beside them. Due 10 July (first half) and
10 January (second half); generated as Excel and PDF and kept as a versioned report."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, Case, Count, Max, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.contracts.models import (
    ContractEvent,
    ContractType,
    EventKind,
    ReportKind,
    StatisticsReport,
)
from kehu.core import storage
from kehu.generic.export import rows_to_xlsx
from kehu.infra import pdf

# The kinds counted, in the report's order ("performed" is a contract completed).
KINDS = (
    EventKind.SIGNED,
    EventKind.COMPLETED,
    EventKind.CHANGED,
    EventKind.TERMINATED,
    EventKind.DISPUTED,
)
DUE_DAY = 10
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        half = _("first half") if self.start.month == 1 else _("second half")
        return f"{self.start.year} {half}"

    @property
    def previous(self) -> Period:
        return half_year(self.start - datetime.timedelta(days=1))

    @property
    def due_on(self) -> datetime.date:
        """10 July after the first half, 10 January after the second."""
        if self.start.month == 1:
            return datetime.date(self.start.year, 7, DUE_DAY)
        return datetime.date(self.start.year + 1, 1, DUE_DAY)


def half_year(day: datetime.date) -> Period:
    if day.month <= 6:
        return Period(datetime.date(day.year, 1, 1), datetime.date(day.year, 6, 30))
    return Period(datetime.date(day.year, 7, 1), datetime.date(day.year, 12, 31))


def period_due(today: datetime.date) -> Period:
    """The half-year whose report is due next: the last one that has ended."""
    return half_year(today).previous


@dataclass(frozen=True)
class Line:
    unit_code: str
    unit_name: str
    contract_type: str
    currency: str
    kind: str
    count: int
    amount: Decimal
    previous_count: int
    previous_amount: Decimal


def grouped(period: Period) -> QuerySet[Any, Any]:
    """One grouped query over the dated contract events of the half-year and the one
    before: counts and amounts per department, type, currency, event and half-year."""
    previous = period.previous
    current = Case(
        When(happened_on__gte=period.start, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return (
        ContractEvent.objects.filter(happened_on__gte=previous.start, happened_on__lte=period.end)
        .annotate(current=current)
        .values("unit__code", "unit__name", "contract_type", "currency", "kind", "current")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )


def aggregate(period: Period) -> list[Line]:
    """The grouped figures as report lines, the previous half-year beside each."""
    grouped_rows = grouped(period)
    table: dict[tuple[str, str, str, str, str], dict[bool, tuple[int, Decimal]]] = {}
    for row in grouped_rows:
        key = (
            row["unit__code"], row["unit__name"], row["contract_type"], row["currency"],
            row["kind"],
        )  # fmt: skip
        table.setdefault(key, {})[row["current"]] = (row["n"], row["total"] or Decimal("0"))
    order = {str(kind): n for n, kind in enumerate(KINDS)}
    lines = []
    for key in sorted(table, key=lambda k: (k[0], k[2], k[3], order.get(k[4], 99))):
        now, before = table[key].get(True, (0, Decimal(0))), table[key].get(False, (0, Decimal(0)))
        lines.append(Line(*key, now[0], now[1], before[0], before[1]))
    return lines


def _type_label(code: str) -> str:
    return str(ContractType(code).label) if code in ContractType.values else code


def _kind_label(code: str) -> str:
    return str(EventKind(code).label) if code in EventKind.values else code


def shown_rows(lines: list[Line]) -> list[dict[str, Any]]:
    """The lines as the report shows and keeps them (labels in the generating language)."""
    return [
        {
            "unit": f"{line.unit_name} ({line.unit_code})",
            "contract_type": _type_label(line.contract_type),
            "currency": line.currency,
            "kind": _kind_label(line.kind),
            "count": line.count,
            "amount": f"{line.amount:.2f}",
            "previous_count": line.previous_count,
            "previous_amount": f"{line.previous_amount:.2f}",
        }
        for line in lines
    ]


def columns() -> list[tuple[str, str]]:
    return [
        ("unit", _("Department")),
        ("contract_type", _("contract type")),
        ("currency", _("currency")),
        ("kind", _("event")),
        ("count", _("number this period")),
        ("amount", _("amount this period")),
        ("previous_count", _("number previous period")),
        ("previous_amount", _("amount previous period")),
    ]


def title(period: Period) -> str:
    return _("Semi-annual contract statistics %(period)s") % {"period": period.label}


def to_xlsx(period: Period, rows: list[dict[str, Any]], by: str) -> bytes:
    data, _count = rows_to_xlsx(
        title(period)[:31], columns(), [SimpleNamespace(**r) for r in rows], by
    )
    return data


def to_pdf(period: Period, rows: list[dict[str, Any]], by: str) -> bytes:
    doc = pdf.Document(title=title(period), author=by, subject=period.label)
    doc.heading(title(period))
    previous = period.previous
    text = _("Period %(start)s – %(end)s; previous period %(pstart)s – %(pend)s; by %(by)s.")
    values = {"start": period.start, "end": period.end, "pstart": previous.start}
    doc.paragraph(text % {**values, "pend": previous.end, "by": by})
    header = [label for _name, label in columns()]
    body = [[str(r[name]) for name, _label in columns()] for r in rows]
    if not body:
        doc.paragraph(_("No contract was signed, performed, changed, terminated or disputed."))
    doc.table([header, *body], col_widths=[34, 24, 14, 20, 18, 26, 18, 26])
    doc.signature_lines([(_("Prepared by"), _("Reviewed by"), _("Date"))])
    return doc.build()


def author(by: Any) -> str:
    return getattr(by, "full_name", "") or getattr(by, "username", "") or "system"


def keep_report(
    kind: str,
    start: datetime.date,
    end: datetime.date,
    *,
    due_on: datetime.date,
    rows: list[dict[str, Any]],
    files: tuple[bytes, bytes],
    stem: str,
    label: str,
    by: Any,
) -> StatisticsReport:
    """Keep a generated report (its rows, its Excel and PDF `files`) as the period's next
    version of its kind (audited). The files are written before the transaction and removed
    again if it fails."""
    xlsx = storage.store(f"{stem}.xlsx", io.BytesIO(files[0]))
    try:
        document = storage.store(f"{stem}.pdf", io.BytesIO(files[1]))
    except BaseException:
        storage.delete(xlsx.name)
        raise
    try:
        with transaction.atomic():
            last = (
                StatisticsReport.objects.select_for_update()
                .filter(kind=kind, period_start=start)
                .aggregate(n=Max("number"))["n"]
            )
            report = StatisticsReport.objects.create(
                kind=kind,
                period_start=start,
                period_end=end,
                number=(last or 0) + 1,
                due_on=due_on,
                generated_by=by if getattr(by, "pk", None) else None,
                rows=rows,
                xlsx_name=xlsx.name,
                xlsx_sha256=xlsx.sha256,
                pdf_name=document.name,
                pdf_sha256=document.sha256,
            )
            record(
                "contracts.statisticsreport.generate",
                report,
                extra={
                    "report": kind,
                    "period": label,
                    "version": report.number,
                    "lines": len(rows),
                },
            )
    except BaseException:
        storage.delete(xlsx.name)
        storage.delete(document.name)
        raise
    return report


def report_generate(period: Period, *, by: Any) -> StatisticsReport:
    """Compute the half-year's statistics and keep them with their Excel and PDF files as
    the period's next report version (audited)."""
    name = author(by)
    rows = shown_rows(aggregate(period))
    return keep_report(
        ReportKind.SEMIANNUAL,
        period.start,
        period.end,
        due_on=period.due_on,
        rows=rows,
        files=(to_xlsx(period, rows, name), to_pdf(period, rows, name)),
        stem=f"contracts/statistics/{period.start:%Y}-H{1 if period.start.month == 1 else 2}",
        label=period.label,
        by=by,
    )


def filename(report: StatisticsReport, kind: str) -> str:
    """The downloaded file's name: the report's kind, period and version."""
    stem = "contract-statistics" if report.kind == ReportKind.SEMIANNUAL else "credit-report"
    return f"{stem}-{report.period_start:%Y-%m}-v{report.number}.{kind}"


def generated_for(period: Period) -> bool:
    kept = StatisticsReport.objects.filter(kind=ReportKind.SEMIANNUAL)
    return kept.filter(period_start=period.start).exists()


def totals(lines: list[Line]) -> dict[str, int]:
    """Count per kind this period (all departments): the page's summary."""
    out = {str(kind): 0 for kind in KINDS}
    for line in lines:
        out[line.kind] = out.get(line.kind, 0) + line.count
    return out
