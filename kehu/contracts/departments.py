"""Contract statistics per department (RPT-2): for a half-year or a year, each department's
contracts signed, performed, changed, terminated and disputed (counts, and amounts per
currency), the previous period's signings beside them, and a total line; only the
departments whose contracts the reader may see. Shown as a page, exported to Excel and
PDF (audited), offered by the API. The figures are the dated contract events that the
semi-annual statistics count (kehu.contracts.statistics)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _

from kehu.contracts.models import ContractEvent, EventKind
from kehu.contracts.statistics import half_year
from kehu.core import policy
from kehu.generic.export import rows_to_xlsx
from kehu.infra import pdf

PERMISSION = "contracts.contract.view"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Span:
    start: datetime.date
    end: datetime.date
    previous_start: datetime.date
    previous_end: datetime.date
    label: str


def span(year: int, half: int | None) -> Span:
    """A half-year (half 1 or 2) or, without `half`, the whole year; each with the period
    before it."""
    if half in (1, 2):
        period = half_year(datetime.date(year, 1 if half == 1 else 7, 1))
        before = period.previous
        return Span(period.start, period.end, before.start, before.end, period.label)
    return Span(
        datetime.date(year, 1, 1),
        datetime.date(year, 12, 31),
        datetime.date(year - 1, 1, 1),
        datetime.date(year - 1, 12, 31),
        str(year),
    )


def visible_events(user: Any) -> QuerySet[ContractEvent]:
    """The contract events of the departments in which the reader sees contracts."""
    events = ContractEvent.objects.all()
    paths = policy.unit_paths_where(user, PERMISSION)
    if paths is None:
        return events
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(unit__path__startswith=path)
    return events.filter(condition)


def _sums(kind: str, *, amount: bool, previous: bool = False) -> dict[str, Any]:
    when = Q(kind=kind) & Q(current=not previous)
    name = f"{'prev_' if previous else ''}{kind}"
    out: dict[str, Any] = {f"{name}_n": Count("id", filter=when)}
    if amount:
        out[f"{name}_amount"] = Sum("amount", filter=when)
    return out


def table(user: Any, period: Span) -> list[dict[str, Any]]:
    """One grouped query: per department and currency, the counts (and the amounts signed
    and performed) of the period and the signings of the period before; a total line per
    currency at the end."""
    current = Case(
        When(happened_on__gte=period.start, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    sums: dict[str, Any] = {}
    for kind in (EventKind.SIGNED, EventKind.COMPLETED):
        sums |= _sums(kind, amount=True)
    for kind in (EventKind.CHANGED, EventKind.TERMINATED, EventKind.DISPUTED):
        sums |= _sums(kind, amount=False)
    sums |= _sums(EventKind.SIGNED, amount=True, previous=True)
    query = (
        visible_events(user)
        .filter(happened_on__gte=period.previous_start, happened_on__lte=period.end)
        .annotate(current=current)
        .values("unit__code", "unit__name", "currency")
        .annotate(**sums)
        .order_by("unit__code", "currency")
    )
    grouped: list[dict[str, Any]] = [dict(row) for row in query]
    rows = [_shown(row, f"{row['unit__name']} ({row['unit__code']})") for row in grouped]
    totals: dict[str, dict[str, Any]] = {}
    for row in grouped:
        total = totals.setdefault(row["currency"], {"currency": row["currency"]})
        for key in sums:
            total[key] = (total.get(key) or 0) + (row[key] or 0)
    rows += [_shown(total, _("Total"), total=True) for _c, total in sorted(totals.items())]
    return [row for row in rows if any(row[k] for k in COUNTS)]


COUNTS = ("signed_n", "completed_n", "changed_n", "terminated_n", "disputed_n", "prev_signed_n")


def _shown(row: dict[str, Any], unit: str, *, total: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"unit": unit, "currency": row["currency"], "total": total}
    for key in COUNTS:
        out[key] = int(row.get(key) or 0)
    for key in ("signed_amount", "completed_amount", "prev_signed_amount"):
        out[key] = f"{(row.get(key) or ZERO):.2f}"
    return out


def columns() -> list[tuple[str, str]]:
    return [
        ("unit", _("Department")),
        ("currency", _("currency")),
        ("signed_n", _("signed")),
        ("signed_amount", _("amount signed")),
        ("completed_n", _("performed")),
        ("completed_amount", _("amount performed")),
        ("changed_n", _("changed")),
        ("terminated_n", _("terminated")),
        ("disputed_n", _("disputed")),
        ("prev_signed_n", _("signed, previous period")),
        ("prev_signed_amount", _("amount signed, previous period")),
    ]


def title(period: Span) -> str:
    return _("Contract statistics by department %(period)s") % {"period": period.label}


def to_xlsx(period: Span, rows: list[dict[str, Any]], by: str) -> bytes:
    data, _count = rows_to_xlsx(
        title(period)[:31], columns(), [SimpleNamespace(**r) for r in rows], by
    )
    return data


def to_pdf(period: Span, rows: list[dict[str, Any]], by: str) -> bytes:
    doc = pdf.Document(title=title(period), author=by, subject=period.label)
    doc.heading(title(period))
    text = _("Period %(start)s – %(end)s; previous period %(pstart)s – %(pend)s; by %(by)s.")
    values = {"start": period.start, "end": period.end, "pstart": period.previous_start}
    doc.paragraph(text % {**values, "pend": period.previous_end, "by": by})
    header = [label for _name, label in columns()]
    body = [[str(r[name]) for name, _label in columns()] for r in rows]
    if not body:
        doc.paragraph(_("No contract was signed, performed, changed, terminated or disputed."))
    doc.table([header, *body], col_widths=[28, 10, 12, 20, 12, 20, 12, 12, 12, 12, 20])
    return doc.build()
