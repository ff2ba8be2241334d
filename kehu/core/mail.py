"""E-mail to users (REV-3), through the SMTP server configured by KEHU_EMAIL_*.

Sending writes one outbox row per address in the caller's transaction (`ops.Outbox`); the job
worker delivers them with retries (`kehu.ops.outbox.deliver_pending`). A failing mail server
therefore never undoes nor slows the work that triggered the mail, and never loses the mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone


def absolute(link: str) -> str:
    return f"{settings.KEHU_BASE_URL}{link}" if link.startswith("/") else link


def send(users: Iterable[Any], subject: str, body: str, link: str = "") -> int:
    """Queue a mail to each active user who has an address; returns how many were queued."""
    from kehu.ops.models import Outbox

    recipients = {
        u.email: u for u in users if u is not None and u.is_active and getattr(u, "email", "")
    }
    if not recipients:
        return 0
    text = f"{body}\n\n{absolute(link)}" if link else body
    now = timezone.now()
    Outbox.objects.bulk_create(
        Outbox(
            to=address,
            subject=f"[Kehu] {subject}"[:300],
            body=text,
            next_try_at=now,
            user=recipients[address],
        )
        for address in sorted(recipients)
    )
    return len(recipients)
