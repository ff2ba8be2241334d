"""Reads of the audit log used by the page, the export, the API and verification."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from kehu.audit.chain import (
    HASHED_FIELDS,
    VerifyResult,
    keying_problem,
    pinned_switch_problem,
    verify_rows,
)
from kehu.audit.heads import missing_exports, read_exports
from kehu.audit.keys import audit_key
from kehu.audit.models import GENESIS_HASH, NEWEST_FIRST, AuditEvent, ChainHead
from kehu.core import policy


def chain_rows(chunk_size: int = 2000) -> Iterator[dict[str, Any]]:
    """The sealed events in chain order (events not sealed yet are not in the chain)."""
    fields = (*HASHED_FIELDS, "hash", "scheme")
    return (
        AuditEvent.objects.filter(seq__isnull=False)
        .order_by("seq")
        .values(*fields)
        .iterator(chunk_size=chunk_size)
    )


def verify_chain(anchor_paths: list[Path] | None = None, *, exports: bool = True) -> VerifyResult:
    """Recompute the chain, then compare its end with the head row and, with `exports`, with
    the heads exported to KEHU_AUDIT_HEAD_DIR, where an expected export that is missing is a
    finding too (deleting the exports does not switch the check off). A chain that is not
    keyed is a finding, and so are events left unsealed for longer than
    KEHU_AUDIT_UNSEALED_GRACE_MINUTES."""
    head = ChainHead.objects.get(pk=1)
    folder = Path(settings.KEHU_AUDIT_HEAD_DIR)
    exported = read_exports([folder]) if exports and folder.exists() else {}
    given = read_exports(anchor_paths or [])
    anchors = {s: str(e["hash"]) for s, e in {**given, **exported}.items()}
    switches = {
        int(e["keyed_from"]) for e in [*given.values(), *exported.values()] if e.get("keyed_from")
    }
    pinned = pinned_switch_problem(head.keyed_from, switches)
    if pinned:
        return VerifyResult(False, 0, 0, GENESIS_HASH, pinned, min(switches))
    result = verify_rows(chain_rows(), anchors, key=audit_key(), keyed_from=head.keyed_from)
    if not result.ok:
        return result
    if (result.head_seq, result.head_hash) != (head.seq, head.hash):
        result.ok, result.bad_seq = False, result.head_seq + 1
        result.problem = (
            f"the chain ends at event #{result.head_seq} but the chain head names event "
            f"#{head.seq} (events removed from the end?)"
        )
        return result
    problem = keying_problem(head.seq, head.keyed_from)
    if not problem and exports:
        problem = missing_exports(head, result.head_seq, exported, folder)
    problem = problem or stale_unsealed_problem()
    if problem:
        result.ok, result.problem = False, problem
    return result


def stale_unsealed_problem(now: datetime.datetime | None = None) -> str:
    """Committed events still unsealed after the grace period: their writer's sealing did
    not happen and the interval job has not sealed them either (or they were slipped in)."""
    minutes = settings.KEHU_AUDIT_UNSEALED_GRACE_MINUTES
    grace = datetime.timedelta(minutes=minutes)
    stale = AuditEvent.objects.filter(
        seq__isnull=True, occurred_at__lt=(now or timezone.now()) - grace
    )
    oldest = stale.order_by("id").values("id", "action", "occurred_at").first()
    if oldest is None:
        return ""
    return (
        f"{stale.count()} events recorded more than {minutes} minutes ago are not "
        f"sealed into the chain (oldest: id {oldest['id']}, {oldest['action']}, "
        f"{oldest['occurred_at'].isoformat()})"
    )


def unsealed_count() -> int:
    return AuditEvent.objects.filter(seq__isnull=True).count()


def history_for(obj: Any, limit: int = 100) -> list[AuditEvent]:
    """The events about one object, newest first (the detail page's history). Reads of
    personal data (".read", AUD-1) stay on the audit page: every look would crowd them out."""
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .exclude(action__endswith=".read")
        .order_by(*NEWEST_FIRST)[:limit]
    )


def changes_since(obj: Any, version: int) -> list[dict[str, Any]]:
    """What others changed on `obj` after the version a form was opened with: one entry per
    field, with who and the value now (for the stale-edit message)."""
    events = AuditEvent.objects.filter(
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        extra__version__gt=version,
    ).order_by("id")
    from kehu.audit.presentation import field_label, shown_changes

    latest: dict[str, dict[str, Any]] = {}
    for event in events:
        for field, pair in shown_changes(event).items():
            first = latest.get(field, {}).get("before", pair[0])
            latest[field] = {
                "field": field,
                "label": field_label(type(obj), field),
                "before": first,
                "after": pair[1],
                "by": event.actor_username,
                "at": event.occurred_at,
            }
    return list(latest.values())


FULL_PERM = "audit.auditevent.full"


def readable_types(user: Any) -> frozenset[str] | None:
    """The object types whose events `user` sees in full on the audit page, its export and
    the API: those a role lets them read everywhere (None: every type). An event about any
    other type shows only its action, time, actor and type — so an administrator, who reads
    no customer, sees no customer's name, code or address in the log. Whoever holds
    `audit.auditevent.full` (the auditor) sees every event in full."""
    from django.apps import apps

    if policy.reads_everywhere(user, FULL_PERM):
        return None
    labels = [model._meta.label_lower for model in apps.get_models()]
    readable = frozenset(
        label for label in labels if policy.reads_everywhere(user, f"{label}.view")
    )
    return None if readable == frozenset(labels) else readable


def restrict_filters(
    queryset: QuerySet[AuditEvent], readable: frozenset[str] | None, params: Any
) -> QuerySet[AuditEvent]:
    """Searching by object name, id or customer matches only events shown in full (else a
    search for a name would tell which events are about it)."""
    if readable is not None and any(params.get(k) for k in ("object", "object_id", "customer")):
        return queryset.filter(object_type__in=readable)
    return queryset


def redact(event: AuditEvent, readable: frozenset[str] | None) -> AuditEvent:
    """The event as `readable` allows it to be shown (changed in memory only)."""
    if readable is not None and event.object_type not in readable:
        event.object_id = ""
        event.object_repr = ""
        event.changes = {}
        event.extra = {}
        event.redacted = True  # type: ignore[attr-defined]
    return event


def redacted(events: Iterable[AuditEvent], readable: frozenset[str] | None) -> Iterator[AuditEvent]:
    for event in events:
        yield redact(event, readable)


def customer_trail_url(user: Any, customer: Any) -> str:
    """The audit page narrowed to a customer's whole trail, for whoever may read it there in
    full ("" for the others: the page would show them nothing of it)."""
    if not policy.has_perm(user, "audit.auditevent.view"):
        return ""
    readable = readable_types(user)
    if readable is not None and customer._meta.label_lower not in readable:
        return ""
    return f"{reverse('audit:events')}?{urlencode({'customer': customer.pk})}"
