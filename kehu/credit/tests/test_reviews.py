"""The annual credit review: scheduled by the rating's interval on a working day when a limit
is granted, opened as a workflow case (a task with that deadline for the credit managers,
reminded by the workflow's deadlines) when it comes near, and completed with its report —
the limit confirmed, or a limit request for the change."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehu.core import calendar
from kehu.core.models import Notification, User
from kehu.credit import reviews, services
from kehu.credit.models import CreditAccount, CreditReview, LimitKind, LimitRequest
from kehu.customers.models import Customer
from kehu.customers.services import change_status
from kehu.ops.reminders import run_reminders
from kehu.workflow import services as workflow
from kehu.workflow.errors import WorkflowError
from kehu.workflow.models import Case

D = Decimal


def test_next_review_date_is_a_working_day(db: None) -> None:
    # 2026-10-01 is National Day: a year after 2025-10-01 falls in the holiday week.
    due = services.next_review_date("AA", datetime.date(2025, 10, 1))
    assert due >= datetime.date(2026, 10, 1) and calendar.is_working_day(due)
    # A B grade is reviewed every three months.
    assert services.next_review_date("B", datetime.date(2026, 1, 31)) == datetime.date(2026, 4, 30)


@pytest.mark.django_db
def test_review_is_reminded_and_completed(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    customer = change_status(make_customer(), "in_filing", "备案", demo["gm"])
    customer = change_status(customer, "active", "备案通过", demo["gm"])
    services.limit_grant(customer, kind=LimitKind.NEW, limit_amount=D("300000"), by=demo["gm"])
    account = CreditAccount.objects.get(customer=customer)
    assert account.next_review_on is not None and account.next_review_on > timezone.localdate()

    assert reviews.open_due_reviews(timezone.localdate()) == 0  # not near yet
    near = calendar.add_working_days(account.next_review_on, -reviews.REVIEW_HORIZON)
    assert reviews.open_due_reviews(near) == 1
    assert reviews.open_due_reviews(near) == 0  # one case at a time
    case = Case.objects.get(process=reviews.PROCESS)
    step = case.steps.get()
    assert step.due_date == account.next_review_on and step.assignee_role == "credit_manager"
    assert Notification.objects.filter(user=demo["credit"], link__contains=f"/cases/{case.pk}/")
    # The workflow's deadlines remind the credit manager before the date.
    told = run_reminders(calendar.add_working_days(account.next_review_on, -1), ["workflow.step"])
    assert told["workflow.step"] >= 1
    # The task is completed only with the review form, not on the case page.
    with pytest.raises(WorkflowError):
        workflow.complete_step(step, by=demo["credit"], outcome="confirmed")
    # Another department's account manager may not complete it.
    with pytest.raises(ValidationError, match="not assigned"):
        reviews.review_complete(
            account, report="x", rating="AA", outcome="confirmed", new_limit=None,
            by=demo["manager4"],
        )  # fmt: skip

    with pytest.raises(ValidationError) as refused:
        reviews.review_complete(
            account, report="", rating="ZZ", outcome="changed", new_limit=None, by=demo["credit"]
        )
    assert {"report", "rating", "new_limit"} <= set(refused.value.message_dict)

    reviews.review_complete(
        account, report="回款及时，维持额度。", rating="AA", outcome="confirmed", new_limit=None,
        by=demo["credit"],
    )  # fmt: skip
    account.refresh_from_db()
    assert account.rating == "AA" and account.grants.filter(kind="review").exists()
    case.refresh_from_db()
    assert case.status == "closed" and case.outcome == "confirmed"
    assert CreditReview.objects.get().case == case

    reviews.review_complete(
        account, report="交易量增长。", rating="AAA", outcome="changed", new_limit=D("500000"),
        by=demo["credit"],
    )  # fmt: skip
    request = LimitRequest.objects.get()
    assert request.kind == "increase" and request.limit_amount == D("500000.00")
    assert request.status == "pending"
    # A review done before its case opened opens and completes one of its own.
    assert Case.objects.filter(process=reviews.PROCESS).count() == 2
    assert not Case.objects.filter(process=reviews.PROCESS, status="open").exists()
