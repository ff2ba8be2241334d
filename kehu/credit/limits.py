"""Credit limit requests (授信额度申请): who may ask for what, the approval chain the amount
requires (`LimitBand`), and the decision that puts an approved limit in force."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import numbering
from kehu.core.models import Role
from kehu.credit import services
from kehu.credit.exposure import account_for
from kehu.credit.models import (
    ZERO,
    LimitBand,
    LimitKind,
    LimitRequest,
    LimitRequestStatus,
)
from kehu.credit.receivables import MAX_AMOUNT
from kehu.customers.models import CustomerStatus
from kehu.workflow import services as workflow

PROCESS = "credit.limit"
# The chain when no band is configured.
DEFAULT_BANDS: tuple[tuple[str, Decimal], ...] = (
    (Role.CREDIT_MANAGER, ZERO),
    (Role.FINANCE, Decimal("500000")),
    (Role.GENERAL_MANAGER, Decimal("5000000")),
)
MAX_PAYMENT_DAYS = 365
MAX_TEMPORARY_DAYS = 366


def stake(account: Any, kind: str, limit_amount: Decimal, temporary_amount: Decimal) -> Decimal:
    """The amount the approval chain is chosen by: the new limit, or for a temporary limit
    the standing limit plus the temporary amount."""
    if kind == LimitKind.TEMPORARY:
        return account.limit_amount + temporary_amount
    return limit_amount


def approval_chain(amount: Decimal) -> list[str]:
    """The roles that approve a request of `amount`, in order."""
    bands = [(b.role, b.above) for b in LimitBand.objects.order_by("position", "pk")]
    return [role for role, above in (bands or list(DEFAULT_BANDS)) if amount > above or not above]


def _check(account: Any, data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    kind = data.get("kind")
    if kind not in LimitKind.values or kind == LimitKind.REVIEW:
        error("kind", _("Choose the kind of request."))
    for name in ("limit_amount", "overdue_allowed", "temporary_amount"):
        value = data.get(name) or ZERO
        if value < 0:
            error(name, _("The amount cannot be negative."))
        elif value > MAX_AMOUNT:
            error(name, _("The amount is too large; check the figure and its unit."))
    limit = data.get("limit_amount") or ZERO
    days = data.get("payment_days") or 0
    if days < 0 or days > MAX_PAYMENT_DAYS:
        error("payment_days", _("Payment terms are 0 to %(n)s days.") % {"n": MAX_PAYMENT_DAYS})
    if not (data.get("reason") or "").strip():
        error("reason", _("Give the reason for the request."))
    if kind == LimitKind.NEW and limit <= 0:
        error("limit_amount", _("A new limit must be greater than zero."))
    if kind == LimitKind.INCREASE and limit <= account.limit_amount:
        error("limit_amount", _("An increase must be above the current limit (%(limit)s 元).")
              % {"limit": account.limit_amount})  # fmt: skip
    if kind == LimitKind.DECREASE and limit >= account.limit_amount:
        error("limit_amount", _("A decrease must be below the current limit (%(limit)s 元).")
              % {"limit": account.limit_amount})  # fmt: skip
    if kind != LimitKind.TEMPORARY and (data.get("overdue_allowed") or ZERO) > limit:
        error("overdue_allowed", _("The overdue allowance cannot exceed the limit."))
    if kind == LimitKind.TEMPORARY:
        until = data.get("temporary_until")
        today = timezone.localdate()
        if (data.get("temporary_amount") or ZERO) <= 0:
            error("temporary_amount", _("A temporary limit must be greater than zero."))
        if until is None:
            error("temporary_until", _("Give the date the temporary limit ends."))
        elif until < today or until > today + datetime.timedelta(days=MAX_TEMPORARY_DAYS):
            error("temporary_until", _("The temporary limit ends within a year from today."))
    return errors


def limit_request_create(customer: Any, data: dict[str, Any], *, by: Any) -> LimitRequest:
    """File a limit request for an active customer and open its approval case; nothing is
    stored when a field is wrong (ValidationError by field)."""
    account = account_for(customer)
    errors = _check(account, data)
    if customer.status != CustomerStatus.ACTIVE:
        errors.setdefault("__all__", []).append(_("Limits are granted to active customers only."))
    if LimitRequest.objects.filter(account=account, status=LimitRequestStatus.PENDING).exists():
        errors.setdefault("__all__", []).append(
            _("A limit request of this customer is already waiting for approval.")
        )
    if errors:
        raise ValidationError(errors)
    kind = data["kind"]
    temporary = kind == LimitKind.TEMPORARY
    today = timezone.localdate()
    with transaction.atomic():
        request = LimitRequest.objects.create(
            number=numbering.allocate(
                "SXSQ-{year}-{seq:05d}", f"credit:limitrequest:{today.year}", year=today.year
            ),
            account=account,
            kind=kind,
            limit_amount=account.limit_amount if temporary else data["limit_amount"],
            payment_days=account.payment_days if temporary else data.get("payment_days") or 0,
            overdue_allowed=account.overdue_allowed
            if temporary
            else data.get("overdue_allowed") or ZERO,
            temporary_amount=data.get("temporary_amount") or ZERO if temporary else ZERO,
            temporary_until=data.get("temporary_until") if temporary else None,
            reason=data["reason"].strip(),
            requested_by=by,
        )
        chain = approval_chain(stake(account, kind, request.limit_amount, request.temporary_amount))
        record(
            "credit.limitrequest.create",
            customer,
            extra={"request": request.number, "kind": kind, "chain": chain},
        )
        request.case = workflow.open_case(
            PROCESS,
            request,
            unit=customer.unit,
            by=by,
            title=f"{_('Credit limit')}: {customer.name}",
            data={"chain": chain},
        )
        request.save(update_fields=["case"])
    return request


def limit_request_decide(request: LimitRequest, *, approved: bool, by: Any) -> LimitRequest:
    """The chain's last approval puts the limit in force; a rejection closes the request."""
    with transaction.atomic():
        current = LimitRequest.objects.select_for_update().get(pk=request.pk)
        if current.status != LimitRequestStatus.PENDING:
            return current
        current.status = LimitRequestStatus.APPROVED if approved else LimitRequestStatus.REJECTED
        current.version += 1
        current.save(update_fields=["status", "version", "updated_at"])
        customer = current.account.customer
        record(
            "credit.limitrequest.decide",
            customer,
            extra={"request": current.number, "status": current.status},
        )
        if approved:
            services.limit_grant(
                customer,
                kind=current.kind,
                limit_amount=current.limit_amount,
                payment_days=current.payment_days,
                overdue_allowed=current.overdue_allowed,
                temporary_amount=current.temporary_amount,
                temporary_until=current.temporary_until,
                reason=current.reason,
                by=by,
                request=current,
            )
    return current


def request_url(request: LimitRequest) -> str:
    return reverse("credit:limit_request", args=[request.pk])
