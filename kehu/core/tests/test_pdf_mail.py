"""PDFs carry extractable Chinese text in an embedded font; mail reaches a real SMTP server."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from typing import Any

import pypdf
import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from kehu.core import mail
from kehu.core.models import User
from kehu.core.notifications import notify
from kehu.infra import pdf


def test_pdf_text_is_extractable_and_the_font_embedded() -> None:
    doc = pdf.Document(title="客户备案表", author="张伟")
    doc.heading("基本信息")
    doc.key_values([("客户名称", "北京华夏科技有限公司"), ("统一社会信用代码", "91110000MA01")])
    doc.table([["步骤", "结论"], ["初审", "通过"]])
    doc.qr("http://127.0.0.1:8000/customers/1/")
    reader = pypdf.PdfReader(io.BytesIO(doc.build()))
    text = reader.pages[0].extract_text()
    assert "北京华夏科技有限公司" in text and "客户备案表" in text
    assert reader.metadata is not None and reader.metadata.title == "客户备案表"
    fonts = {
        str(font["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert any("WenQuanYi" in name for name in fonts), fonts  # embedded subset


def test_pdf_response_keeps_a_chinese_file_name() -> None:
    response = pdf.response(b"%PDF-1.4", "客户备案表.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''%E5%AE%A2" in response["Content-Disposition"]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_mailers(port: int) -> dict[str, Any]:
    options = {"host": "127.0.0.1", "port": port, "timeout": 5}
    return {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
    }


@pytest.fixture
def smtp_server() -> Iterator[_Inbox]:
    """A real SMTP server on 127.0.0.1, with Django's SMTP backend pointed at it."""
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(MAILERS=smtp_mailers(port)):
            yield inbox
    finally:
        controller.stop()


@pytest.mark.django_db
def test_notify_with_email_sends_through_the_outbox(
    smtp_server: _Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    from kehu.ops.outbox import deliver_pending

    user = User.objects.create_user("mailee", email="mailee@example.cn", password="x")
    with django_capture_on_commit_callbacks(execute=True):
        notify([user], "新任务：初审", "请在 2 个工作日内完成", "/tasks/", email=True)
    assert smtp_server.messages == []  # the web request sends nothing: the worker does
    assert deliver_pending()["sent"] == 1
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["mailee@example.cn"]
    body = envelope.content.decode()
    assert "/tasks/" in body and "Subject:" in body


@pytest.mark.django_db
def test_a_dead_mail_server_does_not_raise() -> None:
    from kehu.ops.outbox import deliver_pending

    user = User.objects.create_user("nomail", email="n@example.cn", password="x")
    with override_settings(MAILERS=smtp_mailers(_free_port())):
        assert mail.send([user], "主题", "正文") == 1  # queued
        assert deliver_pending() == {"sent": 0, "deferred": 1, "failed": 0}
