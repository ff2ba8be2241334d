"""E-mail to users (REV-3), through the SMTP server configured by KEHU_EMAIL_*.

Sending hands the mails to the queue the ops app registers in its `ready()`: one outbox row per
address in the caller's transaction (`ops.Outbox`), which the job worker delivers with retries
(`kehu.ops.outbox.deliver_pending`). A failing mail server therefore never undoes nor slows the
work that triggered the mail, and never loses the mail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

# queue(recipients by address, subject, text) stores the mails for delivery.
MailQueue = Callable[[dict[str, Any], str, str], None]

_queue: MailQueue | None = None


def set_queue(queue: MailQueue) -> None:
    """Where mails are queued for delivery (kehu.ops.outbox.queue_mails)."""
    global _queue
    _queue = queue


def absolute(link: str) -> str:
    return f"{settings.KEHU_BASE_URL}{link}" if link.startswith("/") else link


def send(users: Iterable[Any], subject: str, body: str, link: str = "") -> int:
    """Queue a mail to each active user who has an address; returns how many were queued."""
    recipients = {
        u.email: u for u in users if u is not None and u.is_active and getattr(u, "email", "")
    }
    if not recipients:
        return 0
    text = f"{body}\n\n{absolute(link)}" if link else body
    if _queue is None:
        raise RuntimeError("no mail queue is registered (kehu.ops is not installed)")
    _queue(recipients, f"[Kehu] {subject}"[:300], text)
    return len(recipients)


def send_to_address(address: str, subject: str, body: str, link: str = "") -> int:
    """Queue a mail to someone who is not a user (a customer's contact); 1 when queued."""
    if not address:
        return 0
    text = f"{body}\n\n{absolute(link)}" if link else body
    if _queue is None:
        raise RuntimeError("no mail queue is registered (kehu.ops is not installed)")
    _queue({address: None}, f"[Kehu] {subject}"[:300], text)
    return 1
