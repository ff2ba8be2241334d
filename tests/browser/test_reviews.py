"""The register review in the browser: a campaign is open (as the periodic job opens it);
the account manager confirms one customer unchanged, corrects another through its edit form
and records the correction; the department head follows his department's progress."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import Server, sign_in_ok, submit

pytestmark = pytest.mark.browser

OPEN_CAMPAIGN = """
from django.utils import timezone
from kehu.reviews import services
from kehu.reviews.models import ReviewTask
campaign, _ = services.campaign_open(timezone.localdate(), everyone=True)
mine = ReviewTask.objects.filter(
    campaign=campaign, owner__username="manager1", status="open", customer__kind="organization"
).order_by("pk")
print(campaign.pk, *[t.pk for t in mine[:2]])
"""


def test_owner_confirms_and_corrects_the_head_sees_progress(
    new_page: Callable[..., Page], server: Server
) -> None:
    campaign, confirm_pk, correct_pk = server.shell(OPEN_CAMPAIGN).strip().splitlines()[-1].split()

    owner = new_page()
    sign_in_ok(owner, "manager1")
    owner.goto("/reviews/tasks/?status=open")
    assert owner.locator(f"tr[data-task='{confirm_pk}']").count() == 1

    # Nothing changed: confirm, noting a stale item found.
    owner.goto(f"/reviews/tasks/{confirm_pk}/")
    owner.fill("#id_stale_items", "开户许可证已过期，待客户补交")
    assert submit(owner, "#task-confirm") == 302
    assert owner.get_attribute("#task-status", "data-status") == "confirmed"
    assert "开户许可证已过期" in owner.inner_text("#task-stale")

    # Something changed: the customer's own edit form, then back to the task.
    task_url = f"/reviews/tasks/{correct_pk}/"
    owner.goto(task_url)
    owner.click("#task-edit-customer")
    owner.wait_for_url(re.compile(r"/customers/\d+/edit/"))
    owner.fill("#id_note", "经营地址已迁至朝阳区新址")
    assert submit(owner, "#save") == 302
    assert owner.url.endswith(task_url)
    assert submit(owner, "#task-correct") == 302
    assert owner.get_attribute("#task-status", "data-status") == "corrected"
    assert "经营地址已迁至朝阳区新址" in owner.inner_text("#task-changes")

    # The department head sees his department's figures, not the others'.
    head = new_page()
    sign_in_ok(head, "head_sale")
    head.goto("/reviews/")
    head.click(f"a[href='/reviews/{campaign}/']")
    head.wait_for_url(f"**/reviews/{campaign}/")
    rows = head.locator("#progress tbody tr")
    assert rows.count() == 1
    assert "销售部" in rows.first.inner_text()
    assert rows.first.locator("[data-figure='done']").inner_text() == "2"
    percent = rows.first.locator("[data-figure='percent']").inner_text()
    assert re.fullmatch(r"\d+%", percent) and percent != "0%"
