"""Two overlapping runs of the deadline jobs notify once: the second run read the step before
the first one marked it, and the reminder ledger stops it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from kehu.audit.models import AuditEvent
from kehu.core.models import Notification, User
from kehu.customers.models import Customer
from kehu.ops.models import Outbox
from kehu.workflow import services
from kehu.workflow.models import Step
from kehu.workflow.tests.test_engine import customer, fixed_today, told  # noqa: F401

D = dt.date


@pytest.mark.django_db
def test_overlapping_reminder_and_escalation_runs_notify_once(
    demo: dict[str, User],
    customer: Customer,  # noqa: F811
    fixed_today: Callable[[dt.date], None],  # noqa: F811
) -> None:
    fixed_today(D(2026, 2, 13))
    case = services.open_case(
        "tests.review", customer, unit=customer.unit, by=demo["head_sale"],
        reviewer=demo["manager1"],
    )  # fmt: skip
    step = case.steps.get()
    reminders = Notification.objects.filter(user=demo["manager1"], link=f"/cases/{case.pk}/")
    before = reminders.count()
    mails = Outbox.objects.filter(to=demo["manager1"].email)
    mails_before = mails.count()
    fixed_today(D(2026, 2, 23))
    assert told("workflow.step") == 1
    # The overlapping run read the step while it was not yet marked reminded.
    Step.objects.filter(pk=step.pk).update(reminded_on=None)
    assert told("workflow.step") == 0
    assert reminders.count() == before + 1
    assert mails.count() == mails_before + 1

    fixed_today(D(2026, 2, 26))
    assert told("workflow.step") == 2  # overdue to the reviewer, escalated to the head
    Step.objects.filter(pk=step.pk).update(escalated_at=None)
    assert told("workflow.step") == 0
    head_notes = Notification.objects.filter(user=demo["head_sale"], link=f"/cases/{case.pk}/")
    assert head_notes.count() == 1
    assert AuditEvent.objects.filter(action="workflow.step.escalate").count() == 1
