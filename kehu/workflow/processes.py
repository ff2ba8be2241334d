"""A general approval process, and the chain walking every process with an approval chain
reuses: the configured approver roles of the case's unit, one after the other (FIL-6)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kehu.core.models import Role
from kehu.workflow import services
from kehu.workflow.definitions import Process, StepSpec, register
from kehu.workflow.models import Case, Step

APPROVE = "approved"
REJECT = "rejected"
RETURN = "returned"

APPROVAL_OUTCOMES = {APPROVE: _("Approve"), REJECT: _("Reject"), RETURN: _("Return for correction")}


def start_chain(case: Case, step_key: str, *, submitted_by: Any = None) -> Step | None:
    """Assign the first link of the unit's approval chain (None when the chain is empty)."""
    return _assign_link(case, step_key, 0, submitted_by)


def next_link(case: Case, step: Step) -> Step | None:
    """After an approval: assign the next link, or None when the chain is complete."""
    position = int(step.data.get("chain_position", 0)) + 1
    return _assign_link(case, step.key, position, step.submitted_by)


def _assign_link(case: Case, step_key: str, position: int, submitted_by: Any) -> Step | None:
    chain = services.approval_chain(case.process, case.unit)
    if position >= len(chain):
        return None
    step = services.add_step(
        case, step_key, role=chain[position], unit=case.unit, submitted_by=submitted_by
    )
    step.data = {**step.data, "chain_position": position}
    step.save(update_fields=["data"])
    return step


class ApprovalProcess(Process):
    """Somebody asks for an approval of a subject; the unit's chain decides in turn."""

    key = "workflow.approval"
    label = _("Approval request")
    number_prefix = "AP"
    default_chain = (Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER)
    steps = {
        "approve": StepSpec(
            _("Approval"),
            outcomes=APPROVAL_OUTCOMES,
            due_working_days=2,
            approval=True,
            decision=True,
            reason_required=(REJECT, RETURN),
        )
    }

    def start(self, case: Case, **kwargs: Any) -> None:
        if start_chain(case, "approve") is None:
            services.finish_case(case, outcome=APPROVE, by=None, reason="")

    def on_step_completed(self, case: Case, step: Step) -> None:
        if step.outcome != APPROVE:
            services.finish_case(
                case, outcome=step.outcome, by=step.completed_by, reason=step.comment
            )
        elif next_link(case, step) is None:
            services.finish_case(case, outcome=APPROVE, by=step.completed_by, reason=step.comment)


register(ApprovalProcess())
