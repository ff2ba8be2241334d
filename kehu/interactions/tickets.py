"""Service tickets (INT-6) and their SLA in working hours: the clock runs 09:00–12:00 and
13:00–18:00 on Chinese working days (kehu.core.calendar); a ticket closed (or still open)
after its due time has breached it. Closing needs the solution."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core import calendar
from kehu.core.access import DENIED
from kehu.customers.assignment import attachable_customers
from kehu.generic.services import audited_create, audited_update
from kehu.interactions.models import ServiceTicket, TicketStatus

# The working hours of a working day, in local time.
PERIODS = ((datetime.time(9), datetime.time(12)), (datetime.time(13), datetime.time(18)))
FIELDS: tuple[str, ...] = ("problem_type", "description", "handler", "handler_staff_no")
FIELDS += ("started_at",)
FIELDS += ("ended_at", "steps", "status", "solution", "satisfaction", "sla_hours")


def add_working_hours(start: datetime.datetime, hours: float) -> datetime.datetime:
    """The moment `hours` working hours after `start` (aware, local time)."""
    left = datetime.timedelta(hours=hours)
    moment = timezone.localtime(start)
    zone = moment.tzinfo
    day = moment.date()
    while True:
        if calendar.is_working_day(day):
            for begin, end in PERIODS:
                period_start = datetime.datetime.combine(day, begin, zone)
                period_end = datetime.datetime.combine(day, end, zone)
                if moment >= period_end:
                    continue
                begin_at = max(moment, period_start)
                available = period_end - begin_at
                if left <= available:
                    return begin_at + left
                left -= available
                moment = period_end
        day += datetime.timedelta(days=1)
        moment = datetime.datetime.combine(day, datetime.time(0), zone)


def _check(data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    start, end = data.get("started_at"), data.get("ended_at")
    if start and end and end < start:
        errors["ended_at"] = [_("The end must not be before the start.")]
    if data.get("status") == TicketStatus.CLOSED:
        if not str(data.get("solution") or "").strip():
            errors["solution"] = [_("A ticket is closed with its solution.")]
        if not end:
            errors["ended_at"] = [_("A closed ticket has its end time.")]
    satisfaction = data.get("satisfaction")
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        errors["satisfaction"] = [_("Give a whole number from %(low)s to %(high)s.") % {
            "low": 1, "high": 5}]  # fmt: skip
    if errors:
        raise ValidationError(errors)


def _sla(values: dict[str, Any]) -> dict[str, Any]:
    due = add_working_hours(values["started_at"], values.get("sla_hours") or 8)
    finished = values.get("ended_at") if values.get("status") == TicketStatus.CLOSED else None
    return {"due_at": due, "breached": (finished or timezone.now()) > due}


def ticket_create(data: dict[str, Any]) -> ServiceTicket:
    user = data.get("submitted_by")
    customer = data["customer"]
    if user is None or not attachable_customers(user).filter(pk=customer.pk).exists():
        raise PermissionDenied(DENIED)
    _check(data)
    values = {k: data[k] for k in FIELDS if k in data}
    if not values.get("handler_staff_no") and values.get("handler") is not None:
        values["handler_staff_no"] = values["handler"].employee_no
    ticket = ServiceTicket(customer=customer, **values, **_sla(values))
    ticket.full_clean()
    return audited_create(ticket)


def ticket_update(
    ticket: ServiceTicket, data: dict[str, Any], expected_version: int | None
) -> ServiceTicket:
    stored = ServiceTicket.objects.get(pk=ticket.pk)
    merged = {k: data.get(k, getattr(stored, k)) for k in FIELDS}
    _check(merged)
    values = {k: data[k] for k in FIELDS if k in data and data[k] != getattr(stored, k)}
    sla = _sla(merged)
    values.update({k: v for k, v in sla.items() if v != getattr(stored, k)})
    updated = audited_update(ticket, values, expected_version)
    assert isinstance(updated, ServiceTicket)
    return updated


def mark_breaches(now: datetime.datetime | None = None) -> int:
    """Flag open tickets past their due time (the daily job)."""
    now = now or timezone.now()
    return (
        ServiceTicket.objects.exclude(status=TicketStatus.CLOSED)
        .filter(due_at__lt=now, breached=False)
        .update(breached=True)
    )
