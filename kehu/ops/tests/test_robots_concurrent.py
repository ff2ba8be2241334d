"""Two job workers deliver the robot outbox at the same moment: the one that takes a message
holds its lease while the robot's server answers slowly, and the other one skips it, so the
chat receives it once."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connections
from django.test import override_settings

from kehu.ops import robots
from kehu.ops.models import OutboxStatus, RobotMessage
from kehu.ops.tests.robot_server import robot_server


@pytest.mark.django_db(transaction=True)
@override_settings(KEHU_ROBOT_ALLOWED_HOSTS=["127.0.0.1"])
def test_two_workers_at_once_post_a_message_once() -> None:
    with robot_server() as server:
        robots.robot_create(
            {"name": "慢速的群", "platform": "wecom", "webhook_url": server.url("wecom")}
        )
        robots.queue_robot_messages("archives.loan", None, "提醒", "正文", "")
        server.hold = threading.Event()
        counts: dict[str, Any] = {}

        def worker(name: str) -> None:
            try:
                counts[name] = robots.deliver_robot_messages()
            finally:
                connections.close_all()

        first = threading.Thread(target=worker, args=("first",))
        first.start()
        deadline = time.monotonic() + 10
        while server.requests == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.requests == 1  # the first worker is posting, held by the server
        second = threading.Thread(target=worker, args=("second",))
        second.start()
        second.join(timeout=30)
        server.hold.set()
        first.join(timeout=30)
    assert counts["second"] == {"sent": 0, "deferred": 0, "failed": 0}
    assert counts["first"] == {"sent": 1, "deferred": 0, "failed": 0}
    assert len(server.received) == 1 and server.requests == 1
    assert RobotMessage.objects.get().status == OutboxStatus.SENT
