"""The reminder engine: rules declared per kind of deadline (rules), the daily round that
reminds them once per stage and person (engine), and what is due for a user (due)."""

from kehu.ops.reminders.due import DueItem, due_for, only_for
from kehu.ops.reminders.engine import (
    claim,
    escalation_targets,
    register_broadcast,
    remind,
    run_reminders,
    send_digests,
    stage_for,
)
from kehu.ops.reminders.registry import (
    Due,
    ReminderRule,
    get_rule,
    register_rule,
    registered_kinds,
    rules,
)

__all__ = [
    "Due",
    "DueItem",
    "ReminderRule",
    "claim",
    "due_for",
    "escalation_targets",
    "get_rule",
    "only_for",
    "register_broadcast",
    "register_rule",
    "registered_kinds",
    "remind",
    "rules",
    "run_reminders",
    "send_digests",
    "stage_for",
]
