"""The auditor follows a customer's card to its whole audit trail (its contacts' and
accounts' events included) and searches the log by words and by a person's full name."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.accessibility import axe_violations, describe
from tests.browser.helpers import Server, htmx_swap, sign_in_ok, unique

pytestmark = pytest.mark.browser

PREPARE = """
from kehu.audit.context import acting_as, actor_for
from kehu.core.models import User
import random
from kehu.customers.tests.factories import credit_code
from kehu.filing.tests.conftest import ready_customer
manager = User.objects.get(username="manager1")
with acting_as(actor_for(manager)):
    customer = ready_customer(
        manager,
        name="北京审计线索{tag}有限公司",
        credit_code=credit_code(random.randrange(10**6, 10**7)),
    )
print(customer.pk, manager.full_name)
"""


def search_events(page: Page, **fields: str) -> None:
    """Fill the audit filter form and submit it (htmx swaps the table in place)."""
    for name, value in fields.items():
        page.fill(f"#filter-form [name={name}]", value)
    with htmx_swap(page):
        page.click("#filter-form button[type=submit]")


def total(page: Page) -> int:
    match = re.search(r"\d+", page.inner_text("#row-count"))
    assert match
    return int(match.group())


def test_card_to_audit_trail_and_searching_by_words(page: Page, server: Server) -> None:
    tag = unique("A")
    pk, manager_name = server.shell(PREPARE.format(tag=tag)).strip().splitlines()[-1].split()
    sign_in_ok(page, "auditor")
    page.click("#main-nav a[href='/customers/']")
    page.fill("#id_q", tag)
    page.press("#id_q", "Enter")
    page.click(f"#records a:has-text('{tag}')")
    assert page.url.endswith(f"/customers/{pk}/")

    page.click("#audit-trail-link")
    assert re.search(rf"/audit/\?customer={pk}$", page.url)
    rows = page.locator("#events tbody tr")
    kinds = {row.get_attribute("data-object-type") for row in rows.all()}
    assert {"customers.customer", "customers.contact", "customers.bankaccount"} <= kinds
    assert "documents.document" in kinds
    trail = total(page)
    assert trail >= 4
    violations = axe_violations(page)
    assert not violations, describe(violations)

    # Narrowed by words: the contact's creation, in Chinese.
    search_events(page, action="联系人 创建")
    expect(rows).to_have_count(1)
    assert rows.first.get_attribute("data-action") == "customers.contact.create"

    # By the full name of who did it (the log shows login names).
    with page.expect_navigation():
        page.click("#filter-form a.btn-link")  # reset
    search_events(page, user=manager_name, customer=pk)
    assert total(page) == trail
    users = page.locator("#events tbody tr td:nth-child(3)").all_inner_texts()
    assert users and all("manager1" in u or manager_name in u for u in users)
