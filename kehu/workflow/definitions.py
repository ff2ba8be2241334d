"""Process definitions, declared in code: each process names its steps and reacts to their
outcomes. Filing, borrowing, destruction and privacy requests are all definitions on top of the
same cases and steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from kehu.workflow.models import Case, Step


@dataclass(frozen=True)
class StepSpec:
    label: Any
    # outcome value → label, e.g. {"approved": _("Approve"), "rejected": _("Reject")}
    outcomes: dict[str, Any]
    # Due this many working days after the step is assigned (None: no deadline).
    due_working_days: int | None = None
    # An approval: four-eyes applies (never the case's opener nor the step's submitter).
    approval: bool = False
    # A decision (a review, an approval): nobody completes two decision steps of one case
    # (in one round: a return for correction starts the case again).
    decision: bool = False
    # Outcomes that need a comment (a reason), e.g. rejections.
    reason_required: tuple[str, ...] = ()
    # Extra fields asked with the outcome: complete_step validates the step's data with this
    # form (pages and API alike) and refuses the step without it.
    form: type[forms.Form] | None = None
    # The form of the step's own page (a review with its per-item checks, a report with its
    # file): only that page's service completes the step, passing the validated form.
    page_form: type[forms.Form] | None = None
    # The assignee may hand the step to an outside party (a supplement request) for this many
    # working days, which pauses the step's clock (0: not allowed).
    wait_working_days: int = 0
    # A template included above the completion form (e.g. a checklist).
    template: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# A finished step's or case's outcome as people read it; a process names the outcomes that
# read differently in it (`Process.outcome_labels`).
OUTCOME_LABELS: dict[str, Any] = {
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "returned": _("Returned for correction"),
    "passed": _("Passed"),
    "complete": _("Collection complete"),
    "done": _("Done"),
    "issued": _("Issued"),
    "cancelled": _("Cancelled"),
    "withdrawn": _("Withdrawn"),
}


class Process:
    key: str = ""
    label: Any = ""
    # Outcome value → its label where it differs from OUTCOME_LABELS.
    outcome_labels: dict[str, Any] = {}
    # Case numbers: "<prefix>-<year>-<sequence>".
    number_prefix: str = "WF"
    steps: dict[str, StepSpec] = {}
    # The approval chain when an administrator has configured none for the unit (roles).
    default_chain: tuple[str, ...] = ()
    # Permission asked to open a case on a subject (policy, with the subject as object).
    open_permission: str = ""

    # Outcomes that send the case back to its start: the decisions before them no longer
    # count for four-eyes in the new round.
    restart_outcomes: tuple[str, ...] = ("returned",)

    def outcome_label(self, outcome: str) -> str:
        """The outcome in the reader's language (the stored value when nobody named it)."""
        label = self.outcome_labels.get(outcome) or OUTCOME_LABELS.get(outcome)
        return str(label) if label is not None else outcome

    def spec(self, step_key: str) -> StepSpec:
        return self.steps[step_key]

    def step_context(self, case: Case, step: Step) -> dict[str, Any]:
        """What the step's template (`StepSpec.template`) shows beside the step."""
        return {}

    def step_form_url(self, case: Case, step: Step) -> str:
        """Where a step with its own page form is completed (default: the subject's page)."""
        return self.subject_url(case)

    def start(self, case: Case, **kwargs: Any) -> None:
        """Add the first step(s)."""
        raise NotImplementedError

    def on_step_completed(self, case: Case, step: Step) -> None:
        """React to an outcome: add the next step(s), or finish the case."""
        raise NotImplementedError

    def on_finished(self, case: Case) -> None:
        """After the case closes (e.g. activate the customer)."""

    def subject_url(self, case: Case) -> str:
        subject = case.subject
        getter = getattr(subject, "get_absolute_url", None)
        return getter() if getter else ""


_PROCESSES: dict[str, Process] = {}


def register(process: Process) -> Process:
    if not process.key:
        raise ValueError("a process needs a key")
    _PROCESSES[process.key] = process
    return process


def get(key: str) -> Process:
    return _PROCESSES[key]


def outcome_label(process_key: str, outcome: str) -> str:
    """A case's or step's outcome in the reader's language, also of a process no longer
    registered."""
    process = _PROCESSES.get(process_key)
    if process is not None:
        return process.outcome_label(outcome)
    label = OUTCOME_LABELS.get(outcome)
    return str(label) if label is not None else outcome


def all_processes() -> list[Process]:
    return list(_PROCESSES.values())
