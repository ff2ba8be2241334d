"""Filing before cooperation in the browser, as the three people who do it: the
account manager opens the filing from the card, completes collection, asks the customer for a
supplement and resumes, passes the initial review; compliance passes the second review (and,
for a high-risk customer, writes the risk assessment report with its file); the department
head and the general manager approve — and the customer is active. Also "new customer +
filing", the printed filing form, and the watch list import."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from kehu.documents import samples
from tests.browser.helpers import Server, sign_in_ok, submit, unique

pytestmark = pytest.mark.browser

PREPARE = """
from kehu.core.models import User
from kehu.filing.tests.conftest import ready_customer
manager = User.objects.get(username="manager1")
plain = ready_customer(manager, name="北京浏览器备案{tag}甲有限公司")
risky = ready_customer(manager, name="北京浏览器备案{tag}乙有限公司", industry="K")
print(plain.pk, risky.pk)
"""


def as_user(new_page: Callable[..., Page], username: str) -> Page:
    page = new_page()
    sign_in_ok(page, username)
    return page


def open_filing(page: Page, customer_pk: int) -> str:
    page.goto(f"/customers/{customer_pk}/")
    assert submit(page, "#open-filing") == 302
    page.wait_for_selector("#filing-stage")
    return page.url


def my_step(page: Page, url: str) -> str:
    page.goto(url)
    return page.get_attribute("#my-step", "data-step") or ""


def pass_review(page: Page) -> None:
    for select in page.locator("#review-form select").all():
        select.select_option("ok")
    assert submit(page, "#review-pass") == 302


def approve(page: Page, url: str, reason: str = "") -> None:
    assert my_step(page, url) == "approve"
    page.select_option("#id_outcome", "approved")
    if reason:
        page.fill("#id_comment", reason)
    assert submit(page, "#submit-decision") == 302


def test_full_filing_path_with_a_supplement_and_a_high_risk_customer(
    new_page: Callable[..., Page], server: Server
) -> None:
    tag = unique("F")
    plain, risky = (int(v) for v in server.shell(PREPARE.format(tag=tag)).split()[-2:])
    manager = as_user(new_page, "manager1")
    compliance = as_user(new_page, "compliance")
    head = as_user(new_page, "head_sale")
    gm = as_user(new_page, "gm")

    # The account manager opens both filings; the checklist is complete.
    url = open_filing(manager, plain)
    assert manager.get_attribute("#customer-status", "data-status") == "in_filing"
    assert manager.locator("#checklist-complete").count() == 1
    risky_url = open_filing(manager, risky)
    assert manager.locator("#high-risk").count() == 1
    assert manager.locator("#risk [data-rule='sensitive_industry']").count() == 1

    for filing_url in (url, risky_url):
        assert my_step(manager, filing_url) == "collect"
        assert submit(manager, "#collection-complete") == 302

    # Initial review: a supplement request pauses it, the arrival resumes it.
    assert my_step(manager, url) == "initial_review"
    manager.fill("#id_reason", "请补充加盖公章的开户许可证")
    assert submit(manager, "#request-supplement") == 302
    assert manager.get_attribute("#filing-stage", "data-stage") == "supplement"
    assert manager.get_attribute("#my-step", "data-status") == "waiting"
    assert submit(manager, "#supplement-received") == 302
    assert manager.get_attribute("#my-step", "data-status") == "open"
    pass_review(manager)
    assert my_step(manager, risky_url) == "initial_review"
    pass_review(manager)
    assert manager.get_attribute("#filing-stage", "data-stage") == "second_review"

    # The second review waits on compliance's task list.
    compliance.goto("/tasks/")
    assert tag in compliance.content()
    assert my_step(compliance, url) == "second_review"
    pass_review(compliance)
    assert compliance.get_attribute("#filing-stage", "data-stage") == "approval"

    # High risk: due diligence with the risk assessment report and its file.
    assert my_step(compliance, risky_url) == "second_review"
    pass_review(compliance)
    assert my_step(compliance, risky_url) == "due_diligence"
    compliance.select_option("#id_risk_level", "high")
    compliance.fill("#id_findings", "房地产行业，关注资金链")
    compliance.select_option("#id_conclusion", "conditions")
    compliance.set_input_files(
        "#id_file",
        {"name": "风险评估报告.pdf", "mimeType": "application/pdf", "buffer": samples.pdf("R")},
    )
    assert submit(compliance, "#submit-report") == 302
    assert compliance.locator("#risk-report").count() == 1
    assert compliance.get_attribute("#filing-stage", "data-stage") == "approval"

    # Approvals: the department head, then the general manager. The customer is active.
    approve(head, url)
    assert head.locator("#my-step").count() == 0
    approve(gm, url, "资料齐全，同意合作")
    assert gm.get_attribute("#filing-stage", "data-stage") == "approved"
    assert gm.get_attribute("#customer-status", "data-status") == "active"
    manager.goto(f"/customers/{plain}/")
    assert manager.get_attribute("#customer-status", "data-status") == "active"
    assert "资料齐全，同意合作" in manager.inner_text("#filing-panel")

    # The general manager rejects the high-risk one after the head approved it.
    approve(head, risky_url)
    assert my_step(gm, risky_url) == "approve"
    gm.select_option("#id_outcome", "rejected")
    assert submit(gm, "#submit-decision") == 400  # no reason: refused beside the field
    assert gm.locator("#decision-form .invalid-feedback").count() == 1
    assert gm.get_attribute("#filing-stage", "data-stage") == "approval"
    gm.select_option("#id_outcome", "rejected")
    gm.fill("#id_comment", "风险过高，不予合作")
    assert submit(gm, "#submit-decision") == 302
    assert gm.get_attribute("#filing-stage", "data-stage") == "rejected"
    assert gm.get_attribute("#customer-status", "data-status") == "rejected"


def test_new_customer_and_filing_from_the_customer_list(page: Page) -> None:
    sign_in_ok(page, "manager1")
    page.goto("/customers/")
    page.click("#new-customer-filing")
    name = f"北京新建备案{unique('N')}有限公司"
    page.fill("#id_name", name)
    page.fill("#id_phone", "010-62345678")
    assert submit(page, "#save") == 302
    assert page.get_attribute("#filing-stage", "data-stage") == "collection"
    assert page.locator("#checklist [data-state='missing']").count() > 0
    assert page.locator("#collection-complete").is_disabled()
    pdf_url = page.get_attribute("#print-form", "href") or ""
    response = page.request.get(pdf_url)  # the page's own cookies
    assert response.status == 200 and response.body().startswith(b"%PDF")


def test_watch_list_import_with_preview(page: Page) -> None:
    sign_in_ok(page, "admin")
    page.goto("/watch-list/import/")
    name = f"导入测试{unique('W')}有限公司"
    content = f"名称,名录,来源,列入日期\n{name},经营异常名录,公示系统,2025-04-01\n,失信,,\n"
    page.set_input_files(
        "#id_file", {"name": "list.csv", "mimeType": "text/csv", "buffer": content.encode()}
    )
    assert submit(page, "#preview-import") == 400
    assert page.locator("#preview-rows tr.table-danger").count() == 1
    ok = f"名称,名录,来源,列入日期\n{name},经营异常名录,公示系统,2025-04-01\n"
    page.set_input_files(
        "#id_file", {"name": "list.csv", "mimeType": "text/csv", "buffer": ok.encode()}
    )
    assert submit(page, "#preview-import") == 200
    assert page.inner_text("[data-count='new']").endswith("1")
    assert submit(page, "#confirm-import") == 302
    page.goto(f"/watch-list/?q={name}")
    assert name in page.inner_text("#record-table")


def test_compliance_clears_a_watch_list_flag(page: Page) -> None:
    """The demo's active customer found on the watch list: compliance finds it through the
    customer list's filter, sees the flag on its card and clears it with a reason."""
    sign_in_ok(page, "compliance")
    page.goto("/customers/?watch_list=open")
    rows = page.locator("#record-table tbody a")
    assert rows.count() >= 1
    rows.first.click()
    page.wait_for_selector("#watch-list-hits")
    card_url = page.url
    hits = page.locator("#watch-list-hits [data-hit]").count()
    page.locator("#watch-list-hits .clear-hit").first.click()
    page.wait_for_selector("#clear-hit-form")
    assert submit(page, "#clear-hit") == 400
    assert page.locator("#clear-hit-form .invalid-feedback, #clear-hit-form .errorlist").count()
    page.fill("#id_reason", "同名不同主体，统一社会信用代码不符")
    assert submit(page, "#clear-hit") == 302
    assert page.url == card_url
    assert page.locator("#watch-list-hits [data-hit]").count() == hits - 1
