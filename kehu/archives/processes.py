"""The archive processes on the workflow engine: borrowing (ARC-6) and destruction (ARC-7).
Registered when the app is ready; the case pages, My tasks and the tasks API serve them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.archives import loans, retention
from kehu.archives.models import Destruction, Loan, LoanKind, LoanStatus
from kehu.core.models import Role
from kehu.workflow import services as workflow
from kehu.workflow.definitions import Process, StepSpec, register
from kehu.workflow.models import Case, Step
from kehu.workflow.processes import next_link, start_chain

APPROVE, REJECT = "approved", "rejected"
DECISION = {APPROVE: _("Approve"), REJECT: _("Reject")}


YES_NO = [("True", _("Yes")), ("False", _("No"))]


class AnsweredBooleanField(forms.NullBooleanField):
    """Yes or no, asked explicitly: an answer left out is an error, never a "no"."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(widget=forms.RadioSelect(choices=YES_NO), **kwargs)

    def validate(self, value: Any) -> None:
        if value is None:
            raise forms.ValidationError(_("Answer yes or no."), code="required")


class ReturnForm(forms.Form):
    """The return check: the archivist says whether the folder came back complete and
    undamaged (a "no" files an incident). Neither answer is preselected."""

    complete = AnsweredBooleanField(label=_("complete"))
    undamaged = AnsweredBooleanField(label=_("undamaged"))


class BorrowProcess(Process):
    """借阅/查阅: approval (archivist inside the owning department; outside it the unit's
    chain, default the general manager), issue, return check, renewals."""

    key = loans.PROCESS
    label = _("Archive borrowing")
    outcome_labels = {"returned": _("Returned to the archive")}
    number_prefix = "JY"
    default_chain = (Role.GENERAL_MANAGER,)
    steps = {
        "approve": StepSpec(
            _("Approval"),
            outcomes=DECISION,
            due_working_days=2,
            approval=True,
            decision=True,
            reason_required=(REJECT,),
        ),
        "issue": StepSpec(
            _("Issue"),
            outcomes={"issued": _("Issue"), "cancelled": _("Cancel")},
            due_working_days=1,
            reason_required=("cancelled",),
        ),
        "return": StepSpec(
            _("Return check"), outcomes={"returned": _("Take back")}, form=ReturnForm
        ),
        # A decision like the approval: who approved the loan does not also extend it.
        "renew": StepSpec(
            _("Renewal"),
            outcomes=DECISION,
            due_working_days=1,
            approval=True,
            decision=True,
            reason_required=(REJECT,),
        ),
    }

    def start(self, case: Case, **kwargs: Any) -> None:
        loan: Loan = case.subject  # type: ignore[assignment]
        if loans.inside_department(loan.borrower, loan.dossier):
            workflow.add_step(case, "approve", role=Role.ARCHIVIST, unit=case.unit)
        elif start_chain(case, "approve") is None:
            workflow.add_step(case, "approve", role=Role.GENERAL_MANAGER, unit=case.unit)

    def on_step_completed(self, case: Case, step: Step) -> None:
        loan: Loan = case.subject  # type: ignore[assignment]
        by: Any = step.completed_by
        if step.key == "approve":
            outside = step.assignee_role != Role.ARCHIVIST
            if step.outcome == APPROVE and outside and next_link(case, step) is not None:
                return  # the next approver of the chain
            loans.loan_decide(loan, approved=step.outcome == APPROVE, by=by)
            if step.outcome == APPROVE:
                workflow.add_step(case, "issue", role=Role.ARCHIVIST, unit=case.unit)
            else:
                workflow.finish_case(case, outcome=REJECT, by=by, reason=step.comment)
        elif step.key == "issue":
            if step.outcome != "issued":
                loans.loan_cancel(loan, by=by)
                workflow.finish_case(case, outcome="cancelled", by=by, reason=step.comment)
                return
            loan = loans.loan_issue(loan, by=by)
            if loan.kind == LoanKind.PHYSICAL:
                workflow.add_step(case, "return", role=Role.ARCHIVIST, unit=case.unit)
            else:  # electronic viewing ends by itself with the grant
                workflow.finish_case(case, outcome="issued", by=by)
        elif step.key == "return":
            loans.check_return(
                loan,
                by=by,
                complete=bool(step.data.get("complete")),
                undamaged=bool(step.data.get("undamaged")),
                note=step.comment,
            )
            workflow.finish_case(case, outcome="returned", by=by)
        elif step.key == "renew" and step.outcome == APPROVE and loan.status == LoanStatus.ISSUED:
            loans.loan_renew(loan, by=by)

    def subject_url(self, case: Case) -> str:
        return loans.loan_url(case.subject)  # type: ignore[arg-type]


class DestructionProcess(Process):
    """销毁审批: the manager approves what the archivist proposes (ARC-7)."""

    key = retention.PROCESS
    label = _("Archive destruction")
    number_prefix = "XH"
    default_chain = (Role.GENERAL_MANAGER,)
    steps = {
        "approve": StepSpec(
            _("Approval"),
            outcomes=DECISION,
            due_working_days=5,
            approval=True,
            decision=True,
            reason_required=(REJECT,),
        ),
    }

    def start(self, case: Case, **kwargs: Any) -> None:
        workflow.add_step(case, "approve", role=Role.GENERAL_MANAGER, unit=case.unit)

    def on_step_completed(self, case: Case, step: Step) -> None:
        destruction: Destruction = case.subject  # type: ignore[assignment]
        approved = step.outcome == APPROVE
        retention.destruction_decide(destruction, approved=approved, by=step.completed_by)
        workflow.finish_case(case, outcome=step.outcome, by=step.completed_by, reason=step.comment)

    def subject_url(self, case: Case) -> str:
        return reverse("archives:destruction", args=[case.subject_id])


register(BorrowProcess())
register(DestructionProcess())
