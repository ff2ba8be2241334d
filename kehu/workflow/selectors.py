"""Reads about cases and tasks, used by the pages, the API and the other apps."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kehu.core import policy
from kehu.core.models import Role
from kehu.workflow.models import Case, CaseStatus, Step, StepStatus

_PENDING = (StepStatus.OPEN, StepStatus.WAITING)


def _assigned_to(user: Any) -> Q:
    """Steps assigned to the user in person, or to a role they hold in the step's unit or a
    unit above it."""
    condition = Q(assignee_user_id=user.pk)
    for grant in policy.held_roles(user):
        condition |= Q(
            assignee_user__isnull=True,
            assignee_role=grant.role,
            assignee_unit__path__startswith=grant.unit_path,
        )
    return condition


def _escalated_to(user: Any) -> Q:
    """Overdue steps escalated to the user as head of the department they were assigned in
    (the unit `reminders.step_unit` gives: the step's unit, else its assignee's, else
    the case's), or of a unit above it: the escalation's link must open the case."""
    condition = Q(pk__in=[])
    for grant in policy.held_roles(user):
        if grant.role != Role.DEPARTMENT_HEAD:
            continue
        path = grant.unit_path
        condition |= Q(escalated_at__isnull=False) & (
            Q(assignee_unit__path__startswith=path)
            | Q(assignee_unit__isnull=True, assignee_user__unit__path__startswith=path)
            | Q(
                assignee_unit__isnull=True,
                assignee_user__unit__isnull=True,
                case__unit__path__startswith=path,
            )
        )
    return condition


def _involved(user: Any) -> Q:
    return Q(completed_by=user) | _assigned_to(user)


def involving(user: Any) -> QuerySet[Step]:
    """Steps assigned to the user (in person or by role) or completed by them: a subject's
    page opens to whoever decides on it (a loan's approver)."""
    return Step.objects.filter(_involved(user))


def tasks_for(user: Any) -> QuerySet[Step]:
    """What waits for the user (open and waiting steps of open cases), soonest due first."""
    return (
        Step.objects.filter(_assigned_to(user), status__in=_PENDING, case__status=CaseStatus.OPEN)
        .select_related("case", "assignee_unit", "assignee_user")
        .order_by("due_date", "pk")
    )


def overdue_for(user: Any, today: datetime.date | None = None) -> QuerySet[Step]:
    today = today or timezone.localdate()
    return tasks_for(user).filter(status=StepStatus.OPEN, due_date__lt=today)


def listed_cases(user: Any) -> QuerySet[Case]:
    """The cases the case list offers the user: those in their scope, opened by them or
    waiting for them."""
    return policy.scope(user, Case.objects.all()) | Case.objects.filter(
        Q(opened_by=user) | Q(steps__in=tasks_for(user))
    )


def overdue_steps(today: datetime.date | None = None) -> QuerySet[Step]:
    """Open steps of open cases past their due date."""
    today = today or timezone.localdate()
    return Step.objects.filter(
        status=StepStatus.OPEN, due_date__lt=today, case__status=CaseStatus.OPEN
    )


def overdue_of(assignee: str, today: datetime.date | None = None) -> QuerySet[Step]:
    """The overdue steps of one assignee: a user's id, or a role for the steps assigned to a
    role and to no one in person."""
    steps = overdue_steps(today)
    if assignee.isascii() and assignee.isdigit():
        return steps.filter(assignee_user_id=int(assignee))
    if assignee in Role.values:
        return steps.filter(assignee_user__isnull=True, assignee_role=assignee)
    return steps.none()


def submitted_by(user: Any) -> QuerySet[Case]:
    """Open cases the user opened (what they wait for)."""
    return (
        Case.objects.filter(opened_by=user, status=CaseStatus.OPEN)
        .select_related("unit")
        .prefetch_related("steps")
        .order_by("-created_at")
    )


def done_by(user: Any, limit: int = 20) -> QuerySet[Step]:
    return (
        Step.objects.filter(completed_by=user)
        .select_related("case")
        .order_by("-completed_at")[:limit]
    )


def viewable_cases(user: Any) -> Q:
    """`can_view_case` as a condition on cases, except the subject rule (the caller adds the
    scope of its own subject type)."""
    scoped = policy.scope(user, Case.objects.all()).values("pk")
    involved = Step.objects.filter(_involved(user) | _escalated_to(user)).values("case_id")
    return Q(pk__in=scoped) | Q(opened_by_id=user.pk) | Q(pk__in=involved)


def can_view_case(user: Any, case: Case) -> bool:
    """Openers, anyone a step is or was assigned to (or escalated to), whoever may view the
    subject, and roles that read cases (auditors, compliance)."""
    if policy.has_perm(user, "workflow.case.view", case):
        return True
    if case.opened_by_id == user.pk:
        return True
    if case.steps.filter(_involved(user) | _escalated_to(user)).exists():
        return True
    subject = case.subject
    return subject is not None and policy.has_perm(
        user, f"{subject._meta.label_lower}.view", subject
    )


def open_steps_for(user: Any, case: Case) -> list[Step]:
    """The case's pending steps the user may act on."""
    from kehu.workflow.services import may_act

    return [s for s in case.steps.filter(status__in=_PENDING) if may_act(user, s)]


def tasks_split_by_four_eyes(user: Any) -> tuple[list[Step], list[tuple[Step, str]]]:
    """The user's tasks they may complete, and those four-eyes holds back (with why)."""
    from kehu.workflow.services import four_eyes_refusal

    offered: list[Step] = []
    held_back: list[tuple[Step, str]] = []
    for step in tasks_for(user):
        refusal = four_eyes_refusal(user, step)
        if refusal:
            held_back.append((step, refusal))
        else:
            offered.append(step)
    return offered, held_back
