"""Customers as their users meet them: create with validation at entry, find by
pinyin initials, edit, a stale edit refused, the lifecycle and the active register,
duplicate credit codes, change requests, who may do what, and the English interface."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page

from kehu.customers.identifiers import USCC_ALPHABET, make_credit_code
from tests.browser.helpers import Server, htmx_swap, record_pk, sign_in_ok, submit

pytestmark = pytest.mark.browser

# Characters with a single reading, and their pinyin initials: a brand no demo customer has.
BRAND_INITIALS = {
    "翡": "f", "翠": "c", "璟": "j", "琨": "k", "珀": "p", "璐": "l", "淼": "m",
    "骁": "x", "珩": "h", "铎": "d", "煜": "y", "祺": "q", "桦": "h", "琛": "c",
}  # fmt: skip
# A tiny but real PDF: change requests accept PDF, PNG and JPEG recognised by their bytes.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


# --- data --------------------------------------------------------------------------------


def new_name() -> tuple[str, str]:
    """("北京华夏<brand>科技有限公司", "bjhx<initials>"): a name only this test uses."""
    brand = "".join(secrets.choice(list(BRAND_INITIALS)) for _ in range(4))
    initials = "bjhx" + "".join(BRAND_INITIALS[c] for c in brand)
    return f"北京华夏{brand}科技有限公司", initials


def new_credit_code() -> str:
    """A valid unified social credit code (GB 32100) no demo customer has."""
    return make_credit_code("91110108" + "".join(secrets.choice(USCC_ALPHABET) for _ in range(9)))


def wrong_check_character(code: str) -> str:
    """The same code with another check character."""
    return code[:17] + next(c for c in "0123456789" if c != code[17])


def new_landline() -> str:
    return f"010-6{secrets.randbelow(10**7):07d}"


def new_mobile() -> str:
    return f"139{secrets.randbelow(10**8):08d}"


# --- pages -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sign_ins() -> dict[str, Any]:
    """Storage states of the demo users signed in so far (each password check costs time)."""
    return {}


@pytest.fixture
def signed_in(
    browser: Browser,
    server: Server,
    new_page: Callable[..., Page],
    sign_ins: dict[str, Any],
) -> Iterator[Callable[[str], Page]]:
    """signed_in("manager1") → a page of a new context signed in as that demo user."""

    def make(username: str) -> Page:
        if username not in sign_ins:
            context = browser.new_context(base_url=server.url)
            try:
                sign_in_ok(context.new_page(), username)
                sign_ins[username] = context.storage_state()
            finally:
                context.close()
        return new_page(storage_state=sign_ins[username])

    yield make


def errors_for(page: Page, field: str) -> list[str]:
    """The messages shown beside a field of the customer form."""
    return [t.strip() for t in page.locator(f"[data-error-for={field}]").all_inner_texts()]


def fill_customer(page: Page, *, name: str, credit_code: str, phone: str) -> None:
    page.select_option("#record-form [name=kind]", "organization")
    page.fill("#record-form [name=name]", name)
    page.fill("#record-form [name=credit_code]", credit_code)
    page.fill("#record-form [name=phone]", phone)


def create_customer(page: Page, *, name: str, credit_code: str, phone: str) -> int:
    """As a signed-in account manager: /customers/add/ → the new card; its number."""
    page.goto("/customers/add/")
    fill_customer(page, name=name, credit_code=credit_code, phone=phone)
    assert submit(page, "#save") == 302, page.locator("[data-error-for]").all_inner_texts()
    return record_pk(page.url)


def listed_names(page: Page) -> list[str]:
    assert page.locator("#row-count").count() == 1, f"not a list: {page.url}"
    return [t.strip() for t in page.locator("#records tbody tr td:first-child").all_inner_texts()]


def list_of(page: Page, text: str, register: str = "active") -> list[str]:
    """The names the customer list shows for a search (in the active register by default)."""
    page.goto(f"/customers/?{urlencode({'q': text, 'register': register})}")
    return listed_names(page)


def search_in_place(page: Page, text: str) -> list[str]:
    """On the list, type into the search box and press Enter: htmx replaces the table."""
    page.fill("#id_q", text)
    with htmx_swap(page):
        page.press("#id_q", "Enter")
    page.wait_for_url(re.compile(r"[?&]q="))
    return listed_names(page)


def card_status(page: Page) -> str | None:
    return page.get_attribute("#customer-status", "data-status")


def completeness(page: Page) -> int:
    match = re.fullmatch(r"(\d+)%", page.inner_text("#completeness-percent").strip())
    assert match, page.inner_text("#completeness-percent")
    return int(match.group(1))


def change_status(page: Page, to_status: str, reason: str) -> None:
    """Take a lifecycle step on the open card, giving the reason."""
    page.fill("#status-form [name=reason]", reason)
    assert submit(page, f"#status-form button[name=to_status][value={to_status}]") == 302
    assert card_status(page) == to_status
    assert reason in page.inner_text("#status-history")


def unread(page: Page) -> int:
    """The number on the notifications bell (no badge: none unread)."""
    assert page.locator("#notifications-link").count() == 1, f"no bell on {page.url}"
    badge = page.locator("#notifications-link #unread-count")
    return int(badge.inner_text()) if badge.count() else 0


# As an approved filing leaves the customer (the filing tests cover the filing itself).
APPROVED_FILING = """
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.customers.services import change_status
customer = Customer.objects.get(pk=%d)
change_status(customer, "in_filing", "备案", User.objects.get(username="manager1"))
change_status(Customer.objects.get(pk=customer.pk), "active", "备案通过",
              User.objects.get(username="gm"))
"""


# --- tests -------------------------------------------------------------------------------


def test_create_find_edit_and_lifecycle_of_a_customer(
    signed_in: Callable[[str], Page], server: Server
) -> None:
    page = signed_in("manager1")
    name, initials = new_name()
    code, phone = new_credit_code(), new_landline()

    # Create: a wrong check character and a phone number that is none are refused.
    page.goto("/customers/")
    with page.expect_navigation():
        page.click("#add-link")
    assert page.url.endswith("/customers/add/")
    fill_customer(page, name=name, credit_code=wrong_check_character(code), phone="12345")
    assert submit(page, "#save") == 400
    assert page.locator("#form-errors").count() == 1
    # Both problems at once (CUS-10), each beside its field; the valid name has none.
    assert len(errors_for(page, "credit_code")) == 1
    assert len(errors_for(page, "phone")) == 1
    assert errors_for(page, "name") == []
    for field in ("credit_code", "phone"):
        assert "is-invalid" in (page.get_attribute(f"#record-form [name={field}]", "class") or "")
    assert page.input_value("#record-form [name=name]") == name  # nothing typed is lost
    other = page.context.new_page()
    assert list_of(other, name, register="all") == []  # nothing was saved

    # Corrected in the same form, it is saved: the card shows it with its completeness.
    page.fill("#record-form [name=credit_code]", code)
    page.fill("#record-form [name=phone]", phone)
    assert submit(page, "#save") == 302
    pk = record_pk(page.url)
    assert name in page.inner_text(".page-title")
    assert card_status(page) == "prospect"
    data = page.inner_text("#customer-data")
    assert code in data and phone in data
    percent = completeness(page)
    assert 0 < percent < 100
    assert page.locator("#completeness [data-missing=registered_address]").count() == 1

    # Found by the pinyin initials of its name.
    page.goto("/customers/")
    found = search_in_place(page, initials)
    assert name in found and len(found) <= 3, found

    # Edit one field: saved, and the completeness rises.
    with page.expect_navigation():
        page.locator(f"#records a[href$='/customers/{pk}/']").click()
    with page.expect_navigation():
        page.click("#edit-link")
    address = f"北京市海淀区中关村大街{secrets.randbelow(900) + 100}号"
    page.fill("#record-form [name=registered_address]", address)
    assert submit(page, "#save") == 302
    assert page.url.endswith(f"/customers/{pk}/")
    assert address in page.inner_text("#customer-data")
    assert page.locator("#completeness [data-missing=registered_address]").count() == 0
    assert completeness(page) > percent

    # Two tabs edit the same customer: the second save is refused, showing what changed.
    page.goto(f"/customers/{pk}/edit/")
    other.goto(f"/customers/{pk}/edit/")
    page.fill("#record-form [name=legal_rep_name]", "王建国")
    assert submit(page, "#save") == 302
    other.fill("#record-form [name=legal_rep_name]", "李志强")
    assert submit(other, "#save") == 409
    changed = other.inner_text("#stale-changes")
    assert "王建国" in changed and "李志强" not in changed
    assert other.input_value("#record-form [name=legal_rep_name]") == "李志强"  # not lost
    page.goto(f"/customers/{pk}/")
    data = page.inner_text("#customer-data")
    assert "王建国" in data and "李志强" not in data

    # Lifecycle: filing steps are not on the card (FIL-6); the customer becomes active through
    # its approved filing (tests/browser/test_filing.py walks that path in the browser) ...
    assert page.locator("#status-form button[value=in_filing]").count() == 0
    server.shell(APPROVED_FILING % pk)
    page.reload()
    assert card_status(page) == "active"
    # ... and is then suspended and reinstated on the card.
    change_status(page, "suspended", "客户暂停合作，待重新评估")
    assert list_of(page, name) == []  # gone from the active register
    with (
        htmx_swap(page),
        page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"),
    ):
        page.select_option("#filter-form [name=register]", "inactive")
    page.wait_for_url(re.compile(r"register=inactive"))
    assert listed_names(page) == [name]

    # Reinstated: back in the active register.
    page.goto(f"/customers/{pk}/")
    change_status(page, "active", "恢复合作")
    assert list_of(page, name) == [name]


def test_a_credit_code_cannot_be_registered_twice(signed_in: Callable[[str], Page]) -> None:
    page = signed_in("manager1")
    page.goto("/customers/?kind=organization")
    with_code = page.locator("td:nth-child(3)", has_text=re.compile(r"^\s*[0-9A-Z]{18}\s*$"))
    row = page.locator("#records tbody tr").filter(has=with_code).first
    existing_name = row.locator("td").nth(0).inner_text().strip()
    existing_code = row.locator("td").nth(2).inner_text().strip()
    existing_pk = record_pk(row.locator("td a").first.get_attribute("href") or "")

    # Typed as people do: lower case, in groups; still the same code.
    typed = " ".join(existing_code[i : i + 6] for i in range(0, 18, 6)).lower()
    name, _initials = new_name()
    page.goto("/customers/add/")
    fill_customer(page, name=name, credit_code=typed, phone=new_landline())
    assert submit(page, "#save") == 400
    error = page.locator("[data-error-for=credit_code]")
    assert error.count() == 1
    link = error.locator(f"a[href$='/customers/{existing_pk}/']")
    assert link.inner_text().strip() == existing_name
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(f"/customers/{existing_pk}/")
    assert existing_code in page.inner_text("#customer-data")
    assert list_of(page, name, register="all") == []  # nothing was saved


def test_a_proposed_correction_is_accepted_by_the_owner(
    signed_in: Callable[[str], Page], tmp_path: Path
) -> None:
    owner = signed_in("manager1")
    name, _initials = new_name()
    old_phone, new_phone = new_landline(), new_mobile()
    pk = create_customer(owner, name=name, credit_code=new_credit_code(), phone=old_phone)
    owner_unread = unread(owner)

    # A colleague of the department proposes a new phone number with the proof.
    colleague = signed_in("manager2")
    colleague.goto(f"/customers/{pk}/")
    colleague_unread = unread(colleague)
    assert colleague.locator("#edit-link").count() == 0  # not theirs to edit
    with colleague.expect_navigation() as navigation:
        colleague.click("#propose-link")
    response = navigation.value
    assert response is not None and response.status == 200, response and response.status
    proof = tmp_path / "营业执照.pdf"
    proof.write_bytes(PDF)
    colleague.fill("#propose-form [name=phone]", new_phone)
    colleague.fill("#propose-form [name=reason]", "营业执照和官网上的电话已变更")
    colleague.set_input_files("#propose-form [name=attachment]", str(proof))
    assert submit(colleague, "#propose-submit") == 302
    request_pk = record_pk(colleague.url)
    assert colleague.get_attribute("#request-status", "data-status") == "pending"
    proposed = colleague.inner_text("#proposed-changes")
    assert old_phone in proposed and new_phone in proposed
    assert colleague.inner_text("#attachment-link").strip() == proof.name
    assert colleague.locator("#decision-form").count() == 0  # not theirs to decide

    # The owner is notified, follows the notification and accepts.
    owner.reload()
    assert unread(owner) == owner_unread + 1
    with owner.expect_navigation():
        owner.click("#notifications-link")
    with owner.expect_navigation():
        owner.locator(f"a[href$='/change-requests/{request_pk}/']").first.click()
    owner.fill("#decision-form [name=decision_note]", "已核对营业执照")
    assert submit(owner, "#decision-form #accept") == 302
    assert owner.get_attribute("#request-status", "data-status") == "accepted"
    assert owner.locator("#decision-form").count() == 0

    owner.goto(f"/customers/{pk}/")
    data = owner.inner_text("#customer-data")
    assert new_phone in data and old_phone not in data
    colleague.reload()
    assert unread(colleague) == colleague_unread + 1  # the proposer hears of the decision


def test_who_may_see_and_change_customers(signed_in: Callable[[str], Page]) -> None:
    auditor = signed_in("auditor")
    response = auditor.goto("/customers/")
    assert response is not None and response.status == 200
    assert auditor.locator("#records tbody tr").count() > 0
    assert auditor.locator("#add-link").count() == 0
    href = auditor.locator("#records tbody tr td a").first.get_attribute("href") or ""
    response = auditor.goto(href)
    assert response is not None and response.status == 200
    assert auditor.locator("#customer-data").count() == 1  # the card, read-only
    assert auditor.locator("#edit-link").count() == 0
    assert auditor.locator("#status-form").count() == 0
    response = auditor.goto(f"{href}edit/")
    assert response is not None and response.status == 403

    archivist = signed_in("archivist")
    response = archivist.goto("/customers/")
    assert response is not None and response.status == 403
    assert archivist.locator("#records").count() == 0


def test_customer_list_in_english(signed_in: Callable[[str], Page]) -> None:
    page = signed_in("manager1")
    page.goto("/customers/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    label = "#filter-form label[for=id_owner]"
    assert page.inner_text(label).strip() != "Account manager"
    with page.expect_navigation():
        page.select_option("#language-form select[name=language]", "en")
    assert page.url.endswith("/customers/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.inner_text(label).strip() == "Account manager"
