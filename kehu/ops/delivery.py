"""How the job worker works through a queue of messages (the e-mail outbox, chat robots'
messages): each due row is taken with a short lease (so that two workers never send it
twice), sent, and marked sent — or, on an error, tried again after a doubling pause, and
failed after `max_attempts` tries, an audit event (an administrator may retry it)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.audit.services import record
from kehu.ops.models import OutboxStatus, QueuedDelivery

logger = logging.getLogger(__name__)

# How long a taken row is left alone by other senders (longer than any send's timeout).
LEASE = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class Queue:
    """One kind of queued message and how it is sent."""

    model: type[QueuedDelivery]
    # Sends one row; raises on any failure (its text becomes the row's last error).
    send: Callable[[Any], None]
    max_attempts: Callable[[], int]
    retry_seconds: Callable[[], int]
    # The audit action of a row that failed for good ("ops.outbox.failed").
    failed_action: str
    # Errors that say the receiving server cannot be reached: the round leaves the other
    # rows of the same `route` for the next one instead of timing out on each.
    unreachable: tuple[type[BaseException], ...] = ()
    route: Callable[[Any], Any] = lambda row: None
    # Extra rows read with each taken row (select_related), for `send`.
    related: tuple[str, ...] = ()


def retry_pause(attempts: int, base_seconds: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=base_seconds * 2 ** (attempts - 1))


def take(queue: Queue, pk: int, now: datetime.datetime) -> Any:
    """The row, leased to this sender; None when another sender holds it or it is done."""
    rows = queue.model._default_manager
    taken = rows.filter(pk=pk, status=OutboxStatus.PENDING, next_try_at__lte=now)
    if not taken.update(next_try_at=now + LEASE):
        return None
    return (rows.select_related(*queue.related) if queue.related else rows).get(pk=pk)


def deliver_due(
    queue: Queue, now: datetime.datetime | None = None, limit: int = 200
) -> dict[str, int]:
    """Send the due rows of `queue`; returns how many were sent, deferred and failed."""
    now = now or timezone.now()
    counts = {"sent": 0, "deferred": 0, "failed": 0}
    due = queue.model._default_manager.filter(status=OutboxStatus.PENDING, next_try_at__lte=now)
    down: set[Any] = set()
    for pk in list(due.order_by("next_try_at", "pk").values_list("pk", flat=True)[:limit]):
        row = take(queue, pk, now)
        if row is None:
            continue
        if queue.route(row) in down:
            row.next_try_at = now  # give the lease back: the next round tries it first
            row.save(update_fields=["next_try_at"])
            continue
        row.attempts += 1
        try:
            queue.send(row)
        except Exception as error:  # the server is down or refuses: try again later
            row.last_error = f"{type(error).__name__}: {error}"[:1000]
            if isinstance(error, queue.unreachable):
                down.add(queue.route(row))
            if row.attempts >= queue.max_attempts():
                row.status = OutboxStatus.FAILED
                counts["failed"] += 1
            else:
                row.next_try_at = now + retry_pause(row.attempts, queue.retry_seconds())
                counts["deferred"] += 1
            logger.warning("%s %s not sent: %s", queue.model.__name__, row.pk, row.last_error)
        else:
            row.status = OutboxStatus.SENT
            row.sent_at = now
            row.last_error = ""
            counts["sent"] += 1
        with transaction.atomic():
            row.save(update_fields=["attempts", "status", "last_error", "next_try_at", "sent_at"])
            if row.status == OutboxStatus.FAILED:
                record(queue.failed_action, row, extra={"attempts": row.attempts})
    return counts


def retry_failed[R: QueuedDelivery](row: R, action: str, extra: dict[str, Any]) -> R:
    """Send a failed row again from the next round on (an administrator's retry)."""
    with transaction.atomic():
        current = type(row)._default_manager.select_for_update().get(pk=row.pk)
        if current.status != OutboxStatus.FAILED:
            return current
        current.status = OutboxStatus.PENDING
        current.attempts = 0
        current.next_try_at = timezone.now()
        current.save(update_fields=["status", "attempts", "next_try_at"])
        record(action, current, extra=extra)
    return current
