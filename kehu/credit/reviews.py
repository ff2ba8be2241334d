"""The annual credit review (年审评价报告, CRD-6): every customer with a limit is due for a
review at the interval its rating grade names, on a working day; the reminder engine tells
the credit managers (rule "credit.annual_review"); the review ends in its report and either
a confirmed limit or a limit request for the change."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.audit.services import record
from kehu.core import calendar
from kehu.credit import limits, services
from kehu.credit.applications import credit_managers
from kehu.credit.models import (
    CreditAccount,
    CreditReview,
    LimitKind,
    RatingGrade,
    ReviewOutcome,
)
from kehu.ops.models import ReminderChannel
from kehu.ops.reminders import Due, ReminderRule

RULE_KIND = "credit.annual_review"


def review_complete(
    account: CreditAccount,
    *,
    report: str,
    rating: str,
    outcome: str,
    new_limit: Decimal | None,
    by: Any,
) -> CreditReview:
    """Record the review. Confirmed: the limit stays (a review entry in the limit history,
    the next review scheduled); changed: a limit request goes to the approval chain."""
    errors: dict[str, list[str]] = {}
    if not (report or "").strip():
        errors["report"] = [_("Write the review report.")]
    if not RatingGrade.objects.filter(code=rating).exists():
        errors["rating"] = [_("Choose a grade of the rating scale.")]
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
    if outcome == ReviewOutcome.CHANGED and (
        new_limit is None or new_limit == account.limit_amount
    ):
        errors["new_limit"] = [_("Give the new limit, different from the current one.")]
    if errors:
        raise ValidationError(errors)
    customer = account.customer
    with transaction.atomic():
        CreditAccount.objects.filter(pk=account.pk).update(rating=rating)
        account.rating = rating
        review = CreditReview(
            account=account, due_on=account.next_review_on, report=report.strip(),
            rating=rating, outcome=outcome, new_limit=new_limit or account.limit_amount,
            reviewed_by=by,
        )  # fmt: skip
        if outcome == ReviewOutcome.CONFIRMED:
            services.limit_grant(
                customer, kind=LimitKind.REVIEW, limit_amount=account.limit_amount,
                payment_days=account.payment_days, overdue_allowed=account.overdue_allowed,
                reason=_("Annual review: limit confirmed."), by=by,
            )  # fmt: skip
        else:
            assert new_limit is not None
            kind = LimitKind.INCREASE if new_limit > account.limit_amount else LimitKind.DECREASE
            review.limit_request = limits.limit_request_create(
                customer,
                {"kind": kind, "limit_amount": new_limit, "payment_days": account.payment_days,
                 "overdue_allowed": min(account.overdue_allowed, new_limit),
                 "reason": _("Annual review: %(report)s") % {"report": report.strip()[:200]}},
                by=by,
            )  # fmt: skip
            # The next review counts from this one, whatever the request's fate.
            CreditAccount.objects.filter(pk=account.pk).update(
                next_review_on=services.next_review_date(rating, timezone.localdate())
            )
        review.save()
        record(
            "credit.review.complete",
            customer,
            extra={"rating": rating, "outcome": outcome, "new_limit": str(review.new_limit)},
        )
    return review


def pending_reviews(today: datetime.date, user: Any) -> Iterator[Due]:
    """Accounts due for review within the rule's horizon, to their credit managers."""
    horizon = calendar.add_working_days(today, max(REVIEW_RULE.before))
    due = (
        CreditAccount.objects.filter(next_review_on__isnull=False, next_review_on__lte=horizon)
        .select_related("customer__unit")
        .order_by("next_review_on", "pk")
    )
    for account in due:
        assert account.next_review_on is not None
        recipients = list(credit_managers(account.customer))
        if user is not None and all(r.pk != user.pk for r in recipients):
            continue
        yield Due(
            obj=account,
            deadline=account.next_review_on,
            recipients=recipients,
            title=_("Annual credit review: %(name)s") % {"name": account.customer.name},
            link=reverse("credit:customer", args=[account.customer_id]) + "#review",
            unit=account.customer.unit,
        )


REVIEW_RULE = ReminderRule(
    kind=RULE_KIND,
    label=gettext_lazy("Annual credit review"),
    pending=pending_reviews,
    before=(10, 3),
    every_after=5,
    escalate_after=5,
    default_channel=ReminderChannel.APP,
)
