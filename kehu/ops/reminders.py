"""Reminders sent once: each daily reminder job claims (kind, object, occurrence, recipient)
in the notification's own transaction, so that two overlapping runs never notify twice."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model

from kehu.core.notifications import notify
from kehu.ops.models import ReminderSent


def claim(kind: str, obj: Model, occurrence: datetime.date, recipient: int = 0) -> bool:
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
                recipient=recipient,
            )
    except IntegrityError:
        return False
    return True


def notify_once(
    kind: str,
    obj: Model,
    occurrence: datetime.date,
    users: Iterable[Any],
    title: str,
    body: str = "",
    link: str = "",
    *,
    email: bool = False,
) -> int:
    """`core.notifications.notify` for the users not yet reminded of this occurrence; returns how
    many were notified. Call it inside the transaction that also marks the object reminded."""

    people = {u.pk: u for u in users if u is not None and u.is_active}
    fresh = [u for pk, u in sorted(people.items()) if claim(kind, obj, occurrence, pk)]
    if not fresh:
        return 0
    return notify(fresh, title, body, link, email=email)
