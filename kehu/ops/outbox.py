"""Delivery of the e-mail outbox by the job worker: each due row is taken with a short lease
(so that two workers never send it twice), sent, and marked sent — or, on an error, tried again
after a doubling pause, and failed after KEHU_MAIL_MAX_ATTEMPTS tries (an administrator may
retry it from the outbox page)."""

from __future__ import annotations

import datetime
import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.utils import timezone

from kehu.audit.services import record
from kehu.ops.models import Outbox, OutboxStatus

logger = logging.getLogger(__name__)

# How long a taken row is left alone by other senders (longer than an SMTP timeout).
LEASE = datetime.timedelta(minutes=5)
# Errors that say the server cannot be reached: the round stops, the other rows wait.
UNREACHABLE = (
    ConnectionError,
    TimeoutError,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
)


def queue_mails(recipients: dict[str, Any], subject: str, text: str) -> None:
    """One outbox row per address, due now, in the caller's transaction (kehu.core.mail)."""
    now = timezone.now()
    Outbox.objects.bulk_create(
        Outbox(to=address, subject=subject, body=text, next_try_at=now, user=recipients[address])
        for address in sorted(recipients)
    )


def _send(row: Outbox) -> None:
    message = EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.to])
    with mailers.default as connection:
        if not connection.send_messages([message]):
            raise OSError("the mail server accepted no message")


def _take(pk: int, now: datetime.datetime) -> Outbox | None:
    taken = Outbox.objects.filter(pk=pk, status=OutboxStatus.PENDING, next_try_at__lte=now)
    if not taken.update(next_try_at=now + LEASE):
        return None  # another sender has it
    return Outbox.objects.get(pk=pk)


def retry_pause(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.KEHU_MAIL_RETRY_SECONDS * 2 ** (attempts - 1))


def deliver_pending(now: datetime.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send the due rows of the outbox; returns how many were sent, deferred and failed."""
    now = now or timezone.now()
    counts = {"sent": 0, "deferred": 0, "failed": 0}
    due = Outbox.objects.filter(status=OutboxStatus.PENDING, next_try_at__lte=now)
    for pk in list(due.order_by("next_try_at", "pk").values_list("pk", flat=True)[:limit]):
        row = _take(pk, now)
        if row is None:
            continue
        row.attempts += 1
        unreachable = False
        try:
            _send(row)
        except Exception as error:  # the server is down or refuses: try again later
            row.last_error = f"{type(error).__name__}: {error}"[:1000]
            unreachable = isinstance(error, UNREACHABLE)
            if row.attempts >= settings.KEHU_MAIL_MAX_ATTEMPTS:
                row.status = OutboxStatus.FAILED
                counts["failed"] += 1
            else:
                row.next_try_at = now + retry_pause(row.attempts)
                counts["deferred"] += 1
            logger.warning("mail %s to %s not sent: %s", row.pk, row.to, row.last_error)
        else:
            row.status = OutboxStatus.SENT
            row.sent_at = now
            row.last_error = ""
            counts["sent"] += 1
        with transaction.atomic():
            row.save(update_fields=["attempts", "status", "last_error", "next_try_at", "sent_at"])
            if row.status == OutboxStatus.FAILED:
                record("ops.outbox.failed", row, extra={"attempts": row.attempts})
        if unreachable:
            break  # the other rows wait for the next round instead of timing out one by one
    return counts


def retry(row: Outbox, *, by: Any) -> Outbox:
    """An administrator sends a failed mail again (from the next worker round on)."""
    with transaction.atomic():
        current = Outbox.objects.select_for_update().get(pk=row.pk)
        if current.status != OutboxStatus.FAILED:
            return current
        current.status = OutboxStatus.PENDING
        current.attempts = 0
        current.next_try_at = timezone.now()
        current.save(update_fields=["status", "attempts", "next_try_at"])
        record("ops.outbox.retry", current, extra={"to": current.to})
    return current
