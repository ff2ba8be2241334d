"""The visit plan: planned visits and greetings per account manager, reminded ahead, and
recorded in the communication log once done."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kehu.core.models import Notification, User
from kehu.customers.models import Customer
from kehu.interactions import visits
from kehu.interactions.models import Channel, Interaction, VisitPlan
from kehu.ops.reminders import run_reminders

pytestmark = pytest.mark.django_db


def plan(customer: Customer, by: User, days: int = 10, kind: str = "mid_autumn") -> VisitPlan:
    return visits.visit_plan_create(
        {"customer": customer, "submitted_by": by, "kind": kind, "purpose": "中秋送月饼",
         "planned_on": timezone.localdate() + datetime.timedelta(days=days)}
    )  # fmt: skip


def test_planned_greeting_reminded_then_recorded(
    make_customer: Callable[..., Customer], demo: dict[str, User]
) -> None:
    customer = make_customer("manager1")
    planned = plan(customer, demo["head_sale"])  # the head plans, the owner carries it out
    assert planned.planner == demo["manager1"]
    kind = ["interactions.visit"]
    week_before = planned.planned_on - datetime.timedelta(days=7)
    assert run_reminders(week_before, kind) == {"interactions.visit": 1}
    assert run_reminders(week_before, kind) == {"interactions.visit": 0}
    mine = Notification.objects.filter(user=demo["manager1"], title__contains="中秋送月饼")
    assert mine.count() == 1
    with pytest.raises(PermissionDenied):
        visits.visit_done(planned, by=demo["manager2"], summary="已送达")
    with pytest.raises(ValidationError):
        visits.visit_done(planned, by=demo["manager1"], summary=" ")
    done = visits.visit_done(planned, by=demo["manager1"], summary="已送达，客户致谢")
    assert done.status == "done" and done.communication is not None
    talk = Interaction.objects.get(pk=done.communication.pk)
    assert talk.channel == Channel.PHONE and talk.content == "已送达，客户致谢"
    after = planned.planned_on + datetime.timedelta(days=1)
    assert run_reminders(after, kind) == {"interactions.visit": 0}


def test_a_plan_is_not_in_the_past(
    make_customer: Callable[..., Customer], demo: dict[str, User]
) -> None:
    with pytest.raises(ValidationError) as refused:
        plan(make_customer("manager1"), demo["manager1"], days=-1)
    assert "planned_on" in refused.value.message_dict
    assert not VisitPlan.objects.exists()
