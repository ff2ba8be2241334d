"""The review's deadlines in the reminder engine: open review tasks (reminded five and one
working day ahead, every three days overdue, escalated to the department heads after two)
and customers about to become stale (told to their account manager in the digest)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.audit.services import record
from kehu.core import calendar
from kehu.core.models import User
from kehu.ops.models import ReminderChannel
from kehu.ops.reminders import Due, ReminderRule
from kehu.reviews.freshness import months_before, stale_on, verified_before
from kehu.reviews.models import CampaignStatus, ReviewSettings, ReviewTask, TaskStatus
from kehu.reviews.selection import active_customers, high_risk_q


def pending_tasks(today: datetime.date, user: User | None) -> Iterator[Due]:
    horizon = calendar.add_working_days(today, TASK_RULE.horizon)
    tasks = ReviewTask.objects.filter(
        status=TaskStatus.OPEN,
        campaign__status=CampaignStatus.OPEN,
        campaign__deadline__lte=horizon,
    ).select_related("campaign", "customer", "owner", "unit")
    if user is not None:
        tasks = tasks.filter(owner=user)
    for task in tasks.order_by("campaign__deadline", "pk"):
        yield Due(
            obj=task,
            deadline=task.campaign.deadline,
            recipients=[task.owner],
            title=_("Review of %(customer)s") % {"customer": task.customer.name},
            link=reverse("reviews:task", args=[task.pk]),
            body=task.campaign.title,
            unit=task.unit,
        )


def task_stage_sent(due: Due, stage: str, today: datetime.date) -> None:
    if stage == "escalate":
        ReviewTask.objects.filter(pk=due.obj.pk).update(escalated_on=today)
        record(
            "reviews.reviewtask.escalate",
            due.obj,
            extra={
                "due": due.deadline,
                "working_days_late": calendar.working_days_between(due.deadline, today),
            },
        )


def pending_stale(today: datetime.date, user: User | None) -> Iterator[Due]:
    """Customers whose data becomes stale within the rule's horizon (or already is)."""
    config = ReviewSettings.current()
    horizon = calendar.add_working_days(today, STALE_RULE.horizon)
    risky = high_risk_q()
    customers = (
        active_customers()
        .filter(
            (risky & verified_before(months_before(horizon, config.stale_months_high_risk)))
            | (~risky & verified_before(months_before(horizon, config.stale_months)))
        )
        .select_related("owner", "unit")
    )
    if user is not None:
        customers = customers.filter(owner=user)
    high = set(active_customers().filter(risky).values_list("pk", flat=True))
    for customer in customers.order_by("pk"):
        yield Due(
            obj=customer,
            deadline=stale_on(customer, customer.pk in high, config),
            recipients=[customer.owner],
            title=_("Verify the data of %(customer)s") % {"customer": customer.name},
            link=reverse("generic:customers_detail", args=[customer.pk]),
            unit=customer.unit,
        )


TASK_RULE = ReminderRule(
    kind="reviews.task",
    label=gettext_lazy("Customer review task"),
    pending=pending_tasks,
    before=(5, 1),
    every_after=3,
    escalate_after=2,
    default_channel=ReminderChannel.EMAIL,
    on_sent=task_stage_sent,
)
STALE_RULE = ReminderRule(
    kind="reviews.stale",
    label=gettext_lazy("Customer data to verify"),
    pending=pending_stale,
    before=(10,),
    every_after=20,
    default_channel=ReminderChannel.DIGEST,
)
RULES = (TASK_RULE, STALE_RULE)
