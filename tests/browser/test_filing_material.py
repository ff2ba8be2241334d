"""Collecting a filing's material without dead ends: each missing checklist item leads to the
page that fulfils it (add a contact, add an account, upload that document type) and back to
the filing; a contact's page leads back to its customer; borrowing a dossier starts from the
customer card or a row of the archive catalogue, with the archive number filled in."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page

from kehu.documents import samples
from tests.browser.helpers import Server, sign_in_ok, submit, unique

pytestmark = pytest.mark.browser

ACTIVE_WITH_DOSSIER = """
from kehu.archives.models import Dossier
d = (Dossier.objects.filter(customer__owner__username="manager1", customer__status="active")
     .exclude(archive_number="").order_by("pk").first())
print(d.customer.name, d.archive_number)
"""


def path_of(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def item_state(page: Page, key: str) -> str:
    return page.get_attribute(f"#checklist [data-item='{key}']", "data-state") or ""


def test_checklist_items_lead_to_their_pages_and_back(page: Page) -> None:
    sign_in_ok(page, "manager1")
    page.click("#main-nav a[href='/customers/']")
    page.click("#new-customer-filing")
    name = f"北京补资料{unique('M')}有限公司"
    page.fill("#id_name", name)
    page.fill("#id_phone", "010-62345679")
    assert submit(page, "#save") == 302
    filing = path_of(page)
    assert re.fullmatch(r"/filings/\d+/", filing)
    assert item_state(page, "field:contacts") == "missing"
    assert item_state(page, "field:bank_accounts") == "missing"

    # A contact: the add-contact form for this customer, then back on the filing.
    page.click("#checklist [data-item='field:contacts'] .fulfil-link")
    assert path_of(page).startswith("/contacts/add/")
    assert page.locator("#id_customer option:checked").inner_text().strip() == name
    page.fill("#id_name", "李文华")
    page.fill("#id_mobile", "13912345678")
    assert submit(page, "#save") == 302
    assert path_of(page) == filing
    assert item_state(page, "field:contacts") == "ok"

    # A settlement account: the account name is the customer's.
    page.click("#checklist [data-item='field:bank_accounts'] .fulfil-link")
    assert path_of(page).startswith("/bank-accounts/add/")
    assert page.input_value("#id_account_name") == name
    page.fill("#id_bank_name", "中国工商银行")
    page.fill("#id_account_number", "6222 0202 0011 2233 445")
    assert submit(page, "#save") == 302
    assert path_of(page) == filing
    assert item_state(page, "field:bank_accounts") == "ok"

    # A document: the upload form with that type chosen.
    missing = page.locator("#checklist [data-item^='doc:'][data-state='missing']").first
    key = missing.get_attribute("data-item") or ""
    missing.locator(".fulfil-link").click()
    assert page.input_value("#id_doc_type") == key.removeprefix("doc:")
    page.set_input_files(
        "#id_file", {"name": "材料.pdf", "mimeType": "application/pdf", "buffer": samples.pdf()}
    )
    if page.locator("#id_expires_on").is_visible():
        later = datetime.date.today() + datetime.timedelta(days=700)
        page.fill("#id_expires_on", later.isoformat())
    if page.locator("#id_attested").count():
        page.check("#id_attested")
    assert submit(page, "#upload") == 302
    assert path_of(page) == filing
    assert item_state(page, key) == "ok"

    # Cancelling a form opened from the checklist comes back too.
    edit = page.locator("#checklist .fulfil-link").first
    if edit.count():
        edit.click()
        page.click("#cancel")
        assert path_of(page) == filing

    # The contact's page leads back to its customer.
    page.click("#customer-link")
    card = path_of(page)
    page.click("#contacts a:has-text('李文华')")
    assert path_of(page).startswith("/contacts/")
    page.click("#parent-link")
    assert path_of(page) == card


def test_borrowing_starts_from_the_card_or_the_catalogue(page: Page, server: Server) -> None:
    customer, number = server.shell(ACTIVE_WITH_DOSSIER).strip().splitlines()[-1].rsplit(" ", 1)
    sign_in_ok(page, "head_sale")  # reads the department's customers and its catalogue
    page.click("#main-nav a[href='/customers/']")
    page.fill("#id_q", customer)
    page.press("#id_q", "Enter")
    page.click(f"#records a:text-is('{customer}')")
    page.click("#card-borrow")
    assert path_of(page).startswith("/archives/loans/request/")
    assert page.input_value("#id_archive_number") == number
    page.fill("#id_purpose", "核对合同原件")
    assert submit(page, "#send-request") == 302
    assert re.fullmatch(r"/archives/loans/\d+/", path_of(page))

    # The catalogue: each numbered dossier's row has its Borrow button.
    page.click("#main-nav a[href='/dossiers/']")
    row = page.locator("#records tbody tr", has=page.locator(".row-action")).first
    row_number = row.locator("td").nth(1).inner_text().strip()
    row.locator(".row-action").click()
    assert page.input_value("#id_archive_number") == row_number
