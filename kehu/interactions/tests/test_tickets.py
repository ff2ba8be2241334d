"""Service tickets: the SLA counted in working hours, the breach flag, and closing only with
the solution and the end time."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehu.core import calendar
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.interactions import tickets
from kehu.interactions.models import ServiceTicket

pytestmark = pytest.mark.django_db


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


@pytest.mark.django_db
def test_working_hours_skip_lunch_nights_and_holidays() -> None:
    # Wednesday 2026-09-30 16:00 + 8 working hours: 2 that day, then the National Day
    # holiday passes uncounted, and 6 on the next working day (09–12, 13–16).
    after_holiday = calendar.next_working_day(datetime.date(2026, 10, 1))
    assert after_holiday > datetime.date(2026, 10, 5)
    due = tickets.add_working_hours(local(2026, 9, 30, 16, 0), 8)
    assert due == timezone.make_aware(datetime.datetime.combine(after_holiday, datetime.time(16)))
    # Within one ordinary day: 10:00 + 3 h = 14:00 (the lunch hour does not count).
    assert tickets.add_working_hours(local(2026, 11, 3, 10, 0), 3) == local(2026, 11, 3, 14, 0)
    # Before opening: 07:30 + 1 h = 10:00.
    assert tickets.add_working_hours(local(2026, 11, 3, 7, 30), 1) == local(2026, 11, 3, 10, 0)
    # After closing: 19:00 + 2 h = 11:00 the next working day.
    assert tickets.add_working_hours(local(2026, 11, 3, 19, 0), 2) == local(2026, 11, 4, 11, 0)


def data(customer: Customer, demo: dict[str, User], **more: Any) -> dict[str, Any]:
    return {"customer": customer, "submitted_by": demo["manager1"], "problem_type": "network",
            "description": "VPN 无法连接", "handler": demo["manager1"],
            "started_at": local(2026, 11, 3, 10, 0), "sla_hours": 4} | more  # fmt: skip


def test_sla_breach_and_closing_rules(
    make_customer: Callable[..., Customer], demo: dict[str, User]
) -> None:
    customer = make_customer("manager1")
    with pytest.raises(ValidationError) as refused:
        tickets.ticket_create(data(customer, demo, status="closed", ended_at=local(2026, 11, 3, 9)))
    assert {"solution", "ended_at"} <= set(refused.value.message_dict)
    assert not ServiceTicket.objects.exists()
    ticket = tickets.ticket_create(data(customer, demo))
    assert ticket.due_at == local(2026, 11, 3, 15, 0)  # 10–12 and 13–15
    closed = tickets.ticket_update(
        ticket,
        {"status": "closed", "ended_at": local(2026, 11, 3, 14, 30), "solution": "重置路由"},
        ticket.version,
    )
    assert closed.breached is False
    late = tickets.ticket_create(data(customer, demo))
    late = tickets.ticket_update(
        late,
        {"status": "closed", "ended_at": local(2026, 11, 4, 9, 30), "solution": "更换网卡"},
        late.version,
    )
    assert late.breached is True
    still_open = tickets.ticket_create(data(customer, demo, started_at=local(2026, 11, 2, 9)))
    assert tickets.mark_breaches(local(2026, 11, 30, 12)) >= 0
    still_open.refresh_from_db()
    assert still_open.breached is True
