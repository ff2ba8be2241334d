"""The annual credit review (年审评价报告, CRD-6): every customer with a limit is due for a
review at the interval its rating grade names, on a working day. A daily job opens the
review as a workflow case (`credit.review`) when it comes within REVIEW_HORIZON working days:
a task for the credit managers of the customer's units, due on the review date, reminded and
escalated by the workflow's deadlines. The review ends in its report and either a confirmed
limit or a limit request for the change, which completes the case."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import calendar
from kehu.credit import limits, services
from kehu.credit.forms import ReviewForm
from kehu.credit.models import (
    CreditAccount,
    CreditReview,
    LimitGrant,
    LimitKind,
    RatingGrade,
    ReviewOutcome,
)
from kehu.credit.selectors import REVIEW_PROCESS, open_case_of
from kehu.workflow import services as workflow
from kehu.workflow.errors import WorkflowError
from kehu.workflow.models import Case, Step, StepStatus

PROCESS = REVIEW_PROCESS
# The review's case opens this many working days before its date.
REVIEW_HORIZON = 10


def review_case_open(account: CreditAccount, *, by: Any, due: datetime.date) -> Case:
    """Open the account's review case: one step for the credit managers, due on `due`."""
    customer = account.customer
    return workflow.open_case(
        PROCESS,
        account,
        unit=customer.unit,
        by=by,
        title=_("Annual credit review: %(name)s") % {"name": customer.name},
        due=due,
    )


def open_due_reviews(today: datetime.date | None = None) -> int:
    """Open the review cases of the accounts due within the horizon that have none open; the
    case is opened in the name of whoever granted the limit in force."""
    today = today or timezone.localdate()
    horizon = calendar.add_working_days(today, REVIEW_HORIZON)
    due = (
        CreditAccount.objects.filter(next_review_on__isnull=False, next_review_on__lte=horizon)
        .select_related("customer__unit")
        .order_by("next_review_on", "pk")
    )
    opened = 0
    for account in due:
        if open_case_of(account) is not None:
            continue
        grant = LimitGrant.objects.filter(account=account).select_related("granted_by").first()
        if grant is None:
            continue
        assert account.next_review_on is not None
        with transaction.atomic():
            review_case_open(account, by=grant.granted_by, due=account.next_review_on)
        opened += 1
    return opened


def _review_step(account: CreditAccount, *, by: Any) -> Step:
    """The open step of the account's review case (a case opened now when none is)."""
    case = open_case_of(account) or review_case_open(
        account, by=by, due=account.next_review_on or timezone.localdate()
    )
    step = case.steps.filter(status=StepStatus.OPEN, key="review").first()
    if step is None:
        raise ValidationError(_("This review has no open task."))
    return step


def review_complete(
    account: CreditAccount,
    *,
    report: str,
    rating: str,
    outcome: str,
    new_limit: Decimal | None,
    by: Any,
    form: ReviewForm | None = None,
) -> CreditReview:
    """Record the review and complete its task. Confirmed: the limit stays (a review entry in
    the limit history, the next review scheduled); changed: a limit request goes to the
    approval chain."""
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
    if form is None:
        form = ReviewForm(
            data={"report": report, "rating": rating, "outcome": outcome,
                  "new_limit": "" if new_limit is None else str(new_limit)},
            grades=[(g.code, g.label) for g in RatingGrade.objects.all()],
        )  # fmt: skip
    with transaction.atomic():
        step = _review_step(account, by=by)
        CreditAccount.objects.filter(pk=account.pk).update(rating=rating)
        account.rating = rating
        review = CreditReview(
            account=account, due_on=account.next_review_on, report=report.strip(),
            rating=rating, outcome=outcome, new_limit=new_limit or account.limit_amount,
            reviewed_by=by, case=step.case,
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
        try:
            workflow.complete_step(
                step, by=by, outcome=outcome, comment=report.strip()[:500], page_form=form
            )
        except WorkflowError as error:
            raise ValidationError(str(error)) from None
    return review
