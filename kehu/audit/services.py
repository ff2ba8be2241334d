"""Appending to the audit chain. Every state-changing service calls `record`."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from kehu.audit import sealing
from kehu.audit.context import Actor, current_actor, purpose_extra
from kehu.audit.keys import audit_key
from kehu.audit.models import AuditEvent
from kehu.core.rowbound import insert_values


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    keys = sorted(set(before) | set(after))
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in keys
        if _jsonable(before.get(key)) != _jsonable(after.get(key))
    }


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    changes: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    actor: Actor | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one event, in the caller's transaction (or a new one).

    The event is sealed into the chain at once if the chain head is free, else right after
    the caller commits; the caller never waits for the head (see kehu.audit.sealing).
    """
    actor = actor or current_actor()
    # A read of personal data carries the purpose its reader declared (a reveal's own wins).
    extra = {**purpose_extra(action, actor), **(extra or {})}
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    row: dict[str, Any] = {
        # Microsecond precision survives every backend, so the hash is stable on re-read.
        "occurred_at": timezone.now(),
        "actor_id": actor.user_id,
        "actor_username": actor.username,
        "source_ip": actor.source_ip,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "changes": json.loads(json.dumps(_jsonable(changes or {}))),
        "extra": json.loads(json.dumps(_jsonable(extra or {}))),
    }
    with transaction.atomic():
        head = sealing.try_lock_head()
        if head is not None:
            sealing.seal_row(row, head, audit_key())
        event = AuditEvent.objects.create(**row)
        if head is not None:
            sealing.save_head(head)
        sealing.seal_after_commit(head)
    return event


def record_many(
    action: str,
    items: list[tuple[models.Model, dict[str, Any]]],
    *,
    extra: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> int:
    """Append one event per (object, changes) pair, in the caller's transaction, with a single
    insert: a bulk operation (an import's batch) names every record it changed, each in its
    own event, without one round trip per event. Sealed like `record`'s events."""
    if not items:
        return 0
    actor = actor or current_actor()
    extra = json.loads(json.dumps(_jsonable({**purpose_extra(action, actor), **(extra or {})})))
    now = timezone.now()
    rows = [
        {
            "occurred_at": now,
            "actor_id": actor.user_id,
            "actor_username": actor.username,
            "source_ip": actor.source_ip,
            "action": action,
            "object_type": obj._meta.label_lower,
            "object_id": str(obj.pk),
            "object_repr": str(obj)[:255],
            "changes": json.loads(json.dumps(_jsonable(changes))),
            "extra": extra,
        }
        for obj, changes in items
    ]
    with transaction.atomic():
        head = sealing.try_lock_head()
        if head is not None:
            key = audit_key()
            for row in rows:
                sealing.seal_row(row, head, key)
        insert_values(AuditEvent, rows)
        if head is not None:
            sealing.save_head(head)
        sealing.seal_after_commit(head)
    return len(rows)


def export_head(directory: str | None = None) -> dict[str, Any]:
    """Write the current chain head outside the database now (AUD-2)."""
    from kehu.audit.heads import export_now

    return export_now(directory)
