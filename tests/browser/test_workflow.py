"""Approvals in the browser (the workflow engine): the task appears in the approver's
"My tasks", a rejection without a reason is refused beside the form, the submitter cannot
approve their own case, and the chain ends with the general manager."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import Server, sign_in_ok, sign_out, submit

pytestmark = pytest.mark.browser

OPEN_CASE = """
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.workflow import services
manager = User.objects.get(username="manager1")
customer = Customer.objects.filter(owner=manager, merged_into=None).order_by("pk").first()
case = services.open_case("workflow.approval", customer, unit=customer.unit, by=manager,
                          title="浏览器测试审批 " + customer.name)
print(case.pk, case.number)
"""


def _act_card(page: Page) -> str:
    return "[id^='act-step-']"


def test_approval_chain_through_my_tasks(page: Page, server: Server) -> None:
    pk, number = server.shell(OPEN_CASE).strip().splitlines()[-1].split()

    # The submitter sees the case under "What I submitted", not among their tasks.
    sign_in_ok(page, "manager1")
    page.goto("/tasks/")
    assert number in page.inner_text("#my-submissions")
    assert number not in page.inner_text("#my-tasks")
    page.goto(f"/cases/{pk}/")
    assert page.locator(_act_card(page)).count() == 0
    sign_out(page)

    # The department head finds it in My tasks and opens it.
    sign_in_ok(page, "head_sale")
    page.goto("/tasks/")
    page.click(f"#my-tasks a:has-text('{number}')")
    assert page.url.endswith(f"/cases/{pk}/")
    card = page.locator(_act_card(page))
    card.locator("input[value='rejected']").check()
    assert submit(page, f"{_act_card(page)} .complete-form button[type=submit]") == 400
    assert page.locator(f"{_act_card(page)} .alert-danger").count() == 1
    assert page.locator("#case-steps tr[data-status='open']").count() == 1  # nothing changed
    page.locator(_act_card(page)).locator("input[value='approved']").check()
    page.locator(_act_card(page)).locator("textarea").first.fill("同意，资料齐全")
    assert submit(page, f"{_act_card(page)} .complete-form button[type=submit]") == 302
    assert page.locator("#case-steps tr[data-status='done']").count() == 1
    assert "同意，资料齐全" in page.inner_text("#case-steps")
    sign_out(page)

    # The general manager approves last; the case closes as approved.
    sign_in_ok(page, "gm")
    page.goto("/tasks/")
    page.click(f"#my-tasks a:has-text('{number}')")
    page.locator(_act_card(page)).locator("input[value='approved']").check()
    assert submit(page, f"{_act_card(page)} .complete-form button[type=submit]") == 302
    assert page.locator("#case-outcome").get_attribute("data-outcome") == "approved"
    assert page.locator("#case-outcome").inner_text().strip() == "已批准"
    assert page.locator("#case-steps tr[data-status='done']").count() == 2
    assert "workflow.case.finish" in page.inner_html("#history")
