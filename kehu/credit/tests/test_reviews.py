"""The annual credit review: scheduled by the rating's interval on a working day when a limit
is granted, reminded to the credit managers through the reminder engine, and completed with
its report — the limit confirmed, or a limit request for the change."""

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
from kehu.credit.models import CreditAccount, LimitKind, LimitRequest
from kehu.customers.models import Customer
from kehu.customers.services import change_status
from kehu.ops.reminders import run_reminders

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

    due = list(reviews.pending_reviews(account.next_review_on, None))
    assert [d.obj.pk for d in due] == [account.pk]
    assert demo["credit"] in due[0].recipients
    assert list(reviews.pending_reviews(account.next_review_on, demo["manager4"])) == []
    told = run_reminders(account.next_review_on, [reviews.RULE_KIND])
    assert told[reviews.RULE_KIND] >= 1
    assert Notification.objects.filter(user=demo["credit"], link__contains="#review").exists()

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

    reviews.review_complete(
        account, report="交易量增长。", rating="AAA", outcome="changed", new_limit=D("500000"),
        by=demo["credit"],
    )  # fmt: skip
    request = LimitRequest.objects.get()
    assert request.kind == "increase" and request.limit_amount == D("500000.00")
    assert request.status == "pending"
