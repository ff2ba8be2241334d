"""Chat robots: messages are queued for the robots that take them, posted to a local stand-in
of each platform that checks shape and signature as the service does, retried while refused
or unreachable, failed visibly after the limit, and never posted twice."""

from __future__ import annotations

import dataclasses
import datetime
import socket
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.core.models import OrgUnit, User
from kehu.ops import robots
from kehu.ops.delivery import deliver_due
from kehu.ops.models import ChatRobot, OutboxStatus, RobotMessage
from kehu.ops.reminders import Due, ReminderRule, remind
from kehu.ops.robot_platforms import check_webhook
from kehu.ops.tests.robot_server import (
    DINGTALK_SECRET,
    FEISHU_SECRET,
    RobotServer,
    robot_server,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("local_robots"),
]

SECRETS = {"wecom": "", "dingtalk": DINGTALK_SECRET, "feishu": FEISHU_SECRET}


@pytest.fixture
def local_robots() -> Any:
    with override_settings(
        KEHU_ROBOT_ALLOWED_HOSTS=["127.0.0.1"],
        KEHU_ROBOT_RETRY_SECONDS=60,
        KEHU_ROBOT_MAX_ATTEMPTS=3,
        KEHU_ROBOT_TIMEOUT_SECONDS=5,
        KEHU_BASE_URL="https://kehu.example.cn",
    ):
        yield


def make_robot(server: RobotServer, platform: str, **values: Any) -> ChatRobot:
    data = {
        "name": f"{platform} 群",
        "platform": platform,
        "webhook_url": server.url(platform),
        "secret": SECRETS[platform],
    }
    return robots.robot_create(data | values)


@pytest.mark.parametrize("platform", ["wecom", "dingtalk", "feishu"])
def test_each_platform_receives_the_message_signed_as_it_expects(platform: str) -> None:
    with robot_server() as server:
        robot = make_robot(server, platform)
        queued = robots.queue_robot_messages(
            "archives.loan", None, "合同移交提醒：HT-2027-001", "请于3月5日前移交。", "/x/1/"
        )
        assert queued == 1
        assert robots.deliver_robot_messages() == {"sent": 1, "deferred": 0, "failed": 0}
    ((seen_platform, body),) = server.received
    assert seen_platform == platform
    text = str(body)
    assert "合同移交提醒：HT-2027-001" in text and "请于3月5日前移交。" in text
    assert "https://kehu.example.cn/x/1/" in text  # the link made absolute
    message = RobotMessage.objects.get(robot=robot)
    assert message.status == OutboxStatus.SENT and message.attempts == 1 and message.sent_at


@pytest.mark.parametrize("platform", ["dingtalk", "feishu"])
def test_a_wrong_secret_is_retried_then_fails_with_the_services_message(platform: str) -> None:
    with robot_server() as server:
        robot = make_robot(server, platform, secret="SECwrong")
        robots.queue_robot_messages("archives.loan", None, "提醒", "正文", "")
        now = timezone.now()
        assert robots.deliver_robot_messages(now)["deferred"] == 1
        message = RobotMessage.objects.get(robot=robot)
        assert message.next_try_at == now + datetime.timedelta(seconds=60)
        assert ("310000" if platform == "dingtalk" else "19021") in message.last_error
        assert robots.deliver_robot_messages(now + datetime.timedelta(seconds=30))["deferred"] == 0
        second = now + datetime.timedelta(seconds=61)
        assert robots.deliver_robot_messages(second)["deferred"] == 1
        message.refresh_from_db()
        assert message.next_try_at == second + datetime.timedelta(seconds=120)  # doubled
        third = second + datetime.timedelta(seconds=121)
        assert robots.deliver_robot_messages(third)["failed"] == 1
    assert server.received == [] and server.requests == 3
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and message.attempts == 3
    failed = AuditEvent.objects.get(action="ops.robotmessage.failed")
    assert failed.object_id == str(message.pk)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_robot_that_is_down_waits_and_the_others_still_go() -> None:
    down_port = _closed_port()
    with robot_server() as server:
        working = make_robot(server, "wecom")
        down = robots.robot_create(
            {
                "name": "宕机的群",
                "platform": "wecom",
                "webhook_url": f"http://127.0.0.1:{down_port}/cgi-bin/webhook/send?key=k",
            }
        )
        for n in range(2):
            robots.queue_robot_messages("archives.loan", None, f"提醒{n}", "正文", "")
        counts = robots.deliver_robot_messages()
    # Two for the working robot; the robot that is down is tried once, its second waits.
    assert counts == {"sent": 2, "deferred": 1, "failed": 0}
    assert len(server.received) == 2
    attempts = sorted(RobotMessage.objects.filter(robot=down).values_list("attempts", flat=True))
    assert attempts == [0, 1]
    assert "RobotUnreachable" in RobotMessage.objects.get(robot=down, attempts=1).last_error
    assert not RobotMessage.objects.filter(robot=working).exclude(status="sent").exists()


def test_a_message_goes_to_the_robots_of_its_unit_above_and_of_its_kind(
    demo: dict[str, User],
) -> None:
    sale, mkt, bj = (OrgUnit.objects.get(code=code) for code in ("SALE", "MKT", "BJ"))
    with robot_server() as server:
        everyone = make_robot(server, "wecom", name="全集团")
        sale_loans = make_robot(
            server, "wecom", name="销售部借阅", unit=sale, kinds=["archives.loan"]
        )
        bj_all = make_robot(server, "wecom", name="北京全部", unit=bj)
        make_robot(server, "wecom", name="市场部", unit=mkt)
        make_robot(server, "wecom", name="停用", unit=sale, is_active=False)

    def chosen(kind: str, unit: OrgUnit | None) -> set[int]:
        return {robot.pk for robot in robots.robots_for(kind, unit)}

    assert chosen("archives.loan", sale) == {everyone.pk, sale_loans.pk, bj_all.pk}
    assert chosen("documents.expiry", sale) == {everyone.pk, bj_all.pk}
    assert chosen("archives.loan", None) == {everyone.pk}
    assert robots.queue_robot_messages("archives.loan", sale, "提醒", "", "") == 3
    assert set(RobotMessage.objects.values_list("robot_id", flat=True)) == {
        everyone.pk,
        sale_loans.pk,
        bj_all.pk,
    }


def test_a_message_taken_by_one_deliverer_is_not_posted_by_another() -> None:
    """A second deliverer that runs while the first is posting finds the row leased."""
    with robot_server() as server:
        make_robot(server, "feishu")
        robots.queue_robot_messages("archives.loan", None, "提醒", "正文", "")
        overlapping: list[dict[str, int]] = []

        def post_while_another_round_runs(message: RobotMessage) -> None:
            overlapping.append(robots.deliver_robot_messages())
            robots.post(message)

        queue = dataclasses.replace(robots.ROBOT_QUEUE, send=post_while_another_round_runs)
        assert deliver_due(queue) == {"sent": 1, "deferred": 0, "failed": 0}
    assert overlapping == [{"sent": 0, "deferred": 0, "failed": 0}]
    assert len(server.received) == 1


def test_an_address_off_the_platforms_hosts_is_refused() -> None:
    def refusal(platform: str, url: str, secret: str = "") -> dict[str, list[str]]:
        with pytest.raises(ValidationError) as refused:
            check_webhook(platform, url, secret)
        return refused.value.message_dict

    with override_settings(KEHU_ROBOT_ALLOWED_HOSTS=[]):
        assert "webhook_url" in refusal("wecom", "http://127.0.0.1:8080/cgi-bin/webhook/send?key=k")
        assert "webhook_url" in refusal(
            "dingtalk", "https://169.254.169.254/robot/send?access_token=t"
        )
        # Another platform's host is not this platform's.
        assert "webhook_url" in refusal(
            "feishu", "https://oapi.dingtalk.com/open-apis/bot/v2/hook/abc"
        )
        assert "webhook_url" in refusal(
            "wecom", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
        )
        assert "webhook_url" in refusal(
            "wecom", "https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
        )
        assert "webhook_url" in refusal("wecom", "https://qyapi.weixin.qq.com/cgi-bin/other?key=k")
        assert "secret" in refusal(
            "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "SECx"
        )
        check_webhook("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "")
        check_webhook("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t", "SEC1")
        check_webhook("feishu", "https://open.larksuite.com/open-apis/bot/v2/hook/abc", "s")
    with pytest.raises(ValidationError) as refused:
        robots.robot_create(
            {"name": "外部", "platform": "wecom", "webhook_url": "https://evil.example/x?key=k"}
        )
    assert "webhook_url" in refused.value.message_dict
    assert not ChatRobot.objects.exists()


def test_a_robot_takes_only_the_reminder_engines_kinds() -> None:
    with robot_server() as server:
        for wrong in (["Not A Kind"], ["contracts.unknown"], "archives.loan"):
            with pytest.raises(ValidationError) as refused:
                make_robot(server, "wecom", kinds=wrong)
            assert "kinds" in refused.value.message_dict
        robot = make_robot(server, "wecom", kinds=["documents.expiry", "archives.loan"])
    assert robot.kinds == ["archives.loan", "documents.expiry"]


def test_the_reminder_engine_posts_each_stage_once_to_the_units_robots(
    demo: dict[str, User],
) -> None:
    sale, mkt = OrgUnit.objects.get(code="SALE"), OrgUnit.objects.get(code="MKT")
    today = datetime.date(2027, 3, 1)
    rule = ReminderRule(
        kind="archives.loan", label="借阅归还", pending=lambda today, user: [], before=(1,)
    )
    due = Due(
        obj=sale,
        deadline=today,
        recipients=[demo["manager1"]],
        title="借阅档案应归还",
        link="/loans/1/",
        body="请归还 2027-SALE-001。",
        unit=sale,
    )
    with robot_server() as server:
        robot = make_robot(server, "dingtalk", unit=sale, kinds=["archives.loan"])
        make_robot(server, "feishu", unit=mkt)
        make_robot(server, "wecom", kinds=["documents.expiry"])
        remind(rule, due, today)
        remind(rule, due, today)  # the same stage again: nothing more
        assert robots.deliver_robot_messages() == {"sent": 1, "deferred": 0, "failed": 0}
    ((platform, body),) = server.received
    assert platform == "dingtalk" and "请归还 2027-SALE-001。" in body["markdown"]["text"]
    assert RobotMessage.objects.get().robot == robot


def test_a_robot_whose_host_is_no_longer_allowed_is_not_called() -> None:
    with robot_server() as server:
        make_robot(server, "wecom")
        robots.queue_robot_messages("archives.loan", None, "提醒", "正文", "")
        with override_settings(KEHU_ROBOT_ALLOWED_HOSTS=[]):
            assert robots.deliver_robot_messages()["deferred"] == 1
    assert server.requests == 0
    assert "qyapi.weixin.qq.com" in RobotMessage.objects.get().last_error


def test_a_robot_deactivated_after_queueing_is_not_called() -> None:
    with robot_server() as server:
        robot = make_robot(server, "dingtalk")
        robots.queue_robot_messages("archives.loan", None, "提醒", "正文", "")
        ChatRobot.objects.filter(pk=robot.pk).update(is_active=False)
        assert robots.deliver_robot_messages()["deferred"] == 1
    assert server.requests == 0
    assert RobotMessage.objects.get().last_error.endswith("机器人已停用。")
