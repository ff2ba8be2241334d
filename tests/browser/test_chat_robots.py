"""An administrator adds a DingTalk robot and sends it a test message, which reaches the
local stand-in of DingTalk signed with the robot's secret."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page

from kehu.ops.tests.robot_server import DINGTALK_SECRET, DINGTALK_TOKEN, robot_server
from tests.browser.helpers import Server, submit, unique

pytestmark = pytest.mark.browser


def test_an_administrator_adds_a_robot_and_its_test_message_arrives(
    admin_page: Page, server: Server
) -> None:
    page = admin_page
    name = f"销售部钉钉群{unique()}"
    with robot_server() as chat:
        page.goto("/chat-robots/add/")
        page.fill("#id_name", name)
        page.select_option("#id_platform", "dingtalk")
        page.fill("#id_webhook_url", chat.url("dingtalk"))
        page.fill("#id_secret", DINGTALK_SECRET)
        page.select_option("#id_unit", label="销售部 (SALE)")
        assert submit(page, "#save") == 302
        shown = page.inner_text("#webhook-shown")
        assert shown.endswith(DINGTALK_TOKEN[-4:]) and DINGTALK_TOKEN not in page.content()
        assert DINGTALK_SECRET not in page.content()

        assert submit(page, "#send-test") == 302
        # The job posts it within a minute; deliver now rather than wait for the scheduler.
        server.shell("from kehu.ops.robots import deliver_robot_messages; deliver_robot_messages()")
        deadline = time.monotonic() + 30
        while not chat.received and time.monotonic() < deadline:
            time.sleep(0.2)
    ((platform, body),) = chat.received
    assert platform == "dingtalk" and name in body["markdown"]["text"]
    page.reload()
    assert page.locator("#robot-messages tbody tr").count() == 1
