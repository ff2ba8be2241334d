"""The complaint process on the workflow engine (INT-3, INT-7):

    service quality below the standard:
        handle (business department) ─► production (production department joins) ─► approve
    dissatisfaction during the service:
        handle (responsible department) ──────────────────────────────────────────► approve
    approve (general manager) ─► reply (the letter, by who recorded it) ─► confirm (customer)
        │ returned                                                           │ reopened
        └──────────────────────── back to handle ◄───────────────────────────┘

Deadlines in working days; overdue steps are reminded and escalated by the engine.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.core.models import Role
from kehu.interactions import complaints, survey_reports
from kehu.interactions.models import ComplaintRoute, ComplaintStatus
from kehu.workflow import services as workflow
from kehu.workflow.definitions import Process, StepSpec, register
from kehu.workflow.models import Case, Step


class HandlingForm(forms.Form):
    measures = forms.CharField(label=_("handling steps"), widget=forms.Textarea(attrs={"rows": 3}))
    result = forms.CharField(label=_("result"), widget=forms.Textarea(attrs={"rows": 3}))


class ProductionForm(forms.Form):
    production_opinion = forms.CharField(
        label=_("production department's measures"), widget=forms.Textarea(attrs={"rows": 3})
    )


STEP_TEMPLATE = "interactions/_complaint_step.html"


class ComplaintProcess(Process):
    key = complaints.PROCESS
    label = _("Customer complaint")
    number_prefix = "TS"  # 投诉
    outcome_labels = {
        "done": _("Done"),
        "confirmed": _("Confirmed by the customer"),
        "reopened": _("Customer not satisfied: handle again"),
    }
    steps = {
        "handle": StepSpec(
            _("Handle the complaint"),
            outcomes={"done": _("Handled")},
            due_working_days=3,
            form=HandlingForm,
            template=STEP_TEMPLATE,
        ),
        "production": StepSpec(
            _("Production department's handling"),
            outcomes={"done": _("Handled")},
            due_working_days=3,
            form=ProductionForm,
            template=STEP_TEMPLATE,
        ),
        "approve": StepSpec(
            _("General manager's approval of the result"),
            outcomes={"approved": _("Approve"), "returned": _("Return for correction")},
            due_working_days=2,
            approval=True,
            decision=True,
            reason_required=("returned",),
            template=STEP_TEMPLATE,
        ),
        "reply": StepSpec(
            _("Reply to the customer"),
            outcomes={"done": _("Reply sent")},
            due_working_days=2,
            page_form=complaints.ReplyForm,
            template=STEP_TEMPLATE,
        ),
        "confirm": StepSpec(
            _("The customer's confirmation"),
            outcomes={
                "confirmed": _("Confirmed by the customer"),
                "reopened": _("Customer not satisfied: handle again"),
            },
            due_working_days=5,
            reason_required=("reopened",),
            template=STEP_TEMPLATE,
        ),
    }

    def subject_url(self, case: Case) -> str:
        return reverse("generic:complaints_detail", args=[case.data["complaint"]])

    def step_context(self, case: Case, step: Step) -> dict[str, Any]:
        return {"complaint": complaints.complaint_of(case)}

    def start(self, case: Case, **kwargs: Any) -> None:
        self._handle(case)

    def _handle(self, case: Case) -> None:
        complaint = complaints.complaint_of(case)
        workflow.add_step(case, "handle", role=Role.DEPARTMENT_HEAD, unit=complaint.handling_unit)

    def on_step_completed(self, case: Case, step: Step) -> None:
        complaint = complaints.complaint_of(case)
        joined = complaint.route == ComplaintRoute.SERVICE_STANDARD
        if step.key == "handle":
            status = ComplaintStatus.HANDLING if joined else ComplaintStatus.APPROVAL
            complaints.record_handling(complaint, step, next_status=status)
            if joined:
                workflow.add_step(
                    case, "production", role=Role.DEPARTMENT_HEAD, unit=complaint.production_unit
                )
            else:
                self._approve(case, step)
        elif step.key == "production":
            complaints.record_handling(complaint, step, next_status=ComplaintStatus.APPROVAL)
            self._approve(case, step)
        elif step.key == "approve" and step.outcome == "approved":
            complaints.record_approval(complaint, step)
            workflow.add_step(case, "reply", user=complaint.recorded_by)
        elif step.key == "approve" or (step.key == "confirm" and step.outcome == "reopened"):
            complaints.record_return(complaint)
            self._handle(case)
        elif step.key == "reply":
            workflow.add_step(case, "confirm", user=complaint.recorded_by)
        elif step.key == "confirm":
            complaints.record_confirmation(complaint, step)
            workflow.finish_case(case, outcome="confirmed", by=step.completed_by)

    @staticmethod
    def _approve(case: Case, step: Step) -> None:
        workflow.add_step(
            case, "approve", role=Role.GENERAL_MANAGER, unit=case.unit,
            submitted_by=step.completed_by,
        )  # fmt: skip


class SurveyReportProcess(Process):
    """The survey analysis report goes to the general manager (never its author), who
    approves it or returns it for correction (the author sends it again: a new case)."""

    key = survey_reports.PROCESS
    label = _("Survey analysis report")
    number_prefix = "MYD"  # 满意度
    steps = {
        "approve": StepSpec(
            _("General manager's approval of the report"),
            outcomes={"approved": _("Approve"), "returned": _("Return for correction")},
            due_working_days=5,
            approval=True,
            decision=True,
            reason_required=("returned",),
        )
    }

    def subject_url(self, case: Case) -> str:
        return reverse("generic:survey-reports_detail", args=[case.data["report"]])

    def start(self, case: Case, **kwargs: Any) -> None:
        report = survey_reports.report_of(case)
        workflow.add_step(
            case, "approve", role=Role.GENERAL_MANAGER, unit=case.unit, submitted_by=report.author
        )

    def on_step_completed(self, case: Case, step: Step) -> None:
        survey_reports.record_decision(survey_reports.report_of(case), step)
        workflow.finish_case(case, outcome=step.outcome, by=step.completed_by, reason=step.comment)


register(ComplaintProcess())
register(SurveyReportProcess())
