"""Entering a missing year's holiday moves the open deadlines counted over it, and the audit
trail says how many moved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.workflow import services
from kehu.workflow.tests.test_engine import customer, fixed_today  # noqa: F401

D = dt.date


@pytest.mark.django_db
def test_entering_new_years_day_2027_moves_an_open_deadline(
    demo: dict[str, User],
    customer: Customer,  # noqa: F811
    fixed_today: Callable[[dt.date], None],  # noqa: F811
    api_for: Callable[[str], Any],
    client_for: Callable[[str], Any],
) -> None:
    fixed_today(D(2026, 12, 30))  # Wednesday; 2 working days: Thu 31 Dec, Fri 1 Jan 2027
    case = services.open_case(
        "tests.review", customer, unit=customer.unit, by=demo["head_sale"],
        reviewer=demo["manager1"],
    )  # fmt: skip
    step = case.steps.get()
    assert step.due_date == D(2027, 1, 1)  # no 2027 schedule yet: a weekday counts
    done = case.steps.create(key="review", label="已完成", status="done", due_date=D(2027, 1, 1))

    response = api_for("admin").post(
        "/api/v1/calendar-days/",
        {"date": "2027-01-01", "is_working": False, "name": "元旦"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    step.refresh_from_db()
    assert step.due_date == D(2027, 1, 4)  # the next working day after the holiday
    done.refresh_from_db()
    assert done.due_date == D(2027, 1, 1)  # finished steps keep theirs
    event = AuditEvent.objects.get(action="core.calendar.recompute")
    assert event.extra["deadlines_moved"] == 1
    assert event.extra["moved"][0]["step"] == step.pk

    # Changing the entry back (an adjusted working day) moves it back.
    day_id = response.json()["id"]
    edit = api_for("admin").put(
        f"/api/v1/calendar-days/{day_id}/",
        {"date": "2027-01-01", "is_working": True, "name": "元旦", "version": 1},
        content_type="application/json",
    )
    assert edit.status_code == 200, edit.content
    step.refresh_from_db()
    assert step.due_date == D(2027, 1, 1)
    assert AuditEvent.objects.filter(action="core.calendar.recompute").count() == 2
