"""An administrator enters or changes a calendar day (a holiday of a year the library does not
know, an adjusted working day): every open deadline is counted again by the app that owns it
(`calendar.register_deadline_recount`: a workflow step keeps its number of working days from
when it started, a loan and a hand-over follow their own rule in kehu.archives) and the audit
trail says how many deadlines moved."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kehu.audit.services import record
from kehu.core import calendar
from kehu.core.calendar import Overrides
from kehu.core.models import CalendarDay
from kehu.generic.services import audited_create, audited_update


def recompute_deadlines(before: Overrides) -> list[dict[str, Any]]:
    """Move the open deadlines to the calendar as it is now (`before`: the entries they were
    counted with), through every app's registered recount. Returns what moved."""
    after = calendar.entries()
    changed = [d for d in set(before) | set(after) if before.get(d) != after.get(d)]
    if not changed:
        return []
    first = min(changed)
    moved: list[dict[str, Any]] = []
    for recount_deadlines in calendar.deadline_recounts():
        moved += recount_deadlines(before, after, first)
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
