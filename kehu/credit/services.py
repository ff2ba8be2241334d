"""State changes of the credit file beyond the imports: the controller's override of a
credit hold, and granting a limit (the end of an approved limit request, or of a review)."""

from __future__ import annotations

import calendar as calendar_module
import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import calendar
from kehu.credit.exposure import account_for, account_refresh
from kehu.credit.models import (
    ZERO,
    CreditAccount,
    HoldOverride,
    LimitGrant,
    LimitKind,
    RatingGrade,
)

LIMIT_FIELDS = (
    *("limit_amount", "payment_days", "overdue_allowed"),
    *("temporary_amount", "temporary_until"),
)
# An override is a short bridge, not a second limit.
MAX_OVERRIDE_DAYS = 90


def override_grant(
    account: CreditAccount, *, reason: str, until: datetime.date | None, by: Any
) -> HoldOverride:
    """Let a held customer trade until `until` (at most MAX_OVERRIDE_DAYS ahead)."""
    reason = (reason or "").strip()
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Give the reason for the override.")]
    if until is None:
        errors["until"] = [_("Give the date the override ends.")]
    elif until < today:
        errors["until"] = [_("The override cannot end in the past.")]
    elif until > today + datetime.timedelta(days=MAX_OVERRIDE_DAYS):
        errors["until"] = [
            _("An override lasts at most %(days)s days.") % {"days": MAX_OVERRIDE_DAYS}
        ]
    if errors:
        raise ValidationError(errors)
    assert until is not None
    with transaction.atomic():
        override = HoldOverride.objects.create(
            account=account, reason=reason, until=until, granted_by=by
        )
        record(
            "credit.override.grant",
            account.customer,
            extra={"override": override.pk, "until": until.isoformat(), "reason": reason},
        )
    return override


def override_end(override: HoldOverride, *, by: Any) -> HoldOverride:
    with transaction.atomic():
        current = HoldOverride.objects.select_for_update().get(pk=override.pk)
        if current.ended_at is not None:
            return current
        current.ended_at, current.ended_by = timezone.now(), by
        current.save(update_fields=["ended_at", "ended_by"])
        record(
            "credit.override.end",
            current.account.customer,
            extra={"override": current.pk},
        )
    return current


DEFAULT_REVIEW_MONTHS = 12


def next_review_date(rating: str, start: datetime.date) -> datetime.date:
    """When a customer of `rating` is reviewed next: the grade's interval (a year when it
    has none) after `start`, on a working day."""
    grade = RatingGrade.objects.filter(code=rating).first() if rating else None
    months = grade.review_months if grade is not None else DEFAULT_REVIEW_MONTHS
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    day = min(start.day, calendar_module.monthrange(year, month)[1])
    deadline = datetime.date(year, month, day)
    return deadline if calendar.is_working_day(deadline) else calendar.next_working_day(deadline)


def limit_grant(
    customer: Any,
    *,
    kind: str,
    limit_amount: Decimal,
    payment_days: int = 0,
    overdue_allowed: Decimal = ZERO,
    temporary_amount: Decimal = ZERO,
    temporary_until: datetime.date | None = None,
    reason: str = "",
    by: Any,
    request: Any = None,
) -> LimitGrant:
    """Put a limit in force and keep it in the history; the hold follows at once. A
    temporary limit keeps the standing limit and adds its amount until its date."""
    with transaction.atomic():
        account = account_for(customer)
        account = CreditAccount.objects.select_for_update().get(pk=account.pk)
        before = {name: getattr(account, name) for name in LIMIT_FIELDS}
        if kind != LimitKind.TEMPORARY:
            account.limit_amount = limit_amount
            account.payment_days = payment_days
            account.overdue_allowed = overdue_allowed
        account.temporary_amount = temporary_amount
        account.temporary_until = temporary_until if temporary_amount else None
        if kind != LimitKind.TEMPORARY:
            account.next_review_on = next_review_date(account.rating, timezone.localdate())
        account.version += 1
        account.save()
        grant = LimitGrant.objects.create(
            account=account,
            kind=kind,
            limit_amount=account.limit_amount,
            payment_days=account.payment_days,
            overdue_allowed=account.overdue_allowed,
            temporary_amount=account.temporary_amount,
            temporary_until=account.temporary_until,
            reason=reason,
            granted_by=by,
            request=request,
        )
        after = {name: getattr(account, name) for name in before}
        record(
            "credit.limit.grant",
            customer,
            changes={
                name: [str(before[name]), str(after[name])]
                for name in before
                if before[name] != after[name]
            },
            extra={"grant": grant.pk, "kind": kind},
        )
        account_refresh(customer.pk)
    return grant
