"""Each user's channel per kind of reminder (in the application, by e-mail at once, or in the
daily digest); without a choice the rule's default applies."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kehu.audit.services import record
from kehu.ops.models import ReminderChannel, ReminderPreference
from kehu.ops.reminders import get_rule


def channels_chosen(user: Any) -> dict[str, str]:
    return dict(ReminderPreference.objects.filter(user=user).values_list("kind", "channel"))


def preferences_save(user: Any, choices: dict[str, str]) -> dict[str, str]:
    """Store the user's choices (unknown kinds and channels are refused); returns the kinds
    whose channel changed, audited as one event."""
    for kind, channel in choices.items():
        if get_rule(kind) is None or channel not in ReminderChannel.values:
            raise ValueError(f"unknown reminder kind or channel: {kind}={channel}")
    before = channels_chosen(user)
    changed = {}
    with transaction.atomic():
        for kind, channel in sorted(choices.items()):
            rule = get_rule(kind)
            assert rule is not None
            if before.get(kind, rule.default_channel) == channel:
                continue
            ReminderPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"channel": channel}
            )
            changed[kind] = channel
        if changed:
            record(
                "ops.reminder_preference.change",
                user,
                extra={"changed": changed, "before": {k: before.get(k) for k in changed}},
            )
    return changed
