"""Exposure, ageing and the automatic credit hold.

The account row keeps the sums of the customer's open receivables and open orders; every
service that changes an invoice, an order or a limit calls `account_refresh`, which sums them
again and puts the customer on hold or lifts the hold. The overdue part depends on the day:
it is summed from the open invoices past due (an indexed range of one customer's rows), and
the daily job re-evaluates the accounts whose earliest due date has passed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.credit.models import (
    ZERO,
    CreditAccount,
    HoldOverride,
    HoldReason,
    OpenOrder,
    Receivable,
)
from kehu.ops import webhooks
from kehu.ops.models import WebhookEvent

CENT = Decimal("0.01")
# Ageing buckets in days past due: (label, first day, last day or None).
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-120", 91, 120),
    ("121+", 121, None),
)


def account_for(customer: Any) -> CreditAccount:
    """The customer's credit account, created empty (no limit) on first use."""
    account, _created = CreditAccount.objects.get_or_create(customer=customer)
    return account


def overdue_amount(customer_id: int, today: datetime.date) -> Decimal:
    """The open amount of invoices whose due date is before `today`."""
    total = Receivable.objects.filter(
        customer_id=customer_id, open_amount__gt=0, due_date__lt=today
    ).aggregate(total=Sum("open_amount"))["total"]
    return cents(total)


def cents(value: Decimal | None) -> Decimal:
    """A database sum as an amount in 元 with two decimals (SQLite drops trailing zeros)."""
    return (value or ZERO).quantize(CENT)


def hold_reasons(
    account: CreditAccount, today: datetime.date, overdue: Decimal | None = None
) -> list[str]:
    """Why the account is held on `today` (empty: not held)."""
    reasons: list[str] = []
    limit = account.effective_limit(today)
    if account.exposure > limit:
        reasons.append(HoldReason.OVER_LIMIT if limit > 0 else HoldReason.NO_LIMIT)
    if overdue is None:
        overdue = (
            overdue_amount(account.customer_id, today)
            if account.earliest_due is not None and account.earliest_due < today
            else ZERO
        )
    if overdue > account.overdue_allowed:
        reasons.append(HoldReason.OVERDUE)
    return reasons


def running_override(account: CreditAccount, today: datetime.date) -> HoldOverride | None:
    return (
        account.overrides.filter(ended_at__isnull=True, until__gte=today)
        .order_by("-until", "-pk")
        .first()
    )


def account_refresh(customer_id: int, today: datetime.date | None = None) -> CreditAccount:
    """Sum the customer's open items again and set or lift its hold; audited when the hold
    changes. Runs in the caller's transaction, the account row locked."""
    today = today or timezone.localdate()
    with transaction.atomic():
        account, _created = CreditAccount.objects.select_for_update().get_or_create(
            customer_id=customer_id
        )
        open_items = Receivable.objects.filter(customer_id=customer_id, open_amount__gt=0)
        sums = open_items.aggregate(total=Sum("open_amount"), earliest=Min("due_date"))
        orders = OpenOrder.objects.filter(customer_id=customer_id, closed=False).aggregate(
            total=Sum("amount")
        )
        account.open_receivables = cents(sums["total"])
        account.earliest_due = sums["earliest"]
        account.open_orders = cents(orders["total"])
        fields = ["open_receivables", "earliest_due", "open_orders", "updated_at"]
        fields += _apply_hold(account, hold_reasons(account, today))
        account.save(update_fields=fields)
    return account


def _apply_hold(account: CreditAccount, reasons: list[str]) -> list[str]:
    """Set the hold fields to `reasons`; the fields changed. Audited when the hold starts,
    ends or changes its reasons."""
    held = bool(reasons)
    if held == account.held and reasons == account.hold_reasons:
        return []
    before = {"held": account.held, "hold_reasons": account.hold_reasons}
    account.held, account.hold_reasons = held, reasons
    if held and account.held_since is None:
        account.held_since = timezone.now()
    if not held:
        account.held_since = None
    action = "credit.hold.place" if held and not before["held"] else "credit.hold.lift"
    if held and before["held"]:
        action = "credit.hold.change"
    record(
        action,
        account.customer,
        changes={
            "held": [before["held"], held],
            "hold_reasons": [before["hold_reasons"], reasons],
        },
    )
    if held != before["held"]:
        webhooks.emit(
            WebhookEvent.CREDIT_HOLD_ON if held else WebhookEvent.CREDIT_HOLD_OFF,
            {"customer": webhooks.customer_data(account.customer), "reasons": reasons},
        )
    return ["held", "hold_reasons", "held_since"]


def accounts_due_for_review(today: datetime.date) -> Any:
    """Accounts whose hold may have changed with the date: an invoice fell due, a temporary
    limit ended, or they are held (a paid invoice is refreshed by its import)."""
    return CreditAccount.objects.filter(
        Q(earliest_due__lt=today) | Q(temporary_until__lt=today) | Q(held=True)
    ).values_list("customer_id", flat=True)


def refresh_all(today: datetime.date | None = None) -> int:
    """Re-evaluate the holds that depend on the date (the daily job); how many changed."""
    today = today or timezone.localdate()
    changed = 0
    for customer_id in accounts_due_for_review(today).iterator():
        before = CreditAccount.objects.only("held", "hold_reasons").get(customer_id=customer_id)
        after = account_refresh(customer_id, today)
        changed += (before.held, before.hold_reasons) != (after.held, after.hold_reasons)
    return changed


# --- the credit check --------------------------------------------------------------------


@dataclass
class CheckResult:
    """The answer of the one control point: may this customer take an order of `amount`?"""

    allowed: bool
    held: bool
    reasons: list[dict[str, str]] = field(default_factory=list)
    exposure: Decimal = ZERO
    limit: Decimal = ZERO
    available: Decimal = ZERO
    overdue: Decimal = ZERO
    overdue_allowed: Decimal = ZERO
    override_until: datetime.date | None = None


REASON_TEXT = {
    HoldReason.OVER_LIMIT: lambda: _("The exposure is above the credit limit."),
    HoldReason.OVERDUE: lambda: _("The overdue amount is above the allowance."),
    HoldReason.NO_LIMIT: lambda: _("The customer has no credit limit."),
    "amount": lambda: _("The order amount exceeds the available credit."),
}


def _figures_sql() -> str:
    account, receivable, override = (
        CreditAccount._meta.db_table,
        Receivable._meta.db_table,
        HoldOverride._meta.db_table,
    )
    return (
        "SELECT a.limit_amount, a.temporary_amount, a.temporary_until, a.open_receivables, "
        "a.open_orders, a.overdue_allowed, "
        f"CASE WHEN a.earliest_due < %s THEN (SELECT SUM(r.open_amount) FROM {receivable} r "
        "WHERE r.customer_id = a.customer_id AND r.open_amount > 0 AND r.due_date < %s) END, "
        f"(SELECT MAX(o.until) FROM {override} o WHERE o.account_id = a.id "
        "AND o.ended_at IS NULL AND o.until >= %s) "
        f"FROM {account} a WHERE a.customer_id = %s"
    )


def _amount(value: Any) -> Decimal:
    """A figure as read by a raw statement (SQLite gives numbers, PostgreSQL Decimals)."""
    return cents(value if value is None or isinstance(value, Decimal) else Decimal(str(value)))


def _date(value: Any) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def credit_check(customer: Any, amount: Decimal, today: datetime.date | None = None) -> CheckResult:
    """Whether an order of `amount` may be accepted: refused when the customer is held (over
    its limit or overdue beyond its allowance) or the order exceeds the available credit,
    unless a controller's override is running. One statement: the account's summary row,
    the overdue sum when an invoice is past due, and a running override."""
    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(_figures_sql(), [today, today, today, customer.pk])
        row = cursor.fetchone()
    account = CreditAccount(customer_id=customer.pk)
    override_until = None
    overdue = ZERO
    if row is not None:
        account.limit_amount, account.temporary_amount = _amount(row[0]), _amount(row[1])
        account.temporary_until = _date(row[2])
        account.open_receivables, account.open_orders = _amount(row[3]), _amount(row[4])
        account.overdue_allowed, overdue = _amount(row[5]), _amount(row[6])
        override_until = _date(row[7])
    reasons = hold_reasons(account, today, overdue)
    limit = account.effective_limit(today)
    available = max(limit - account.exposure, ZERO)
    codes = list(reasons)
    if (
        amount > available
        and HoldReason.OVER_LIMIT not in codes
        and (HoldReason.NO_LIMIT not in codes)
    ):
        codes.append("amount")
    return CheckResult(
        allowed=not codes or override_until is not None,
        held=bool(reasons),
        reasons=[{"code": str(code), "message": REASON_TEXT[code]()} for code in codes],
        exposure=account.exposure,
        limit=limit,
        available=available,
        overdue=overdue,
        overdue_allowed=account.overdue_allowed,
        override_until=override_until if codes else None,
    )


# --- ageing ------------------------------------------------------------------------------


def ageing(customer_ids: Any, today: datetime.date) -> dict[str, Decimal]:
    """Open amounts by days past due of `customer_ids` (a list or a subquery): "current"
    (not yet due) and the buckets of BUCKETS."""
    sums: dict[str, Any] = {"current": Sum("open_amount", filter=Q(due_date__gte=today))}
    for label, first, last in BUCKETS:
        condition = Q(due_date__lte=today - datetime.timedelta(days=max(first, 1)))
        if last is not None:
            condition &= Q(due_date__gte=today - datetime.timedelta(days=last))
        sums[label] = Sum("open_amount", filter=condition)
    result = Receivable.objects.filter(customer_id__in=customer_ids, open_amount__gt=0).aggregate(
        **sums
    )
    return {key: cents(value) for key, value in result.items()}
