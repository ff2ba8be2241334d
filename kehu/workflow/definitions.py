"""Process definitions, declared in code: each process names its steps and reacts to their
outcomes. Filing, borrowing, destruction and privacy requests are all definitions on top of the
same cases and steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms

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
    # Outcomes that need a comment (a reason), e.g. rejections.
    reason_required: tuple[str, ...] = ()
    # Extra fields shown with the outcome; their cleaned data goes to complete_step(data=…).
    form: type[forms.Form] | None = None
    # The assignee may hand the step to an outside party (a supplement request) for this many
    # working days, which pauses the step's clock (0: not allowed).
    wait_working_days: int = 0
    # A template included above the completion form (e.g. a checklist).
    template: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Process:
    key: str = ""
    label: Any = ""
    # Case numbers: "<prefix>-<year>-<sequence>".
    number_prefix: str = "WF"
    steps: dict[str, StepSpec] = {}
    # The approval chain when an administrator has configured none for the unit (roles).
    default_chain: tuple[str, ...] = ()
    # Permission asked to open a case on a subject (policy, with the subject as object).
    open_permission: str = ""

    def spec(self, step_key: str) -> StepSpec:
        return self.steps[step_key]

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


def all_processes() -> list[Process]:
    return list(_PROCESSES.values())
