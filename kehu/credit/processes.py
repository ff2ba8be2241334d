"""The credit file's processes on the workflow engine. The credit limit approval (授信额度审批):
the roles the amount's bands name approve in turn (four-eyes: never the requester, nobody
twice); the last approval puts the limit in force, a rejection closes the request. The
problem reports' approval, and the annual credit review's task."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.core.models import Role
from kehu.credit import limits, postcredit, reviews
from kehu.credit.forms import ReviewForm
from kehu.credit.models import LimitRequest, ProblemReport, ReviewOutcome
from kehu.workflow import services as workflow
from kehu.workflow.definitions import Process, StepSpec, register
from kehu.workflow.models import Case, Step

APPROVE, REJECT = "approved", "rejected"


APPROVAL_STEPS = {
    "approve": StepSpec(
        _("Approval"),
        outcomes={APPROVE: _("Approve"), REJECT: _("Reject")},
        due_working_days=2,
        approval=True,
        decision=True,
        reason_required=(REJECT,),
    )
}


class ChainProcess(Process):
    """Approvals by the roles the case's data names (`chain`), one after the other."""

    steps = APPROVAL_STEPS

    def start(self, case: Case, **kwargs: Any) -> None:
        self._assign(case, 0)

    def _assign(self, case: Case, position: int) -> Step | None:
        chain = list(case.data.get("chain") or self.default_chain)
        if position >= len(chain):
            return None
        step = workflow.add_step(case, "approve", role=chain[position], unit=case.unit)
        step.data = {**step.data, "chain_position": position}
        step.save(update_fields=["data"])
        return step

    def next_link(self, case: Case, step: Step) -> Step | None:
        return self._assign(case, int(step.data.get("chain_position", 0)) + 1)


class LimitApprovalProcess(ChainProcess):
    key = limits.PROCESS
    label = _("Credit limit approval")
    number_prefix = "SX"
    default_chain = (Role.CREDIT_MANAGER,)

    def on_step_completed(self, case: Case, step: Step) -> None:
        request: LimitRequest = case.subject  # type: ignore[assignment]
        by: Any = step.completed_by
        if step.outcome == APPROVE:
            if self.next_link(case, step) is not None:
                return
            limits.limit_request_decide(request, approved=True, by=by)
        else:
            limits.limit_request_decide(request, approved=False, by=by)
        workflow.finish_case(case, outcome=step.outcome, by=by, reason=step.comment)

    def subject_url(self, case: Case) -> str:
        return limits.request_url(case.subject)  # type: ignore[arg-type]


class ProblemReportProcess(ChainProcess):
    """The approval of an abnormal receivable or problem account report (the chain the
    report's kind names: the credit manager, for a problem account also the general
    manager)."""

    key = postcredit.PROBLEM_PROCESS
    label = _("Problem account report")
    number_prefix = "WT"
    default_chain = (Role.CREDIT_MANAGER,)

    def on_step_completed(self, case: Case, step: Step) -> None:
        report: ProblemReport = case.subject  # type: ignore[assignment]
        by: Any = step.completed_by
        if step.outcome == APPROVE and self.next_link(case, step) is not None:
            return
        postcredit.problem_report_decide(report, approved=step.outcome == APPROVE, by=by)
        workflow.finish_case(case, outcome=step.outcome, by=by, reason=step.comment)

    def subject_url(self, case: Case) -> str:
        return postcredit.problem_url(case.subject)  # type: ignore[arg-type]


class ReviewProcess(Process):
    """年审评价报告: one task for the credit managers of the customer's units, due on the
    review date (a working day); completed only with the review form of the credit file."""

    key = reviews.PROCESS
    label = _("Annual credit review")
    number_prefix = "NS"  # 年审
    outcome_labels = {
        ReviewOutcome.CONFIRMED: ReviewOutcome.CONFIRMED.label,
        ReviewOutcome.CHANGED: ReviewOutcome.CHANGED.label,
    }
    steps = {
        "review": StepSpec(
            _("Annual credit review"),
            outcomes={
                ReviewOutcome.CONFIRMED: ReviewOutcome.CONFIRMED.label,
                ReviewOutcome.CHANGED: ReviewOutcome.CHANGED.label,
            },
            page_form=ReviewForm,
        )
    }

    def start(self, case: Case, **kwargs: Any) -> None:
        workflow.add_step(
            case, "review", role=Role.CREDIT_MANAGER, unit=case.unit, due=kwargs.get("due")
        )

    def on_step_completed(self, case: Case, step: Step) -> None:
        workflow.finish_case(case, outcome=step.outcome, by=step.completed_by)

    def subject_url(self, case: Case) -> str:
        account: Any = case.subject
        return reverse("credit:customer", args=[account.customer_id]) + "#review"


register(LimitApprovalProcess())
register(ReviewProcess())
register(ProblemReportProcess())
