"""The hand-over process of a contract's dossier on the workflow engine:

    contract signed / changed / ended
      → receipt by the contract officer (合同管理员; due: the configured period)
      → receipt by the archive room (archivist; due: a month after the first receipt),
        which files the items into the customer's archive dossier.

Each step is completed on the contract's page with the receipt form (the items handed
over); the workflow reminds the receiver the day before and escalates an overdue step to
the department's head."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kehu.contracts import handovers
from kehu.contracts.models import Handover, HandoverStage
from kehu.core.models import Role
from kehu.workflow import services as workflow
from kehu.workflow.definitions import Process, StepSpec, register
from kehu.workflow.models import Case, Step

RECEIVED = {"received": _("Confirm receipt")}
RECEIVER = {
    HandoverStage.OFFICER: Role.CONTRACT_OFFICER,
    HandoverStage.ARCHIVE_ROOM: Role.ARCHIVIST,
}


class HandoverProcess(Process):
    key = handovers.PROCESS
    label = _("Contract dossier hand-over")
    outcome_labels = {"received": _("Received")}
    number_prefix = "YJ"
    steps = {
        HandoverStage.OFFICER: StepSpec(
            _("Receipt by the contract officer"), outcomes=RECEIVED, page_form=handovers.ReceiptForm
        ),
        HandoverStage.ARCHIVE_ROOM: StepSpec(
            _("Receipt by the archive room"), outcomes=RECEIVED, page_form=handovers.ReceiptForm
        ),
    }

    def _add(self, case: Case, handover: Handover) -> None:
        stage = HandoverStage(handover.stage)
        step = workflow.add_step(
            case, stage, role=RECEIVER[stage], unit=case.unit, due=handover.due_on
        )
        Handover.objects.filter(pk=handover.pk).update(step=step)
        handover.step = step

    def start(self, case: Case, **kwargs: Any) -> None:
        self._add(case, kwargs["handover"])

    def on_step_completed(self, case: Case, step: Step) -> None:
        handover = Handover.objects.select_related("contract__customer").get(step=step)
        if handover.stage == HandoverStage.OFFICER:
            self._add(case, handovers.next_to_archive(handover, step.completed_by))
            return
        handovers.file_into_archive(handover)
        workflow.finish_case(case, outcome="received", by=step.completed_by)

    def step_form_url(self, case: Case, step: Step) -> str:
        return self.subject_url(case)


register(HandoverProcess())
