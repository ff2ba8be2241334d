"""Reminder rules: each context declares, per kind of deadline, where its open deadlines come
from and when they are reminded; the engine (kehu.ops.reminders.engine) does the rest."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from kehu.ops.models import ReminderChannel


@dataclass(frozen=True)
class Due:
    """One open deadline of one object, and who must meet it."""

    obj: Model
    deadline: datetime.date
    recipients: Sequence[Any]
    title: str
    link: str = ""
    body: str = ""
    # Where the deadline belongs: chat robots of the unit hear of it, its heads get escalations.
    unit: Any = None
    # Told once the deadline has passed, besides the recipients (e.g. the archivists of a loan).
    also_when_overdue: Sequence[Any] = ()
    # Who an escalation goes to; None: the department heads of `unit`.
    escalate_to: Sequence[Any] | None = None


# (today, user or None) -> the open deadlines; with a user, only those the user is reminded of.
Pending = Callable[[datetime.date, Any], Iterable[Due]]
# Called in the reminder's transaction after its stage went out (mark the object, audit).
StageHook = Callable[[Due, str, datetime.date], None]


@dataclass(frozen=True)
class ReminderRule:
    """When the deadlines of one kind are reminded: `before` (days ahead, each once), then on
    the first day overdue and every `every_after` days while it stays overdue, and an
    escalation once `escalate_after` days have passed. Days are working days unless
    `working_days` is False."""

    kind: str
    label: Any
    pending: Pending
    before: tuple[int, ...] = (1,)
    every_after: int | None = None
    escalate_after: int | None = None
    working_days: bool = True
    default_channel: str = ReminderChannel.APP
    on_sent: StageHook | None = None
    # The wording of a reminder ahead and of an overdue one ("%(date)s", "%(title)s"), when
    # "Due …" / "Overdue since …" do not fit (a document expires).
    before_title: Any = None
    overdue_title: Any = None
    # Shown under "what is due" on My tasks (False when the page lists the objects already).
    on_my_tasks: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def horizon(self) -> int:
        """How many days ahead `pending` must look."""
        return max(self.before, default=0)


_RULES: dict[str, ReminderRule] = {}


def register_rule(rule: ReminderRule) -> ReminderRule:
    """Declare a kind of deadline (from the declaring app's apps.py `ready()`)."""
    known = _RULES.get(rule.kind)
    if known is not None and known is not rule:
        raise ValueError(f"reminder rule {rule.kind!r} is registered twice")
    if any(days < 0 for days in rule.before):
        raise ValueError(f"reminder rule {rule.kind!r}: `before` days must not be negative")
    _RULES[rule.kind] = rule
    return rule


def rules() -> list[ReminderRule]:
    return [_RULES[kind] for kind in sorted(_RULES)]


def get_rule(kind: str) -> ReminderRule | None:
    return _RULES.get(kind)


def registered_kinds() -> list[tuple[str, str]]:
    """(kind, label) of every declared rule, for choices."""
    return [(rule.kind, str(rule.label)) for rule in rules()]
