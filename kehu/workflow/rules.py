"""Who may act on a step (assignees, four-eyes), who may comment on a case, and the data a
step takes (validated by the form it declares). Read by the services before every change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kehu.core import policy
from kehu.core.models import User
from kehu.core.selectors import holders_of
from kehu.workflow import definitions
from kehu.workflow.errors import StepFormError
from kehu.workflow.models import Case, CaseStatus, Step, StepStatus


def assignees(step: Step) -> QuerySet[User]:
    if step.assignee_user_id:
        return User.objects.filter(pk=step.assignee_user_id, is_active=True)
    if step.assignee_role and step.assignee_unit:
        return holders_of(step.assignee_role, step.assignee_unit)
    return User.objects.none()


def may_act(user: Any, step: Step) -> bool:
    if not getattr(user, "is_authenticated", False) or not step.is_pending:
        return False
    if step.assignee_user_id:
        return bool(step.assignee_user_id == user.pk)
    return assignees(step).filter(pk=user.pk).exists()


def four_eyes_refusal(user: Any, step: Step) -> str:
    """Why `user` may not decide this step ("" when they may): an approval is never the
    case's opener's nor the submitter's, and nobody completes two decision steps of a case."""
    process = definitions.get(step.case.process)
    spec = process.spec(step.key)
    if spec.approval and step.case.opened_by_id == user.pk:
        return _("You opened this case: somebody else must approve it (four-eyes principle).")
    if spec.approval and step.submitted_by_id == user.pk:
        return _("You submitted what this step reviews: somebody else must approve it.")
    if spec.decision:
        earlier = earlier_decision_by(user, step)
        if earlier is not None:
            return _(
                "You already decided “%(step)s” in this case: somebody else must decide this "
                "step (four-eyes principle)."
            ) % {"step": earlier.label}
    return ""


def earlier_decision_by(user: Any, step: Step) -> Step | None:
    """The decision step of this case's current round `user` completed, if any (a return
    for correction starts a new round)."""
    process = definitions.get(step.case.process)
    decisions = [key for key, spec in process.steps.items() if spec.decision]
    done = Step.objects.filter(case_id=step.case_id, status=StepStatus.DONE).exclude(pk=step.pk)
    restart = done.filter(outcome__in=process.restart_outcomes).order_by("-pk").values("pk").first()
    if restart is not None:
        done = done.filter(pk__gt=restart["pk"])
    return done.filter(key__in=decisions, completed_by_id=user.pk).order_by("pk").first()


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def step_data(
    step: Step, data: dict[str, Any] | None, page_form: forms.Form | None = None
) -> dict[str, Any]:
    """The step's data, validated by the form the step declares: its own page's form (which
    only that page's service passes), or its extra form (validated here from `data`); a step
    declaring neither takes no data."""
    process = definitions.get(step.case.process)
    spec = process.spec(step.key)
    data = data or {}
    if spec.page_form is not None:
        if not (
            isinstance(page_form, spec.page_form) and page_form.is_bound and page_form.is_valid()
        ):
            url = process.step_form_url(step.case, step)
            raise StepFormError(
                _("“%(step)s” is completed only with its own form, on its page: %(url)s")
                % {"step": step.label, "url": url},
                form_url=url,
            )
        return data
    if spec.form is None:
        if data:
            raise StepFormError(
                _("“%(step)s” takes no further data: send the outcome and the comment only.")
                % {"step": step.label},
                errors={key: [_("Unknown field.")] for key in data},
            )
        return {}
    form = spec.form(data=data)
    if not form.is_valid():
        errors = {key: [str(m) for m in messages] for key, messages in form.errors.items()}
        detail = "; ".join(
            f"{form.fields[key].label if key in form.fields else key}: {' '.join(messages)}"
            for key, messages in errors.items()
        )
        raise StepFormError(
            _("The details of “%(step)s” are missing or wrong: %(detail)s")
            % {"step": step.label, "detail": detail},
            errors=errors,
        )
    return jsonable(form.cleaned_data)


def comment_refusal(user: Any, case: Case) -> str:
    """Why `user` may not comment on the case ("" when they may): a closed case takes no
    more comments, and a read-only user (the auditor) writes nothing."""
    if case.status != CaseStatus.OPEN:
        return _("This case is closed: it takes no more comments.")
    if policy.is_read_only(user):
        return _("You have read-only access: you cannot comment.")
    return ""
