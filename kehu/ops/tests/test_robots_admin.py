"""Administering chat robots: pages and API create, change and test a robot; the webhook key
and the secret never come back — not on a page, in the API, an export or the audit trail —
and are stored encrypted; failed messages are listed and retried."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from kehu.audit.models import AuditEvent
from kehu.core.models import OrgUnit, User
from kehu.ops import robots
from kehu.ops.models import ChatRobot, OutboxStatus, RobotMessage
from kehu.ops.tests.robot_server import DINGTALK_SECRET, DINGTALK_TOKEN, robot_server

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_robots")]

TOKEN_END = DINGTALK_TOKEN[-4:]


@pytest.fixture
def local_robots() -> Any:
    with override_settings(KEHU_ROBOT_ALLOWED_HOSTS=["127.0.0.1"], KEHU_ROBOT_MAX_ATTEMPTS=1):
        yield


def _audit_text(robot: ChatRobot) -> str:
    events = AuditEvent.objects.filter(object_id=str(robot.pk), object_type="ops.chatrobot")
    return json.dumps(list(events.values("changes", "extra")), ensure_ascii=False)


def _assert_hidden(text: str) -> None:
    assert DINGTALK_TOKEN not in text and DINGTALK_SECRET not in text


def test_an_administrator_creates_tests_and_edits_a_robot_without_seeing_its_key(
    demo: dict[str, User], client_for: Callable[[str], Any]
) -> None:
    admin = client_for("admin")
    sale = OrgUnit.objects.get(code="SALE")
    with robot_server() as server:
        page = admin.post(
            "/chat-robots/add/",
            {
                "name": "销售部钉钉群",
                "platform": "dingtalk",
                "webhook_url": server.url("dingtalk"),
                "secret": DINGTALK_SECRET,
                "unit": sale.pk,
                "kinds": ["archives.loan", "documents.expiry"],
                "is_active": "on",
            },
        )
        assert page.status_code == 302, page.content.decode()[:2000]
        robot = ChatRobot.objects.get()
        assert robot.kinds == ["archives.loan", "documents.expiry"]
        detail = admin.get(f"/chat-robots/{robot.pk}/").content.decode()
        assert f"…{TOKEN_END}" in detail and "127.0.0.1" in detail
        _assert_hidden(detail)

        assert admin.post(f"/ops/chat-robots/{robot.pk}/test/").status_code == 302
        assert robots.deliver_robot_messages()["sent"] == 1
    ((platform, body),) = server.received
    sent = RobotMessage.objects.get(robot=robot, kind=robots.TEST_KIND)
    assert platform == "dingtalk" and body["markdown"]["title"] == sent.title
    assert AuditEvent.objects.filter(action="ops.chatrobot.test").exists()

    edit = admin.get(f"/chat-robots/{robot.pk}/edit/").content.decode()
    _assert_hidden(edit)
    # Saved without a new address or secret: both are kept.
    saved = admin.post(
        f"/chat-robots/{robot.pk}/edit/",
        {
            "name": "销售部钉钉群（新）",
            "platform": "dingtalk",
            "webhook_url": "",
            "secret": "",
            "unit": sale.pk,
            "kinds": "archives.loan",
            "is_active": "on",
            "_version": robot.version,
        },
    )
    assert saved.status_code == 302
    robot.refresh_from_db()
    assert robot.name == "销售部钉钉群（新）" and robot.secret == DINGTALK_SECRET
    assert robot.webhook_url.endswith(DINGTALK_TOKEN)
    # A new secret is audited as changed, not shown.
    admin.post(
        f"/chat-robots/{robot.pk}/edit/",
        {
            "name": robot.name,
            "platform": "dingtalk",
            "secret": "SECanother",
            "is_active": "on",
            "_version": robot.version,
        },
    )
    robot.refresh_from_db()
    assert robot.secret == "SECanother" and robot.unit is None and robot.kinds == []
    audit = _audit_text(robot)
    _assert_hidden(audit)
    assert "SECanother" not in audit and '"secret": ["#' in audit

    for page_text in (
        admin.get("/chat-robots/").content.decode(),
        admin.get(f"/chat-robots/{robot.pk}/").content.decode(),
        admin.get("/audit/").content.decode(),
    ):
        _assert_hidden(page_text)
        assert "SECanother" not in page_text
    export = admin.get("/chat-robots/export.xlsx")
    assert export.status_code == 200 and DINGTALK_TOKEN.encode() not in export.content


def test_the_key_and_secret_are_stored_encrypted() -> None:
    robot = robots.robot_create(
        {
            "name": "群",
            "platform": "dingtalk",
            "webhook_url": f"http://127.0.0.1:1/robot/send?access_token={DINGTALK_TOKEN}",
            "secret": DINGTALK_SECRET,
        }
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_url, secret FROM ops_chatrobot WHERE id = %s", [robot.pk])
        stored = cursor.fetchone()
    assert all(value.startswith("kehu2:") for value in stored)
    _assert_hidden(" ".join(stored))
    assert ChatRobot.objects.get().secret == DINGTALK_SECRET


def test_the_api_takes_the_key_and_secret_and_never_returns_them(
    demo: dict[str, User], api_for: Callable[[str], Any]
) -> None:
    api = api_for("admin")
    with robot_server() as server:
        created = api.post(
            "/api/v1/chat-robots/",
            {
                "name": "接口建的群",
                "platform": "dingtalk",
                "webhook_url": server.url("dingtalk"),
                "secret": DINGTALK_SECRET,
                "kinds": ["archives.loan"],
            },
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        data = created.json()
        assert data["webhook"].endswith(TOKEN_END) and data["signed"] is True
        assert "webhook_url" not in data and "secret" not in data
        pk = data["id"]
        for answer in (api.get("/api/v1/chat-robots/"), api.get(f"/api/v1/chat-robots/{pk}/")):
            assert answer.status_code == 200
            _assert_hidden(answer.content.decode())

        changed = api.put(
            f"/api/v1/chat-robots/{pk}/",
            {"name": "改名的群", "platform": "dingtalk", "version": data["version"]},
            content_type="application/json",
        )
        assert changed.status_code == 200 and changed.json()["signed"] is True
        foreign = api.put(
            f"/api/v1/chat-robots/{pk}/",
            {
                "name": "改名的群",
                "platform": "dingtalk",
                "webhook_url": "https://example.com/robot/send?access_token=x",
                "version": changed.json()["version"],
            },
            content_type="application/json",
        )
        assert foreign.status_code == 400 and "webhook_url" in foreign.json()

        tested = api.post(f"/api/v1/chat-robots/{pk}/test/")
        assert tested.status_code == 202
        assert robots.deliver_robot_messages()["sent"] == 1
    assert len(server.received) == 1
    robot = ChatRobot.objects.get(pk=pk)
    _assert_hidden(_audit_text(robot))
    assert api_for("manager1").post(f"/api/v1/chat-robots/{pk}/test/").status_code == 403
    assert api_for("auditor").get(f"/api/v1/chat-robots/{pk}/").status_code == 200


def test_failed_messages_are_listed_and_retried_by_an_administrator(
    demo: dict[str, User], client_for: Callable[[str], Any], api_for: Callable[[str], Any]
) -> None:
    robot = robots.robot_create(
        {
            "name": "宕机的群",
            "platform": "wecom",
            "webhook_url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=k",
        }
    )
    robots.queue_robot_messages("archives.loan", None, "合同移交提醒", "", "/")
    assert robots.deliver_robot_messages()["failed"] == 1
    message = RobotMessage.objects.get(robot=robot)

    assert client_for("manager1").get("/ops/outbox/robots/").status_code == 403
    admin = client_for("admin")
    page = admin.get("/ops/outbox/robots/").content.decode()
    assert f'id="robot-message-{message.pk}"' in page and "合同移交提醒" in page
    assert 'id="tab-robots"' in admin.get("/ops/outbox/").content.decode()
    listed = api_for("admin").get("/api/v1/robot-messages/").json()
    assert [row["id"] for row in listed] == [message.pk]

    assert admin.post(f"/ops/outbox/robots/{message.pk}/retry/").status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 0
    assert AuditEvent.objects.get(action="ops.robotmessage.retry").actor_username == "admin"
    assert api_for("admin").post(f"/api/v1/robot-messages/{message.pk}/retry/").status_code == 200
