"""Every change to cases and steps: in a transaction, audited, with the assignees notified.

Deadlines are counted in Chinese working days (kehu.core.calendar); a step waiting for an
outside party (a supplement from the customer) stops its clock; approvals are four-eyes.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import calendar, numbering
from kehu.core.models import OrgUnit, Role, User
from kehu.core.notifications import notify
from kehu.workflow import definitions

# The errors and rules are part of this module's interface (views, API, processes).
from kehu.workflow.errors import NotAllowedError as NotAllowedError
from kehu.workflow.errors import StaleStepError as StaleStepError
from kehu.workflow.errors import StepFormError as StepFormError
from kehu.workflow.errors import WorkflowError as WorkflowError
from kehu.workflow.models import ApproverRule, Case, CaseStatus, Comment, Step, StepStatus
from kehu.workflow.rules import assignees as assignees
from kehu.workflow.rules import comment_refusal as comment_refusal
from kehu.workflow.rules import earlier_decision_by as earlier_decision_by
from kehu.workflow.rules import four_eyes_refusal as four_eyes_refusal
from kehu.workflow.rules import jsonable as jsonable
from kehu.workflow.rules import may_act as may_act
from kehu.workflow.rules import step_data as step_data


def case_url(case: Case) -> str:
    return reverse("workflow:case", args=[case.pk])


# --- who ----------------------------------------------------------------------------------


def approval_chain(process_key: str, unit: OrgUnit) -> list[str]:
    """The approver roles configured for the unit (or the nearest unit above it that has a
    chain), else the process's default chain."""
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=_ancestors(unit))}
    rules = ApproverRule.objects.filter(process=process_key, unit_id__in=units)
    by_unit: dict[int, list[ApproverRule]] = {}
    for rule in rules.order_by("position"):
        by_unit.setdefault(rule.unit_id, []).append(rule)
    for unit_id in reversed(_ancestors(unit)):  # the unit itself first, then upwards
        if unit_id in by_unit:
            return [r.role for r in by_unit[unit_id]]
    return list(definitions.get(process_key).default_chain)


def _ancestors(unit: OrgUnit) -> list[int]:
    return [int(part) for part in unit.path.strip("/").split("/") if part]


# --- cases --------------------------------------------------------------------------------


def open_case(
    process_key: str,
    subject: Model,
    *,
    unit: OrgUnit,
    by: User,
    title: str = "",
    data: dict[str, Any] | None = None,
    **start_kwargs: Any,
) -> Case:
    process = definitions.get(process_key)
    today = timezone.localdate()
    with transaction.atomic():
        number = numbering.allocate(
            "{prefix}-{year}-{seq:05d}",
            f"case:{process.number_prefix}:{today.year}",
            prefix=process.number_prefix,
            year=today.year,
        )
        case = Case.objects.create(
            number=number,
            process=process_key,
            title=(title or f"{process.label}: {subject}")[:200],
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=subject.pk,
            unit=unit,
            opened_by=by,
            data=data or {},
        )
        record(
            "workflow.case.open",
            case,
            extra={"process": process_key, "subject": f"{subject._meta.label_lower}:{subject.pk}"},
        )
        process.start(case, **start_kwargs)
    return case


def add_step(
    case: Case,
    step_key: str,
    *,
    role: str | None = None,
    unit: OrgUnit | None = None,
    user: User | None = None,
    due: datetime.date | None = None,
    submitted_by: User | None = None,
) -> Step:
    """Assign the next step to a person, or to a role held in a unit (any holder may act)."""
    spec = definitions.get(case.process).spec(step_key)
    if user is None and not role:
        raise ValueError("a step needs a person or a role")
    if due is None and spec.due_working_days is not None:
        due = calendar.add_working_days(timezone.localdate(), spec.due_working_days)
    with transaction.atomic():
        step = Step.objects.create(
            case=case,
            key=step_key,
            label=str(spec.label),
            assignee_user=user,
            assignee_role=role or "",
            assignee_unit=(unit or case.unit) if role else None,
            submitted_by=submitted_by or case.opened_by,
            due_date=due,
        )
        record(
            "workflow.step.assign",
            case,
            extra={"step": step_key, "assignee": describe_assignee(step), "due": due},
        )
        _notify_assigned(step)
    return step


def describe_assignee(step: Step) -> str:
    if step.assignee_user_id:
        user = step.assignee_user
        return str(getattr(user, "full_name", "") or user)
    role = Role(step.assignee_role).label if step.assignee_role else ""
    return f"{role} · {step.assignee_unit}" if step.assignee_unit else str(role)


def _notify_assigned(step: Step) -> None:
    due = f" · {_('due')} {step.due_date:%Y-%m-%d}" if step.due_date else ""
    notify(
        assignees(step),
        _("New task: %(step)s") % {"step": step.label},
        f"{step.case.number} {step.case.title}{due}",
        case_url(step.case),
        email=True,
    )


def _lock_open_step(step: Step, by: Any, expected_version: int | None) -> Step:
    current = Step.objects.select_for_update().select_related("case").get(pk=step.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleStepError(_("Somebody else has acted on this step meanwhile: reload the page."))
    if current.case.status != CaseStatus.OPEN:
        raise WorkflowError(_("This case is closed."))
    if not current.is_pending:
        raise WorkflowError(_("This step is already done."))
    if not may_act(by, current):
        raise NotAllowedError(_("This step is not assigned to you."))
    return current


def complete_step(
    step: Step,
    *,
    by: User,
    outcome: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
    page_form: forms.Form | None = None,
) -> Step:
    """Complete the step with `outcome`. A step declaring a form needs that form's valid
    data (`data` for its extra form, `page_form` for the form of its own page)."""
    process = definitions.get(step.case.process)
    spec = process.spec(step.key)
    comment = (comment or "").strip()
    with transaction.atomic():
        current = _lock_open_step(step, by, expected_version)
        if current.status == StepStatus.WAITING:
            raise WorkflowError(_("This step waits for an outside party: resume it first."))
        if not outcome:
            raise WorkflowError(_("Choose an outcome: none was given."))
        if outcome not in spec.outcomes:
            raise WorkflowError(_("This outcome is not possible for this step."))
        refusal = four_eyes_refusal(by, current)
        if refusal:
            raise NotAllowedError(refusal)
        if outcome in spec.reason_required and not comment:
            raise WorkflowError(_("Give the reason for this outcome."))
        data = step_data(current, data, page_form)
        current.status = StepStatus.DONE
        current.outcome = outcome
        current.comment = comment
        current.data = {**current.data, **data}
        current.completed_by = by
        current.completed_at = timezone.now()
        current.version += 1
        current.save()
        record(
            "workflow.step.complete",
            current.case,
            extra={
                "step": current.key,
                "outcome": outcome,
                "comment": comment,
                "data": data,
                "overdue": bool(current.due_date and current.due_date < timezone.localdate()),
            },
        )
        process.on_step_completed(current.case, current)
    return current


def wait_for_external(
    step: Step, *, by: User, reason: str, due_working_days: int | None = None
) -> Step:
    """Hand the step to an outside party (e.g. a supplement request to the customer): its
    clock stops until `resume_step`."""
    spec = definitions.get(step.case.process).spec(step.key)
    days = due_working_days if due_working_days is not None else spec.wait_working_days
    reason = (reason or "").strip()
    with transaction.atomic():
        current = _lock_open_step(step, by, None)
        if not spec.wait_working_days:
            raise WorkflowError(_("This step cannot wait for an outside party."))
        if current.status == StepStatus.WAITING:
            raise WorkflowError(_("This step already waits for an outside party."))
        if not reason:
            raise WorkflowError(_("Say what is missing or wrong."))
        today = timezone.localdate()
        current.status = StepStatus.WAITING
        current.paused_on = today
        current.waiting_reason = reason
        current.waiting_due = calendar.add_working_days(today, days)
        current.version += 1
        current.save()
        record(
            "workflow.step.wait",
            current.case,
            extra={"step": current.key, "reason": reason, "due": current.waiting_due},
        )
    return current


def resume_step(step: Step, *, by: User, note: str = "") -> Step:
    """The outside party has answered: the step's clock runs again, its due date moved by
    the working days it waited."""
    with transaction.atomic():
        current = _lock_open_step(step, by, None)
        if current.status != StepStatus.WAITING:
            raise WorkflowError(_("This step is not waiting for an outside party."))
        today = timezone.localdate()
        paused = max(0, calendar.working_days_between(current.paused_on or today, today))
        if current.due_date is not None and paused:
            current.due_date = calendar.add_working_days(current.due_date, paused)
        current.status = StepStatus.OPEN
        current.paused_on = None
        current.waiting_due = None
        current.escalated_at = None
        current.version += 1
        current.save()
        record(
            "workflow.step.resume",
            current.case,
            extra={
                "step": current.key,
                "paused_working_days": paused,
                "note": note.strip(),
                "due": current.due_date,
            },
        )
    return current


def finish_case(case: Case, *, outcome: str, by: User | None, reason: str = "") -> Case:
    """Close the case with its outcome; open steps are cancelled; the process reacts."""
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if current.status != CaseStatus.OPEN:
            raise WorkflowError(_("This case is closed."))
        current.steps.filter(status__in=[StepStatus.OPEN, StepStatus.WAITING]).update(
            status=StepStatus.CANCELLED
        )
        current.status = CaseStatus.CLOSED
        current.outcome = outcome
        current.outcome_reason = reason
        current.closed_at = timezone.now()
        current.version += 1
        current.save()
        record("workflow.case.finish", current, extra={"outcome": outcome, "reason": reason})
        definitions.get(current.process).on_finished(current)
        notify(
            [current.opened_by],
            _("Case closed: %(title)s") % {"title": current.title},
            f"{current.number} · {current.outcome_label} {reason}".strip(),
            case_url(current),
            email=True,
        )
    return current


def cancel_case(case: Case, *, by: User, reason: str) -> Case:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Give the reason for this change."))
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if current.status != CaseStatus.OPEN:
            raise WorkflowError(_("This case is closed."))
        current.steps.filter(status__in=[StepStatus.OPEN, StepStatus.WAITING]).update(
            status=StepStatus.CANCELLED
        )
        current.status = CaseStatus.CANCELLED
        current.outcome_reason = reason
        current.closed_at = timezone.now()
        current.version += 1
        current.save()
        record("workflow.case.cancel", current, extra={"reason": reason})
    return current


def add_comment(case: Case, *, by: User, text: str, step: Step | None = None) -> Comment:
    text = (text or "").strip()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        refusal = comment_refusal(by, case)
        if refusal:
            raise NotAllowedError(refusal)
        if not text:
            raise WorkflowError(_("Write a comment first."))
        comment = Comment.objects.create(case=case, step=step, author=by, text=text)
        record("workflow.comment.add", case, extra={"comment": text})
    return comment
