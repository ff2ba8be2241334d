"""Reads of the credit file shared by the pages, the API and the exports: the accounts a
user may see, one customer's credit summary with its ageing, and the card's credit panel."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case as Cases
from django.db.models import (
    CharField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Round
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from kehu.core import policy
from kehu.core.access import NOT_FOUND
from kehu.credit.exposure import BUCKETS, ageing, credit_check, running_override
from kehu.credit.forms import ReviewForm
from kehu.credit.models import (
    ZERO,
    CreditAccount,
    CreditApplication,
    CreditReview,
    HoldOverride,
    HoldReason,
    LimitGrant,
    LimitRequest,
    OpenOrder,
    RatingGrade,
    Receivable,
)
from kehu.customers.card import CardPanel
from kehu.customers.models import Customer
from kehu.workflow.models import Case, CaseStatus

OPEN_ROWS_SHOWN = 200
AMOUNT = DecimalField(max_digits=18, decimal_places=2)
REVIEW_PROCESS = "credit.review"


def account_rows() -> QuerySet[CreditAccount]:
    return CreditAccount.objects.select_related("customer", "customer__unit", "customer__owner")


def visible_accounts(user: Any) -> QuerySet[CreditAccount]:
    return policy.scope(user, account_rows(), "view")


def register_rows(user: Any, today: datetime.date | None = None) -> QuerySet[Any]:
    """The credit register's accounts in `user`'s scope with their exposure, utilisation of
    the limit (percent, one decimal; none without a limit) and worst ageing bucket (from the
    oldest unpaid due date the account keeps)."""
    today = today or timezone.localdate()
    exposure = F("open_receivables") + F("open_orders")
    buckets = [
        When(earliest_due__lte=today - datetime.timedelta(days=first), then=Value(label))
        for label, first, _last in reversed(BUCKETS)
        if first > 0
    ]
    return visible_accounts(user).annotate(
        exposure_sum=ExpressionWrapper(
            exposure, output_field=DecimalField(max_digits=18, decimal_places=2)
        ),
        utilisation=Cases(
            When(
                limit_amount__gt=0,
                then=Round(exposure * Value(Decimal(100)) / F("limit_amount"), 1),
            ),
            default=None,
            output_field=DecimalField(max_digits=12, decimal_places=1),
        ),
        worst_bucket=Cases(
            *buckets,
            When(earliest_due__lt=today, then=Value(BUCKETS[0][0])),
            default=Value(""),
            output_field=CharField(),
        ),
    )


def credit_customer(user: Any, pk: Any, perm: str = "credit.creditaccount.view") -> Customer:
    """The customer whose credit file `user` may `perm`; 404 (one message) otherwise. Credit
    staff and finance reach the credit file of customers in their units without reading the
    rest of the customer's card."""
    customer = Customer.objects.select_related("unit", "owner").filter(pk=pk).first()
    if customer is None or not policy.has_perm(user, perm, customer):
        raise Http404(NOT_FOUND)
    return customer


def held_condition() -> Any:
    """Whether the customer's account is on credit hold (the customer list's flag)."""
    return Exists(CreditAccount.objects.filter(customer_id=OuterRef("pk"), held=True))


def reason_labels(codes: list[str]) -> list[str]:
    labels = dict(HoldReason.choices)
    return [str(labels.get(code, code)) for code in codes]


def customer_credit(
    user: Any, customer: Customer, today: datetime.date | None = None
) -> dict[str, Any]:
    """What the customer's credit page shows: the account, the check's figures, ageing, the
    open items, overrides and the limit history."""
    today = today or timezone.localdate()
    account = CreditAccount.objects.filter(customer=customer).first()
    check = credit_check(customer, ZERO, today)
    invoices = Receivable.objects.filter(customer=customer, open_amount__gt=0).order_by(
        "due_date", "pk"
    )
    orders = OpenOrder.objects.filter(customer=customer, closed=False).order_by("order_date", "pk")
    override = running_override(account, today) if account is not None else None
    return {
        "customer": customer,
        "account": account,
        "check": check,
        "hold_reasons": reason_labels(account.hold_reasons) if account else [],
        "ageing": ageing([customer.pk], today),
        "invoices": list(invoices[:OPEN_ROWS_SHOWN]),
        "orders": list(orders[:OPEN_ROWS_SHOWN]),
        "override": override,
        "overrides": list(
            HoldOverride.objects.filter(account=account).select_related("granted_by")[:20]
        )
        if account
        else [],
        "grants": list(LimitGrant.objects.filter(account=account).select_related("granted_by")[:50])
        if account
        else [],
        "applications": list(CreditApplication.objects.filter(account=account)[:20])
        if account
        else [],
        "requests": list(LimitRequest.objects.filter(account=account)[:20]) if account else [],
        "reviews": list(
            CreditReview.objects.filter(account=account).select_related("reviewed_by")[:10]
        )
        if account
        else [],
        "review_step": _review_step(account),
        "can_review": policy.has_perm(user, "credit.creditreview.add", customer),
        "review_form": ReviewForm(grades=grades()),
        "can_see_statements": policy.has_perm(user, "credit.statement.view", customer),
        "can_request_limit": policy.has_perm(user, "credit.limitrequest.add", customer),
        "today": today,
        "can_override": policy.has_perm(user, "credit.creditaccount.override", customer),
    }


def _review_step(account: CreditAccount | None) -> Any:
    """The open task of the account's review case (its deadline and case), if any."""
    case = open_case_of(account) if account is not None else None
    return case.steps.filter(status="open").first() if case is not None else None


def open_case_of(account: CreditAccount) -> Case | None:
    """The account's open annual review case, if any."""
    return (
        Case.objects.filter(
            process=REVIEW_PROCESS,
            subject_type=ContentType.objects.get_for_model(CreditAccount),
            subject_id=account.pk,
            status=CaseStatus.OPEN,
        )
        .order_by("pk")
        .first()
    )


def grades() -> list[tuple[str, str]]:
    """The rating scale's grades as choices, best first."""
    return [(g.code, g.label) for g in RatingGrade.objects.order_by("position", "pk")]


def card_panel(request: Any, customer: Customer) -> CardPanel:
    return CardPanel(card_context(request.user, customer))


def card_context(user: Any, customer: Customer) -> dict[str, Any]:
    """The credit panel of the customer card: limit, exposure and hold, for whoever may see
    the customer's credit account."""
    if not policy.has_perm(user, "credit.creditaccount.view", customer):
        return {"credit_panel": False}
    account = CreditAccount.objects.filter(customer=customer).first()
    return {
        "credit_panel": True,
        "credit_account": account,
        "credit_held": bool(account and account.held),
        "credit_hold_reasons": reason_labels(account.hold_reasons) if account else [],
        "credit_url": reverse("credit:customer", args=[customer.pk]),
    }
