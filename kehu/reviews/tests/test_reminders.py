"""The review's deadlines in the one reminder engine: open tasks are reminded five and one
working day ahead, then while overdue, and escalated to the department head two working days
past the deadline; customers about to become stale go into their account manager's digest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.core.models import Notification, User
from kehu.customers.models import Customer
from kehu.ops.models import DigestEntry, Outbox
from kehu.ops.reminders import due_for, run_reminders
from kehu.reviews import services
from kehu.reviews.models import ReviewTask
from kehu.reviews.reminders import STALE_RULE, TASK_RULE
from kehu.reviews.tests.conftest import open_august

D = dt.date


@pytest.mark.django_db
def test_pending_yields_the_open_tasks_of_the_user(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    first, second, other = make_active("manager1"), make_active("manager1"), make_active("manager3")
    campaign = open_august()
    assert campaign.deadline == D(2026, 8, 31)
    tasks = {t.customer_id: t for t in ReviewTask.objects.filter(campaign=campaign)}
    services.task_confirm(tasks[second.pk], by=demo["manager1"])

    # On the opening day the deadline is beyond the rule's five working days.
    assert list(TASK_RULE.pending(D(2026, 8, 3), demo["manager1"])) == []
    mine = list(TASK_RULE.pending(D(2026, 8, 24), demo["manager1"]))
    assert [due.obj.pk for due in mine] == [tasks[first.pk].pk]
    assert mine[0].deadline == D(2026, 8, 31)
    assert mine[0].recipients == [demo["manager1"]]
    assert mine[0].link == f"/reviews/tasks/{tasks[first.pk].pk}/"
    assert mine[0].unit.code == "SALE"
    every = list(TASK_RULE.pending(D(2026, 8, 24), None))
    assert {due.obj.pk for due in every} == {tasks[first.pk].pk, tasks[other.pk].pk}
    assert [item.due.obj.pk for item in due_for(demo["manager3"], D(2026, 8, 24))] == [
        tasks[other.pk].pk
    ]


@pytest.mark.django_db
def test_reminded_ahead_then_escalated_to_the_head(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    sale, mkt = make_active("manager1"), make_active("manager3")
    campaign = open_august()
    tasks = {t.customer_id: t for t in ReviewTask.objects.filter(campaign=campaign)}

    assert run_reminders(D(2026, 8, 24), ["reviews.task"]) == {"reviews.task": 2}
    assert run_reminders(D(2026, 8, 24), ["reviews.task"]) == {"reviews.task": 0}
    assert (
        Notification.objects.filter(user=demo["manager1"], link__contains="/reviews/").count() == 1
    )
    # The rule's channel is e-mail: the reminder also waits in the outbox.
    assert Outbox.objects.filter(to=demo["manager1"].email, subject__contains=sale.name).exists()
    # Not yet overdue on the day after the deadline's eve; no escalation before two days.
    assert run_reminders(D(2026, 9, 1), ["reviews.task"]) == {"reviews.task": 2}  # overdue
    assert not ReviewTask.objects.filter(escalated_on__isnull=False).exists()

    told = run_reminders(D(2026, 9, 2), ["reviews.task"])
    assert told == {"reviews.task": 1}  # the head of SALE; MKT has no head in the demo
    escalation = Notification.objects.get(user=demo["head_sale"])
    assert escalation.title.startswith("Escalated")
    assert sale.name in escalation.title
    assert ReviewTask.objects.get(pk=tasks[sale.pk].pk).escalated_on == D(2026, 9, 2)
    assert ReviewTask.objects.get(pk=tasks[mkt.pk].pk).escalated_on == D(2026, 9, 2)
    assert AuditEvent.objects.filter(action="reviews.reviewtask.escalate").count() == 2

    # A confirmed task is no longer reminded.
    services.task_confirm(tasks[sale.pk], by=demo["manager1"])
    assert {d.obj.pk for d in TASK_RULE.pending(D(2026, 9, 4), None)} == {tasks[mkt.pk].pk}


@pytest.mark.django_db
def test_stale_customers_are_reminded_in_the_digest(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    fresh, ageing = make_active("manager1"), make_active("manager1")
    now = timezone.now()
    Customer.objects.filter(pk=ageing.pk).update(last_verified_at=now - dt.timedelta(days=360))
    today = timezone.localdate()
    dues = list(STALE_RULE.pending(today, demo["manager1"]))
    assert [due.obj.pk for due in dues] == [ageing.pk]
    assert fresh.pk not in [due.obj.pk for due in dues]
    assert today < dues[0].deadline <= today + dt.timedelta(days=20)
    assert run_reminders(today, ["reviews.stale"]) == {"reviews.stale": 1}
    entry = DigestEntry.objects.get(user=demo["manager1"])
    assert ageing.name in entry.title
    assert list(STALE_RULE.pending(today, demo["manager3"])) == []
