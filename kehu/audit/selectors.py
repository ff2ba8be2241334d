"""Reads of the audit log used by the page, the export, the API and verification."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from kehu.audit.chain import HASHED_FIELDS, VerifyResult, verify_rows
from kehu.audit.heads import missing_exports, read_exports
from kehu.audit.keys import audit_key
from kehu.audit.models import NEWEST_FIRST, AuditEvent, ChainHead


def chain_rows(chunk_size: int = 2000) -> Iterator[dict[str, Any]]:
    """The sealed events in chain order (events not sealed yet are not in the chain)."""
    fields = (*HASHED_FIELDS, "hash", "scheme")
    return (
        AuditEvent.objects.filter(seq__isnull=False)
        .order_by("seq")
        .values(*fields)
        .iterator(chunk_size=chunk_size)
    )


def load_anchors(paths: list[Path]) -> dict[int, str]:
    """Exported heads: each file holds one JSON object per line with seq and hash."""
    return {seq: str(entry["hash"]) for seq, entry in read_exports(paths).items()}


def verify_chain(anchor_paths: list[Path] | None = None, *, exports: bool = True) -> VerifyResult:
    """Recompute the chain, then compare its end with the head row and, with `exports`, with
    the heads exported to KEHU_AUDIT_HEAD_DIR, where an expected export that is missing is a
    finding too (deleting the exports does not switch the check off)."""
    head = ChainHead.objects.get(pk=1)
    folder = Path(settings.KEHU_AUDIT_HEAD_DIR)
    exported = read_exports([folder]) if exports and folder.exists() else {}
    anchors = {**load_anchors(anchor_paths or []), **{s: e["hash"] for s, e in exported.items()}}
    key = audit_key() if head.keyed_from is not None else None
    result = verify_rows(chain_rows(), anchors, key=key, keyed_from=head.keyed_from)
    if not result.ok:
        return result
    if (result.head_seq, result.head_hash) != (head.seq, head.hash):
        result.ok, result.bad_seq = False, result.head_seq + 1
        result.problem = (
            f"the chain ends at event #{result.head_seq} but the chain head names event "
            f"#{head.seq} (events removed from the end?)"
        )
        return result
    if exports:
        problem = missing_exports(head, result.head_seq, exported, folder)
        if problem:
            result.ok, result.problem = False, problem
    return result


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

    from kehu.core import policy

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
    from django.urls import reverse
    from django.utils.http import urlencode

    from kehu.core import policy

    if not policy.has_perm(user, "audit.auditevent.view"):
        return ""
    readable = readable_types(user)
    if readable is not None and customer._meta.label_lower not in readable:
        return ""
    return f"{reverse('audit:events')}?{urlencode({'customer': customer.pk})}"
