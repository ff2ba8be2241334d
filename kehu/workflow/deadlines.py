"""Open steps keep their number of working days when the calendar changes."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from kehu.core import calendar
from kehu.workflow.models import Step, StepStatus


def recount_due_dates(
    before: calendar.Overrides, after: calendar.Overrides, first: datetime.date
) -> list[dict[str, Any]]:
    """The calendar changed from `before` to `after` (from the day `first` on): move the due
    dates (and waiting deadlines) of open steps, each keeping its working days from the day it
    started (or paused). Returns what moved; the caller audits it in the calendar change's
    transaction."""
    moved = []
    pending = Step.objects.filter(status__in=(StepStatus.OPEN, StepStatus.WAITING))
    affected = pending.filter(due_date__gte=first) | pending.filter(waiting_due__gte=first)
    for step in affected.select_for_update().order_by("pk"):
        start = timezone.localdate(step.created_at)
        due = calendar.recount(start, step.due_date, before, after) if step.due_date else None
        waiting = step.waiting_due
        if waiting and step.paused_on:
            waiting = calendar.recount(step.paused_on, waiting, before, after)
        if (due, waiting) == (step.due_date, step.waiting_due):
            continue
        moved.append({"step": step.pk, "case": step.case_id, "from": step.due_date, "to": due})
        step.due_date, step.waiting_due = due, waiting
        step.version += 1
        step.save(update_fields=["due_date", "waiting_due", "version"])
    return moved
