"""E-mail through the outbox: written in the caller's transaction, delivered by the worker to
a real SMTP server on 127.0.0.1, retried while the server is down, failed visibly after the
limit, and retried by an administrator."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.core.notifications import notify
from kehu.core.tests.test_pdf_mail import _free_port, _Inbox, smtp_mailers
from kehu.ops.models import Outbox, OutboxStatus
from kehu.ops.outbox import deliver_pending


@pytest.mark.django_db
@override_settings(KEHU_MAIL_RETRY_SECONDS=60, KEHU_MAIL_MAX_ATTEMPTS=5)
def test_mail_waits_while_the_server_is_down_and_goes_when_it_is_back() -> None:
    user = User.objects.create_user("mailee", email="mailee@example.cn", password="x")
    port = _free_port()
    with override_settings(MAILERS=smtp_mailers(port)):
        notify([user], "新任务：初审", "请在 2 个工作日内完成", "/tasks/", email=True)
        row = Outbox.objects.get(to="mailee@example.cn")
        assert row.status == OutboxStatus.PENDING

        now = timezone.now()
        assert deliver_pending(now) == {"sent": 0, "deferred": 1, "failed": 0}
        row.refresh_from_db()
        assert row.status == OutboxStatus.PENDING and row.attempts == 1
        assert row.last_error and row.next_try_at == now + datetime.timedelta(seconds=60)
        assert deliver_pending(now + datetime.timedelta(seconds=30))["sent"] == 0  # not yet

        inbox = _Inbox()
        server = Controller(inbox, hostname="127.0.0.1", port=port)
        server.start()
        try:
            later = now + datetime.timedelta(seconds=61)
            assert deliver_pending(later) == {"sent": 1, "deferred": 0, "failed": 0}
        finally:
            server.stop()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and row.attempts == 2 and row.last_error == ""
    (envelope,) = inbox.messages
    assert envelope.rcpt_tos == ["mailee@example.cn"]
    assert "/tasks/" in envelope.content.decode()
    assert deliver_pending(later + datetime.timedelta(hours=1))["sent"] == 0  # sent once


@pytest.mark.django_db
@override_settings(KEHU_MAIL_RETRY_SECONDS=60, KEHU_MAIL_MAX_ATTEMPTS=2)
def test_mail_fails_after_the_limit_and_an_administrator_retries_it(
    demo: dict[str, User], client_for: Callable[[str], Any]
) -> None:
    notify([demo["manager1"]], "到期提醒", "正文", email=True)
    row = Outbox.objects.get(to=demo["manager1"].email)
    now = timezone.now()
    with override_settings(MAILERS=smtp_mailers(_free_port())):
        deliver_pending(now)
        assert deliver_pending(now + datetime.timedelta(seconds=61))["failed"] == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED and row.attempts == 2
    assert AuditEvent.objects.filter(action="ops.outbox.failed", object_id=str(row.pk)).exists()

    assert client_for("manager1").get("/ops/outbox/").status_code == 403
    assert client_for("manager1").post(f"/ops/outbox/{row.pk}/retry/").status_code == 403
    admin = client_for("admin")
    assert 'href="/ops/outbox/"' in admin.get("/").content.decode()  # the administration menu
    assert 'href="/ops/outbox/"' not in client_for("manager1").get("/").content.decode()
    page = admin.get("/ops/outbox/")
    assert page.status_code == 200 and f'id="outbox-{row.pk}"' in page.content.decode()
    assert admin.post(f"/ops/outbox/{row.pk}/retry/").status_code == 302
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING and row.attempts == 0
    assert AuditEvent.objects.get(action="ops.outbox.retry").actor_username == "admin"


@pytest.mark.django_db
def test_a_round_stops_at_the_first_unreachable_server() -> None:
    users = [
        User.objects.create_user(f"mailee{n}", email=f"m{n}@example.cn", password="x")
        for n in range(3)
    ]
    notify(users, "提醒", "正文", email=True)
    with override_settings(MAILERS=smtp_mailers(_free_port())):
        assert deliver_pending() == {"sent": 0, "deferred": 1, "failed": 0}
    assert sorted(Outbox.objects.values_list("attempts", flat=True)) == [0, 0, 1]
