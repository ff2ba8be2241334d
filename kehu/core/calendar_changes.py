"""An administrator enters or changes a calendar day (a holiday of a year the library does not
know, an adjusted working day): every open deadline is counted again — a workflow step's
keeps its number of working days from when it started, a loan's and a hand-over's follow
their own rule (kehu.archives) — and the audit trail says how many deadlines moved."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.audit.services import record
from kehu.core import calendar
from kehu.core.calendar import Overrides
from kehu.core.models import CalendarDay
from kehu.generic.services import audited_create, audited_update


def recount(
    start: datetime.date, due: datetime.date, before: Overrides, after: Overrides
) -> datetime.date:
    """`due` counted again from `start` under `after`, keeping its working days under
    `before`."""
    days = calendar.working_days_between(start, due, before)
    return calendar.add_working_days(start, max(days, 0), after)


def recompute_deadlines(before: Overrides) -> list[dict[str, Any]]:
    """Move the open deadlines to the calendar as it is now (`before`: the entries they were
    counted with): pending workflow steps, folders on loan, hand-overs of dossiers. Returns
    what moved."""
    from kehu.archives import loans, transfers
    from kehu.workflow.models import Step, StepStatus

    after = calendar.entries()
    changed = [d for d in set(before) | set(after) if before.get(d) != after.get(d)]
    if not changed:
        return []
    first = min(changed)
    moved = []
    pending = Step.objects.filter(status__in=(StepStatus.OPEN, StepStatus.WAITING))
    affected = pending.filter(due_date__gte=first) | pending.filter(waiting_due__gte=first)
    for step in affected.select_for_update().order_by("pk"):
        start = timezone.localdate(step.created_at)
        due = recount(start, step.due_date, before, after) if step.due_date else None
        waiting = step.waiting_due
        if waiting and step.paused_on:
            waiting = recount(step.paused_on, waiting, before, after)
        if (due, waiting) == (step.due_date, step.waiting_due):
            continue
        moved.append({"step": step.pk, "case": step.case_id, "from": step.due_date, "to": due})
        step.due_date, step.waiting_due = due, waiting
        step.version += 1
        step.save(update_fields=["due_date", "waiting_due", "version"])
    moved += loans.recount_due_dates(before, after, first)
    moved += transfers.recount_due_dates(before, after, first)
    return moved


def _recorded(day: Any, moved: list[dict[str, Any]]) -> None:
    record(
        "core.calendar.recompute",
        day,
        extra={"deadlines_moved": len(moved), "moved": moved[:200]},
    )


def create_day(data: dict[str, Any]) -> CalendarDay:
    with transaction.atomic():
        before = calendar.entries()
        day = audited_create(CalendarDay(**data))
        _recorded(day, recompute_deadlines(before))
    return day


def update_day(day: CalendarDay, data: dict[str, Any], expected_version: int | None) -> Any:
    fields = {"date", "is_working", "name"}
    with transaction.atomic():
        before = calendar.entries()
        values = {k: v for k, v in data.items() if k in fields}
        updated = audited_update(day, values, expected_version)
        _recorded(updated, recompute_deadlines(before))
    return updated
