"""Financial statements as figures (CRD-2) and the ratios derived from them. A statement is
entered in 元 or 万元 and kept in 元; one that does not balance (assets ≠ liabilities +
equity) is refused with the difference, and a period is entered once per customer.

Turnover days count 360 days a year (180 a half, 90 a quarter), the usual convention of
Chinese credit analysis."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.audit.services import record
from kehu.credit.exposure import account_for
from kehu.credit.models import ZERO, FigureUnit, FinancialStatement, PeriodKind

CENT = Decimal("0.01")
WAN = Decimal("10000")
# No customer's figure reaches a trillion 元: a larger one is a unit mistake.
MAX_FIGURE = Decimal("999999999999.99")
PERIOD_DAYS = {PeriodKind.YEAR: 360, PeriodKind.HALF: 180, PeriodKind.QUARTER: 90}
PARTS = {PeriodKind.YEAR: (0,), PeriodKind.HALF: (1, 2), PeriodKind.QUARTER: (1, 2, 3, 4)}

# Figures that cannot be negative; the others (equity, profits, cash flows) can.
NON_NEGATIVE = (
    "cash", "receivables", "inventory", "current_assets", "total_assets",
    "current_liabilities", "total_liabilities", "revenue", "cost_of_sales",
    "interest_expense",
)  # fmt: skip
SIGNED = ("equity", "operating_profit", "net_profit", "operating_cash_flow",
          "investing_cash_flow", "financing_cash_flow")  # fmt: skip
FIGURES = NON_NEGATIVE + SIGNED


def figure_label(name: str) -> Any:
    field = FinancialStatement._meta.get_field(name)
    return getattr(field, "verbose_name", name)


def _clean(
    account: Any, data: dict[str, Any], *, exclude: int | None = None
) -> tuple[dict[str, Any], dict[str, Decimal]]:
    """The period and the figures in 元; ValidationError by field when a figure is wrong,
    the period is already entered (other than `exclude`) or the sheet does not balance."""
    errors: dict[str, list[str]] = {}
    kind = data.get("period_kind")
    part = data.get("part") or 0
    year = data.get("year")
    if kind not in PeriodKind.values:
        errors["period_kind"] = [_("Choose the period.")]
    elif part not in PARTS[kind]:
        errors["part"] = [_("Choose the half (1–2) or quarter (1–4); 0 for a year.")]
    if not isinstance(year, int) or not 1990 <= year <= 2100:
        errors["year"] = [_("Enter the year, such as 2025.")]
    factor = WAN if data.get("unit") == FigureUnit.WAN else Decimal(1)
    figures: dict[str, Decimal] = {}
    for name in FIGURES:
        value = data.get(name)
        value = ZERO if value is None else (Decimal(value) * factor).quantize(CENT)
        if name in NON_NEGATIVE and value < 0:
            errors[name] = [_("This figure cannot be negative.")]
        elif abs(value) > MAX_FIGURE:
            errors[name] = [_("The figure is too large; check it and its unit.")]
        figures[name] = value
    if not errors:
        difference = figures["total_assets"] - figures["total_liabilities"] - figures["equity"]
        if difference:
            errors["total_assets"] = [
                _("The balance sheet does not balance: assets − (liabilities + equity) = "
                  "%(difference)s 元.") % {"difference": f"{difference:,.2f}"}
            ]  # fmt: skip
        if figures["current_assets"] > figures["total_assets"]:
            errors["current_assets"] = [_("Current assets cannot exceed total assets.")]
        if figures["current_liabilities"] > figures["total_liabilities"]:
            errors["current_liabilities"] = [
                _("Current liabilities cannot exceed total liabilities.")
            ]
    period = {"period_kind": kind, "year": year, "part": part}
    taken = FinancialStatement.objects.filter(account=account, **period)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if not errors and taken.exists():
        errors["__all__"] = [_("This period is already entered for the customer.")]
    if errors:
        raise ValidationError(errors)
    return period, figures


def statement_create(customer: Any, data: dict[str, Any], *, by: Any) -> FinancialStatement:
    """Store one period's statement; ValidationError by field, nothing stored, when a figure
    is wrong, the period is already entered or the balance sheet does not balance."""
    account = account_for(customer)
    period, figures = _clean(account, data)
    with transaction.atomic():
        statement = FinancialStatement.objects.create(
            account=account, unit=data.get("unit") or FigureUnit.YUAN, entered_by=by,
            **period, **figures,
        )  # fmt: skip
        record(
            "credit.statement.create",
            customer,
            extra={"statement": statement.pk, "period": statement.period_label},
        )
    return statement


def statement_update(
    statement: FinancialStatement, data: dict[str, Any], *, expected_version: int | None, by: Any
) -> FinancialStatement:
    """Correct a statement with the same checks; refused when somebody changed it since
    `expected_version` was read. Audited with the figures changed."""
    period, figures = _clean(statement.account, data, exclude=statement.pk)
    values = {**period, **figures, "unit": data.get("unit") or FigureUnit.YUAN}
    with transaction.atomic():
        current = FinancialStatement.objects.select_for_update().get(pk=statement.pk)
        if expected_version is None or current.version != expected_version:
            raise ValidationError(
                _("Somebody else has changed this meanwhile: reload the page and try again.")
            )
        changes = {
            k: [str(getattr(current, k)), str(v)]
            for k, v in values.items()
            if getattr(current, k) != v
        }
        if not changes:
            return current
        for key, value in values.items():
            setattr(current, key, value)
        current.version += 1
        current.save()
        record(
            "credit.statement.change",
            current.account.customer,
            changes=changes,
            extra={"statement": current.pk, "period": current.period_label},
        )
    return current


def form_initial(statement: FinancialStatement) -> dict[str, Any]:
    """The edit form's values: the figures in the unit they were entered in."""
    factor = WAN if statement.unit == FigureUnit.WAN else Decimal(1)
    return {
        "period_kind": statement.period_kind, "year": statement.year, "part": statement.part,
        "unit": statement.unit, "version": statement.version,
        **{name: (getattr(statement, name) / factor).quantize(CENT) for name in FIGURES},
    }  # fmt: skip


@dataclass(frozen=True)
class Ratio:
    key: str
    label: Any
    percent: bool = False


RATIOS = (
    Ratio("current", gettext_lazy("Current ratio")),
    Ratio("quick", gettext_lazy("Quick ratio")),
    Ratio("debt_to_assets", gettext_lazy("Debt to assets"), percent=True),
    Ratio("gross_margin", gettext_lazy("Gross margin"), percent=True),
    Ratio("net_margin", gettext_lazy("Net margin"), percent=True),
    Ratio("receivable_days", gettext_lazy("Receivable turnover (days)")),
    Ratio("inventory_days", gettext_lazy("Inventory turnover (days)")),
    Ratio("interest_cover", gettext_lazy("Interest cover")),
    Ratio("cash_flow_to_liabilities", gettext_lazy("Operating cash flow / liabilities"),
          percent=True),
)  # fmt: skip


def _divide(numerator: Decimal, denominator: Decimal, scale: int = 1) -> Decimal | None:
    if not denominator:
        return None
    return (numerator * scale / denominator).quantize(CENT, rounding=ROUND_HALF_UP)


def ratios(s: FinancialStatement) -> dict[str, Decimal | None]:
    """The statement's ratios, two decimals (percentages as percent); None where the
    denominator is zero."""
    days = PERIOD_DAYS[PeriodKind(s.period_kind)]
    return {
        "current": _divide(s.current_assets, s.current_liabilities),
        "quick": _divide(s.current_assets - s.inventory, s.current_liabilities),
        "debt_to_assets": _divide(s.total_liabilities, s.total_assets, 100),
        "gross_margin": _divide(s.revenue - s.cost_of_sales, s.revenue, 100),
        "net_margin": _divide(s.net_profit, s.revenue, 100),
        "receivable_days": _divide(s.receivables * days, s.revenue),
        "inventory_days": _divide(s.inventory * days, s.cost_of_sales),
        "interest_cover": _divide(s.operating_profit, s.interest_expense),
        "cash_flow_to_liabilities": _divide(s.operating_cash_flow, s.total_liabilities, 100),
    }


def side_by_side(statements: list[FinancialStatement]) -> list[dict[str, Any]]:
    """One row per ratio with its value in each statement's period (the page's table)."""
    computed = [ratios(s) for s in statements]
    return [
        {"ratio": ratio, "values": [values[ratio.key] for values in computed]} for ratio in RATIOS
    ]
