"""The credit limit in the browser: an account manager requests 80万 for an active customer
from its credit file, the credit manager approves, finance approves (the amount is above
50万), and the approval table and the notification letter name the customer and the limit."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page
from pypdf import PdfReader

from tests.browser.helpers import Server, sign_in_ok, submit
from tests.browser.test_archives import act

pytestmark = pytest.mark.browser

ACTIVE_CUSTOMER = """
from kehu.customers.models import Customer
c = (Customer.objects.filter(owner__username="manager1", status="active")
     .exclude(credit_account__requests__status="pending").order_by("pk").first())
print(c.pk, c.name)
"""


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_limit_request_approved_by_the_chain(new_page: Callable[..., Page], server: Server) -> None:
    pk, name = server.shell(ACTIVE_CUSTOMER).strip().splitlines()[-1].split(maxsplit=1)

    manager = new_page()
    sign_in_ok(manager, "manager1")
    manager.goto(f"/credit/customers/{pk}/")
    assert manager.inner_text("#credit-customer").strip() == name
    manager.click("#request-limit")
    manager.select_option("#id_kind", "new")
    manager.fill("#id_limit_amount", "-5")
    manager.fill("#id_payment_days", "30")
    manager.fill("#id_reason", "年度框架合同，首次授信")
    assert submit(manager, "#submit-limit-request") == 400
    assert "金额不能为负数" in manager.inner_text("#limit-request-form")
    manager.fill("#id_limit_amount", "80万")
    assert submit(manager, "#submit-limit-request") == 302
    request_url = re.sub(r"^https?://[^/]+", "", manager.url)
    assert re.fullmatch(r"/credit/limit-requests/\d+/", request_url)
    assert manager.get_attribute("#request-status", "data-status") == "pending"
    case_url = manager.get_attribute("#case-link", "href")
    assert case_url
    # Nobody approves their own request: no step for the requester.
    manager.goto(case_url)
    assert manager.locator("[data-step-key='approve']").count() == 0

    credit = new_page()
    sign_in_ok(credit, "credit")
    credit.goto(case_url)
    act(credit, "approve", "approved")
    # The credit manager has decided: the finance link is not hers.
    credit.goto(case_url)
    assert credit.locator("[data-step-key='approve']").count() == 0

    finance = new_page()
    sign_in_ok(finance, "finance")
    finance.goto("/tasks/")
    assert finance.locator(f"a[href='{case_url}']").count() >= 1
    finance.goto(case_url)
    act(finance, "approve", "approved")

    manager.goto(request_url)
    assert manager.get_attribute("#request-status", "data-status") == "approved"
    table = manager.request.get(f"{request_url}approval.pdf")
    assert table.status == 200 and table.headers["content-type"] == "application/pdf"
    text = pdf_text(table.body())
    assert name in text and "800,000.00" in text
    letter = manager.request.get(f"{request_url}notice.pdf")
    assert letter.status == 200
    text = pdf_text(letter.body())
    assert name in text and "800,000.00" in text

    manager.goto(f"/credit/customers/{pk}/")
    assert "800,000.00" in manager.inner_text("#limit")
    assert manager.locator("#limit-history [data-grant]").count() >= 1
