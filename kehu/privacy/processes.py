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
            requests.carry_out(request, step.completed_by, step.comment)
        else:
            requests.refuse(request, step.completed_by, step.comment)
        services.finish_case(case, outcome=step.outcome, by=step.completed_by, reason=step.comment)

    def subject_url(self, case: Case) -> str:
        from django.urls import reverse

        return reverse("privacy:request", args=[case.subject_id])


register(SubjectRequestProcess())
