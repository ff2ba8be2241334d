"""The one reminder engine: every declared rule's open deadlines are reminded at their stage
(ahead, overdue, escalated), once per stage and person even when runs overlap, on the channel
each person chose, and announced to the chat robots of the deadline's unit."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core import calendar, mail
from kehu.core.models import Role, User
from kehu.core.notifications import notify
from kehu.core.selectors import holders_of
from kehu.ops.models import DigestEntry, ReminderChannel, ReminderPreference, ReminderSent
from kehu.ops.reminders.registry import Due, ReminderRule, rules

ESCALATE = "escalate"
# Chunk of object ids looked up at once in the reminder ledger.
_LEDGER_CHUNK = 500

# (kind, unit, title, body, link) -> messages queued; the chat robots register one.
Broadcast = Callable[[str, Any, str, str, str], int]
_BROADCASTS: list[Broadcast] = []


def register_broadcast(broadcast: Broadcast) -> None:
    """Another channel that hears of every reminder once per stage (the chat robots)."""
    if broadcast not in _BROADCASTS:
        _BROADCASTS.append(broadcast)


def claim(
    kind: str, obj: Model, occurrence: datetime.date, recipient: int = 0, stage: str = ""
) -> bool:
    """Record that this reminder goes out; False when it already did (or another run holds it).

    On PostgreSQL a concurrent run's insert waits for the first run's transaction and then
    fails on the unique key, so exactly one of them goes on."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                kind=kind,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                occurrence=occurrence,
                stage=stage,
                recipient=recipient,
            )
    except IntegrityError:
        return False
    return True


def days_between(rule: ReminderRule, start: datetime.date, end: datetime.date) -> int:
    if rule.working_days:
        return calendar.working_days_between(start, end)
    return (end - start).days


def stage_for(rule: ReminderRule, deadline: datetime.date, today: datetime.date) -> str | None:
    """Which reminder of this deadline is due today: "before-N" for the nearest of the rule's
    `before` days not yet passed, "overdue-K" once past (K counts `every_after` periods)."""
    if today <= deadline:
        ahead = days_between(rule, today, deadline)
        fitting = [days for days in rule.before if days >= ahead]
        return f"before-{min(fitting)}" if fitting else None
    late = days_between(rule, deadline, today)
    periods = late // rule.every_after if rule.every_after else 0
    return f"overdue-{periods}"


def escalates(rule: ReminderRule, deadline: datetime.date, today: datetime.date) -> bool:
    if rule.escalate_after is None or today <= deadline:
        return False
    return days_between(rule, deadline, today) >= rule.escalate_after


def stage_title(rule: ReminderRule, stage: str, due: Due) -> str:
    values = {"title": due.title, "date": due.deadline.isoformat()}
    if stage == ESCALATE:
        return _("Escalated, overdue since %(date)s: %(title)s") % values
    if stage.startswith("overdue"):
        return str(rule.overdue_title or _("Overdue since %(date)s: %(title)s")) % values
    return str(rule.before_title or _("Due %(date)s: %(title)s")) % values


def escalation_targets(due: Due) -> list[Any]:
    if due.escalate_to is not None:
        return list(due.escalate_to)
    return list(holders_of(Role.DEPARTMENT_HEAD, due.unit)) if due.unit is not None else []


def channels_of(rule: ReminderRule, people: Iterable[Any]) -> dict[int, str]:
    """Each person's channel for this kind: their preference, else the rule's default."""
    pks = [person.pk for person in people]
    chosen = dict(
        ReminderPreference.objects.filter(kind=rule.kind, user_id__in=pks).values_list(
            "user_id", "channel"
        )
    )
    return {pk: chosen.get(pk, rule.default_channel) for pk in pks}


def _ledger(
    rule: ReminderRule, dues: Sequence[Due]
) -> set[tuple[str, str, datetime.date, str, int]]:
    """What the ledger already holds for these deadlines, so that a run does not try again
    (and fail on the unique key) for every reminder sent on an earlier day."""
    held: set[tuple[str, str, datetime.date, str, int]] = set()
    ids = sorted({str(due.obj.pk) for due in dues})
    for start in range(0, len(ids), _LEDGER_CHUNK):
        rows = ReminderSent.objects.filter(
            kind=rule.kind, object_id__in=ids[start : start + _LEDGER_CHUNK]
        ).values_list("object_type", "object_id", "occurrence", "stage", "recipient")
        held.update(rows)
    return held


def _deliver(
    rule: ReminderRule,
    due: Due,
    stage: str,
    people: Iterable[Any],
    held: set[Any],
    today: datetime.date,
) -> int:
    """The stage's notifications to the people not yet told; the occurrence's own claim
    (recipient 0) runs the rule's hook and the broadcasts once."""
    key = (due.obj._meta.label_lower, str(due.obj.pk), due.deadline, stage)
    title = stage_title(rule, stage, due)
    if (*key, 0) not in held and claim(rule.kind, due.obj, due.deadline, 0, stage):
        if rule.on_sent is not None:
            rule.on_sent(due, stage, today)
        for broadcast in _BROADCASTS:
            broadcast(rule.kind, due.unit, title, due.body, due.link)
    persons = {p.pk: p for p in people if p is not None and p.is_active}
    fresh = [
        person
        for pk, person in sorted(persons.items())
        if (*key, pk) not in held and claim(rule.kind, due.obj, due.deadline, pk, stage)
    ]
    if not fresh:
        return 0
    channels = channels_of(rule, fresh)
    by_mail = [p for p in fresh if channels[p.pk] == ReminderChannel.EMAIL]
    notify([p for p in fresh if p not in by_mail], title, due.body, due.link)
    notify(by_mail, title, due.body, due.link, email=True)
    DigestEntry.objects.bulk_create(
        DigestEntry(user=p, kind=rule.kind, title=title[:200], body=due.body, link=due.link[:300])
        for p in fresh
        if channels[p.pk] == ReminderChannel.DIGEST
    )
    return len(fresh)


def remind(rule: ReminderRule, due: Due, today: datetime.date, held: set[Any] | None = None) -> int:
    """Today's reminders of one deadline, in one transaction; returns how many people were told."""
    held = set() if held is None else held
    told = 0
    with transaction.atomic():
        stage = stage_for(rule, due.deadline, today)
        if stage is not None:
            people = list(due.recipients)
            if stage.startswith("overdue"):
                people += list(due.also_when_overdue)
            told += _deliver(rule, due, stage, people, held, today)
        if escalates(rule, due.deadline, today):
            told += _deliver(rule, due, ESCALATE, escalation_targets(due), held, today)
    return told


def run_reminders(
    today: datetime.date | None = None, kinds: Iterable[str] | None = None
) -> dict[str, int]:
    """The daily round over every rule (or those of `kinds`); returns how many people were
    told per kind."""
    today = today or timezone.localdate()
    told: Counter[str] = Counter()
    wanted = None if kinds is None else set(kinds)
    for rule in rules():
        if wanted is not None and rule.kind not in wanted:
            continue
        told[rule.kind] += 0
        dues = list(rule.pending(today, None))
        held = _ledger(rule, dues)
        for due in dues:
            told[rule.kind] += remind(rule, due, today, held)
    return dict(told)


def send_digests(now: datetime.datetime | None = None) -> int:
    """The daily digest: one mail per user with the reminders gathered since the last one;
    each entry is claimed by setting `sent_at`, so that two runs never mail it twice."""
    now = now or timezone.now()
    sent = 0
    waiting = DigestEntry.objects.filter(sent_at__isnull=True)
    for user_id in sorted(set(waiting.values_list("user_id", flat=True))):
        with transaction.atomic():
            pks = list(waiting.filter(user_id=user_id).values_list("pk", flat=True))
            if not DigestEntry.objects.filter(pk__in=pks, sent_at__isnull=True).update(sent_at=now):
                continue
            entries = DigestEntry.objects.filter(pk__in=pks, sent_at=now).order_by("pk")
            lines = [
                f"- {e.title}\n  {mail.absolute(e.link)}" if e.link else f"- {e.title}"
                for e in entries
            ]
            subject = _("Your reminders: %(count)s items") % {"count": len(lines)}
            mail.send(User.objects.filter(pk=user_id), subject, "\n".join(lines))
            sent += 1
    return sent
