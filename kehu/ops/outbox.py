"""Delivery of the e-mail outbox by the job worker (kehu.ops.delivery: leased rows, retries
with a doubling pause from KEHU_MAIL_RETRY_SECONDS, failed after KEHU_MAIL_MAX_ATTEMPTS tries;
an administrator may retry it from the outbox page). One mail server serves every row: when it
cannot be reached, the round stops."""

from __future__ import annotations

import datetime
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.utils import timezone

from kehu.ops.delivery import Queue, deliver_due, retry_failed
from kehu.ops.models import Outbox

# Errors that say the server cannot be reached: the other rows wait for the next round.
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


MAIL = Queue(
    model=Outbox,
    send=_send,
    max_attempts=lambda: settings.KEHU_MAIL_MAX_ATTEMPTS,
    retry_seconds=lambda: settings.KEHU_MAIL_RETRY_SECONDS,
    failed_action="ops.outbox.failed",
    unreachable=UNREACHABLE,
)


def deliver_pending(now: datetime.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send the due rows of the outbox; returns how many were sent, deferred and failed."""
    return deliver_due(MAIL, now, limit)


def retry(row: Outbox, *, by: Any) -> Outbox:
    """An administrator sends a failed mail again (from the next worker round on)."""
    return retry_failed(row, "ops.outbox.retry", {"to": row.to})
