"""Notifications to users: a row each in their notification list and, when asked, a mail
(kehu.core.mail)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kehu.core import mail
from kehu.core.models import Notification, User


def notify(users: Any, title: str, body: str = "", link: str = "", *, email: bool = False) -> int:
    """Send a notification to each user (deduplicated, inactive users skipped); with
    `email`, also mail them (an outbox row each, in the same transaction)."""
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    Notification.objects.bulk_create(
        Notification(user=u, title=title[:200], body=body, link=link[:300])
        for u in recipients.values()
    )
    if email and recipients:
        mail.send(recipients.values(), str(title), str(body), link)
    return len(recipients)


def mark_notifications_read(user: User, pks: Any = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pks is not None:
        unread = unread.filter(pk__in=pks)
    return unread.update(read_at=timezone.now())
