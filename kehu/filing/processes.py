"""The filing process on the workflow engine (FIL-1 … FIL-8):

    collect ─► initial_review ─► second_review ─► [due_diligence if high risk] ─► approve × chain
       ▲            │ (supplement: waits)  │ (supplement: waits)                      │
       └────────────┴──── returned ────────┴──────────────────────────────────────────┘

Approved by the last approver: the customer becomes active. Rejected by compliance or an
approver: the customer stays in the register as rejected. Deadlines in Chinese working days:
initial review 2 after collection, second review 1 after the initial review, a supplement 3.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.models import Role
from kehu.filing import checklist
from kehu.filing.forms import DecisionForm, ReviewForm, RiskReportForm
from kehu.filing.models import CheckResult, Filing, Review, Stage
from kehu.workflow import services as workflow
from kehu.workflow.definitions import Process, StepSpec, register
from kehu.workflow.models import Case, Step
from kehu.workflow.processes import next_link, start_chain
from kehu.workflow.services import WorkflowError

RETURN = {"returned": gettext_lazy("Return for correction")}
REJECT = {"rejected": gettext_lazy("Reject")}
REASONED = ("returned", "rejected")
# Shown above the engine's completion form on the case page: the work is done on the filing.
STEP_TEMPLATE = "filing/_case_step.html"


def filing_of(case: Case) -> Filing:
    return Filing.objects.select_related("customer", "customer__owner").get(pk=case.data["filing"])


class FilingProcess(Process):
    key = "filing"
    label = gettext_lazy("Customer filing")
    outcome_labels = {"done": gettext_lazy("Report submitted")}
    number_prefix = "BA"  # 备案
    default_chain = (Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER)
    open_permission = "filing.filing.add"
    steps = {
        "collect": StepSpec(
            gettext_lazy("Collect data and documents"),
            outcomes={"complete": gettext_lazy("Collection complete")},
            due_working_days=5,
            template=STEP_TEMPLATE,
        ),
        "initial_review": StepSpec(
            gettext_lazy("Initial review"),
            outcomes={"passed": gettext_lazy("Passed"), **RETURN},
            due_working_days=2,
            decision=True,
            reason_required=REASONED,
            page_form=ReviewForm,
            wait_working_days=3,
            template=STEP_TEMPLATE,
        ),
        "second_review": StepSpec(
            gettext_lazy("Second review by compliance"),
            outcomes={"passed": gettext_lazy("Passed"), **RETURN, **REJECT},
            due_working_days=1,
            decision=True,
            reason_required=REASONED,
            page_form=ReviewForm,
            wait_working_days=3,
            template=STEP_TEMPLATE,
        ),
        "due_diligence": StepSpec(
            gettext_lazy("Due diligence and risk assessment"),
            outcomes={"done": gettext_lazy("Report submitted")},
            due_working_days=5,
            page_form=RiskReportForm,
            template=STEP_TEMPLATE,
        ),
        "approve": StepSpec(
            gettext_lazy("Approval"),
            outcomes={"approved": gettext_lazy("Approve"), **RETURN, **REJECT},
            due_working_days=2,
            approval=True,
            decision=True,
            reason_required=REASONED,
            page_form=DecisionForm,
            template=STEP_TEMPLATE,
        ),
    }

    def subject_url(self, case: Case) -> str:
        from django.urls import reverse

        return reverse("filing:detail", args=[case.data["filing"]])

    def step_context(self, case: Case, step: Step) -> dict[str, Any]:
        """An approver sees what the reviews recorded, and what they did not."""
        from kehu.filing.selectors import review_summary

        if step.key != "approve":
            return {}
        return {"review_summary": review_summary(filing_of(case))}

    def start(self, case: Case, **kwargs: Any) -> None:
        self._collect(case)

    def _collect(self, case: Case) -> None:
        filing = filing_of(case)
        workflow.add_step(case, "collect", user=filing.customer.owner)

    def _approve(self, case: Case, by: Any) -> None:
        """The first link of the unit's approval chain; an empty chain approves at once."""
        from kehu.filing import services

        filing = filing_of(case)
        services.set_stage(filing, Stage.APPROVAL)
        if start_chain(case, "approve") is None:
            self._conclude(case, "approved", by, "")

    def _conclude(self, case: Case, outcome: str, by: Any, reason: str) -> None:
        from kehu.filing import services

        services.filing_conclude(filing_of(case), outcome=outcome, by=by, reason=reason)
        workflow.finish_case(case, outcome=outcome, by=by, reason=reason)

    def on_step_completed(self, case: Case, step: Step) -> None:
        from kehu.filing import services

        filing = filing_of(case)
        outcome, by, reason = step.outcome, step.completed_by, step.comment
        if outcome == "returned":
            services.filing_return(filing, by=by, reason=reason)
            self._collect(case)
        elif outcome == "rejected":
            self._conclude(case, "rejected", by, reason)
        elif step.key == "collect":
            missing = checklist.missing(checklist.evaluate(filing.customer, filing=filing))
            if missing:
                raise WorkflowError(
                    _("Still missing: %(items)s.") % {"items": "、".join(e.label for e in missing)}
                )
            filing.collected_at = step.completed_at
            filing.save(update_fields=["collected_at", "updated_at"])
            services.set_stage(filing, Stage.INITIAL_REVIEW)
            workflow.add_step(case, "initial_review", user=filing.customer.owner)
        elif step.key == "initial_review":
            self._refuse_missing(filing, Review.INITIAL, step)
            services.reassess_risk(filing)
            services.set_stage(filing, Stage.SECOND_REVIEW)
            workflow.add_step(case, "second_review", role=Role.COMPLIANCE, unit=case.unit)
        elif step.key == "second_review":
            self._refuse_missing(filing, Review.SECOND, step)
            filing = services.reassess_risk(filing)
            if filing.high_risk:
                services.set_stage(filing, Stage.DUE_DILIGENCE)
                workflow.add_step(case, "due_diligence", role=Role.COMPLIANCE, unit=case.unit)
            else:
                self._approve(case, by)
        elif step.key == "due_diligence":
            if not hasattr(filing, "risk_report"):
                raise WorkflowError(_("Submit the risk assessment report first."))
            self._approve(case, by)
        elif step.key == "approve" and next_link(case, step) is None:
            self._conclude(case, "approved", by, reason)

    @staticmethod
    def _refuse_missing(filing: Filing, review: str, step: Step) -> None:
        """A review cannot pass with an item its reviewer marked missing in this round."""
        checks = filing.checks.filter(review=review, checked_at__gte=step.created_at)
        if checks.filter(result=CheckResult.MISSING).exists():
            raise WorkflowError(
                _("An item is missing or wrong: request a supplement or return the filing.")
            )

    def on_finished(self, case: Case) -> None:
        """Outcomes are concluded where they are decided (`services.conclude`)."""


register(FilingProcess())
