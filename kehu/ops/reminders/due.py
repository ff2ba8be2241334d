"""What is due for one user: the open deadlines of every rule that remind them, nearest first,
for My tasks and the home page."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.ops.reminders.registry import Due, ReminderRule, rules


@dataclass(frozen=True)
class DueItem:
    rule: ReminderRule
    due: Due
    today: datetime.date

    @property
    def is_overdue(self) -> bool:
        return self.due.deadline < self.today

    @property
    def is_today(self) -> bool:
        return self.due.deadline == self.today

    @property
    def state(self) -> str:
        """ "overdue", "today" or "soon"."""
        return "overdue" if self.is_overdue else "today" if self.is_today else "soon"

    @property
    def state_label(self) -> str:
        labels = {"overdue": _("Overdue"), "today": _("Due today"), "soon": _("Coming up")}
        return str(labels[self.state])

    @property
    def kind_label(self) -> str:
        return str(self.rule.label)

    @property
    def title(self) -> str:
        return self.due.title

    @property
    def deadline(self) -> datetime.date:
        return self.due.deadline

    @property
    def link(self) -> str:
        return self.due.link


def only_for(user: Any, dues: Iterable[Due]) -> Iterator[Due]:
    """The deadlines `user` is reminded of (for rules with few open deadlines, whose
    recipients are computed rather than stored)."""
    for due in dues:
        if any(
            p is not None and p.pk == user.pk for p in (*due.recipients, *due.also_when_overdue)
        ):
            yield due


def due_for(
    user: Any, today: datetime.date | None = None, *, my_tasks: bool = False
) -> list[DueItem]:
    """The user's open deadlines within each rule's horizon (on My tasks, only the rules whose
    objects that page does not list already)."""
    today = today or timezone.localdate()
    items = [
        DueItem(rule, due, today)
        for rule in rules()
        if rule.on_my_tasks or not my_tasks
        for due in rule.pending(today, user)
    ]
    return sorted(items, key=lambda item: (item.due.deadline, item.rule.kind, item.due.title))
