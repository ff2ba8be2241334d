"""The workflow's deadlines in the reminder engine: open steps (reminded the working day
before, escalated to the department head once overdue) and supplements the customer owes
while a step waits for them."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.audit.services import record
from kehu.core import calendar
from kehu.core.models import User
from kehu.ops.models import ReminderChannel
from kehu.ops.reminders import Due, ReminderRule, escalation_targets
from kehu.workflow import selectors
from kehu.workflow.models import Step, StepStatus
from kehu.workflow.rules import assignees


def case_link(step: Step) -> str:
    return reverse("workflow:case", args=[step.case_id])


def step_unit(step: Step) -> Any:
    """Where an overdue step escalates: its unit, else its assignee's, else the case's."""
    return step.assignee_unit or getattr(step.assignee_user, "unit", None) or step.case.unit


def _steps(status: str, user: Any) -> QuerySet[Step]:
    steps = Step.objects.filter(status=status).select_related(
        "case__unit", "assignee_unit", "assignee_user__unit"
    )
    return steps if user is None else steps.filter(pk__in=selectors.tasks_for(user).values("pk"))


def _case_line(step: Step) -> str:
    return f"{step.case.number} {step.case.title}"


def pending_steps(today: datetime.date, user: User | None) -> Iterator[Due]:
    horizon = calendar.add_working_days(today, STEP_RULE.horizon)
    steps = _steps(StepStatus.OPEN, user).filter(due_date__isnull=False, due_date__lte=horizon)
    for step in steps.order_by("due_date", "pk"):
        assert step.due_date is not None
        yield Due(
            obj=step,
            deadline=step.due_date,
            recipients=list(assignees(step)),
            title=f"{step.label} · {_case_line(step)}",
            link=case_link(step),
            unit=step_unit(step),
        )


def step_stage_sent(due: Due, stage: str, today: datetime.date) -> None:
    """Mark the step (its page shows the escalation) and audit the escalation."""
    step = due.obj
    assert isinstance(step, Step)
    if stage.startswith("before"):
        Step.objects.filter(pk=step.pk).update(reminded_on=today)
    elif stage == "escalate":
        Step.objects.filter(pk=step.pk).update(escalated_at=timezone.now())
        record(
            "workflow.step.escalate",
            step.case,
            extra={
                "step": step.key,
                "due": step.due_date,
                "working_days_late": calendar.working_days_between(due.deadline, today),
                "to": [u.username for u in escalation_targets(due)],
            },
        )


def pending_supplements(today: datetime.date, user: User | None) -> Iterator[Due]:
    horizon = calendar.add_working_days(today, SUPPLEMENT_RULE.horizon)
    steps = _steps(StepStatus.WAITING, user).filter(
        waiting_due__isnull=False, waiting_due__lte=horizon
    )
    for step in steps.order_by("waiting_due", "pk"):
        assert step.waiting_due is not None
        yield Due(
            obj=step,
            deadline=step.waiting_due,
            recipients=[*assignees(step), step.case.opened_by],
            title=_("Supplement from the customer for %(case)s: %(reason)s")
            % {"case": _case_line(step), "reason": step.waiting_reason[:80]},
            link=case_link(step),
            unit=step_unit(step),
        )


STEP_RULE = ReminderRule(
    kind="workflow.step",
    label=gettext_lazy("Workflow step due"),
    pending=pending_steps,
    before=(1,),
    escalate_after=1,
    default_channel=ReminderChannel.EMAIL,
    on_sent=step_stage_sent,
    on_my_tasks=False,
)

SUPPLEMENT_RULE = ReminderRule(
    kind="workflow.supplement",
    label=gettext_lazy("Supplement owed by the customer"),
    pending=pending_supplements,
    before=(2,),
    every_after=3,
    escalate_after=5,
    default_channel=ReminderChannel.EMAIL,
)
