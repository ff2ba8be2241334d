"""The data-subject request as a workflow process (PRV-2)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kehu.core.models import Role
from kehu.workflow import services
from kehu.workflow.definitions import Process, StepSpec, register
from kehu.workflow.models import Case, Step

DONE, REJECTED = "done", "rejected"


class SubjectRequestProcess(Process):
    key = "privacy.subject_request"
    label = _("Data-subject request")
    outcome_labels = {DONE: _("Carried out"), REJECTED: _("Refused")}
    number_prefix = "DSR"
    steps = {
        "handle": StepSpec(
            _("Handle the request"),
            outcomes={DONE: _("Carry out"), REJECTED: _("Refuse")},
            due_working_days=15,
            reason_required=(REJECTED,),
        )
    }

    def start(self, case: Case, **kwargs: Any) -> None:
        services.add_step(case, "handle", role=Role.COMPLIANCE, unit=case.unit)

    def on_step_completed(self, case: Case, step: Step) -> None:
        from kehu.privacy import requests

        request = case.subject
        assert request is not None
        if step.outcome == DONE:
            requests.subject_request_carry_out(request, step.completed_by, step.comment)
        else:
            requests.subject_request_refuse(request, step.completed_by, step.comment)
        services.finish_case(case, outcome=step.outcome, by=step.completed_by, reason=step.comment)

    def subject_url(self, case: Case) -> str:
        from django.urls import reverse

        return reverse("privacy:request", args=[case.subject_id])


register(SubjectRequestProcess())


APPROVED = "approved"


class DisclosureProcess(Process):
    """Data provided outside the owning department: the department head approves, and the
    compliance officer too when personal data is included (four-eyes on both)."""

    key = "privacy.disclosure"
    label = _("Data provision")
    outcome_labels = {REJECTED: _("Refused")}
    number_prefix = "TG"
    steps = {
        "head_approval": StepSpec(
            _("Approve the provision (department head)"),
            outcomes={APPROVED: _("Approve"), REJECTED: _("Refuse")},
            due_working_days=3,
            approval=True,
            reason_required=(REJECTED,),
        ),
        "compliance_approval": StepSpec(
            _("Approve the provision of personal data (compliance)"),
            outcomes={APPROVED: _("Approve"), REJECTED: _("Refuse")},
            due_working_days=3,
            approval=True,
            reason_required=(REJECTED,),
        ),
    }

    def start(self, case: Case, **kwargs: Any) -> None:
        services.add_step(case, "head_approval", role=Role.DEPARTMENT_HEAD, unit=case.unit)

    def on_step_completed(self, case: Case, step: Step) -> None:
        from kehu.privacy import disclosures

        disclosure = case.subject
        assert disclosure is not None
        more = step.key == "head_approval" and disclosure.includes_personal_data
        if step.outcome == APPROVED and more:
            services.add_step(
                case, "compliance_approval", role=Role.COMPLIANCE, unit=case.unit,
                submitted_by=step.completed_by,
            )  # fmt: skip
            return
        disclosures.disclosure_decide(
            disclosure, approved=step.outcome == APPROVED, by=step.completed_by, reason=step.comment
        )
        services.finish_case(case, outcome=step.outcome, by=step.completed_by, reason=step.comment)

    def subject_url(self, case: Case) -> str:
        from django.urls import reverse

        return reverse("privacy:disclosure", args=[case.subject_id])


register(DisclosureProcess())
