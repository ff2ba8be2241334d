"""E-mail to users (REV-3), through the SMTP server configured by KEHU_EMAIL_*.

A failing mail server must not undo the work that triggered the mail: failures are logged and
counted, never raised into the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers

logger = logging.getLogger(__name__)


def absolute(link: str) -> str:
    return f"{settings.KEHU_BASE_URL}{link}" if link.startswith("/") else link


def send(users: Iterable[Any], subject: str, body: str, link: str = "") -> int:
    """Mail each active user who has an address; returns how many mails were sent."""
    recipients = sorted(
        {u.email for u in users if u is not None and u.is_active and getattr(u, "email", "")}
    )
    if not recipients:
        return 0
    text = f"{body}\n\n{absolute(link)}" if link else body
    messages = [
        EmailMessage(f"[Kehu] {subject}", text, settings.DEFAULT_FROM_EMAIL, [address])
        for address in recipients
    ]
    try:
        with mailers.default as connection:
            return int(connection.send_messages(messages) or 0)
    except Exception:  # the mail server is down or refuses: log, do not fail the caller
        logger.exception("could not send mail %r to %d recipients", subject, len(recipients))
        return 0
