"""A customer's contact updates the customer's data on a phone (390×844) through the update
link the account manager shows as a QR code: corrects the address, uploads a renewed licence,
declares their name; the manager accepts the change request and the register and the dossier
are updated and audited. A used, a revoked and an expired link are refused in Chinese, and the
page never shows a masked value in full."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import Server, sign_in_ok, submit, unique

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LEGAL_REP_PHONE = "13812345678"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

SETUP = """
import datetime
from django.core.files.uploadedfile import SimpleUploadedFile
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.tests.factories import credit_code
from kehu.documents.models import DocumentType
from kehu.documents.services import document_upload
owner = User.objects.get(username="manager1")
customer = services.create_customer({
    "kind": "organization", "name": "%(name)s", "owner": owner, "unit": owner.unit,
    "credit_code": credit_code(%(n)d), "registered_address": "北京市海淀区旧地址1号",
    "legal_rep_name": "赵六", "legal_rep_phone": "%(phone)s",
})
services.create_contact({"customer": customer, "name": "王五", "email": "wangwu@example.cn",
                         "is_primary": True})
content = b"%%PDF-1.4\\n1 0 obj\\n<<>>\\nendobj\\ntrailer\\n<<>>\\n%%%%EOF\\n"
document_upload(customer, DocumentType.objects.get(code="business_licence"),
                SimpleUploadedFile("旧执照.pdf", content), owner,
                issued_on=datetime.date(2016, 1, 1), expires_on=datetime.date(2020, 12, 31))
print(customer.pk)
"""

EXPIRED = """
from django.utils import timezone
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.selfservice.models import UpdateLink
from kehu.selfservice.services import link_create, link_path
link, token = link_create(Customer.objects.get(pk=%d), by=User.objects.get(username="manager1"),
                          channel="qr")
UpdateLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
print(link_path(token))
"""

CHECK = """
import json
from kehu.audit.models import AuditEvent
from kehu.customers.models import Customer
from kehu.documents.models import Document
customer = Customer.objects.get(pk=%d)
licence = Document.objects.get(customer=customer, doc_type__code="business_licence")
created = AuditEvent.objects.filter(action="customers.changerequest.create",
                                    extra__customer=customer.pk).latest("pk")
print(json.dumps({"address": customer.registered_address,
                  "expires": licence.expires_on.isoformat(),
                  "versions": licence.versions.count(),
                  "link": created.extra.get("link"),
                  "declared": created.extra.get("declared_name"),
                  "accepted": AuditEvent.objects.filter(
                      action="customers.changerequest.accept").exists()}))
"""


def show_qr_link(page: Page, customer: int) -> str:
    """The owner shows a QR code on the card; the link's address (shown only now)."""
    page.goto(f"/customers/{customer}/")
    page.click("#send-link-qr")
    page.wait_for_selector("#update-link-qr svg")
    url = page.inner_text("#update-link-url").strip()
    assert "/u/" in url
    return url[url.index("/u/") :]


def assert_fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def test_a_contact_updates_on_a_phone_and_the_owner_accepts(
    new_page: Callable[..., Page], server: Server, tmp_path: Path
) -> None:
    name = f"自助更新测试{unique()}有限公司"
    n = int(unique("")[-6:], 16) % 10_000_000
    customer = int(
        server.shell(SETUP % {"name": name, "n": n, "phone": LEGAL_REP_PHONE}).split()[-1]
    )
    owner = new_page()
    sign_in_ok(owner, "manager1")
    link = show_qr_link(owner, customer)

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(link)
    assert phone.inner_text("#customer-name") == name
    assert_fits(phone)
    html = phone.content()
    assert LEGAL_REP_PHONE not in html and "138****5678" in html
    due = phone.locator("[data-doc-type='business_licence']").first
    assert "2020-12-31" in due.inner_text()
    phone.fill("#id_registered_address", "北京市朝阳区新地址8号")
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(PDF)
    phone.set_input_files("#id_file_business_licence", str(licence))
    phone.fill("#id_expires_business_licence", "2036-06-30")
    phone.fill("#id_declared_name", "王五")
    phone.click("#submit-update")
    phone.wait_for_selector("#submitted")
    assert "您的更新已收到" in phone.inner_text("#submitted")
    # The same link again (a reload, a second visit) is refused.
    phone.goto(link)
    assert "该链接已使用" in phone.inner_text("#refusal")

    owner.goto("/change-requests/")
    owner.click(f"text={name}")
    assert "王五（通过更新链接）" in owner.content()
    assert owner.locator("#proof-files").count() == 1
    assert submit(owner, "#accept") == 302
    assert owner.get_attribute("#request-status", "data-status") == "accepted"
    checked = json.loads(server.shell(CHECK % customer).strip().splitlines()[-1])
    assert checked["address"] == "北京市朝阳区新地址8号"
    assert checked["expires"] == "2036-06-30" and checked["versions"] == 2
    assert checked["link"] and checked["declared"] == "王五" and checked["accepted"]


def test_revoked_and_expired_links_are_refused(
    new_page: Callable[..., Page], server: Server
) -> None:
    n = int(unique("")[-6:], 16) % 10_000_000
    name = f"撤销测试{unique()}有限公司"
    customer = int(
        server.shell(SETUP % {"name": name, "n": n, "phone": LEGAL_REP_PHONE}).split()[-1]
    )
    owner = new_page()
    sign_in_ok(owner, "manager1")
    link = show_qr_link(owner, customer)
    owner.goto(f"/customers/{customer}/")
    assert owner.locator("#update-links [data-state='open']").count() == 1
    assert submit(owner, "#update-links button[id^='revoke-link-']") == 302
    assert owner.locator("#update-links [data-state='revoked']").count() == 1
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(link)
    assert "该链接已被撤销" in phone.inner_text("#refusal")
    assert name not in phone.content()
    expired = server.shell(EXPIRED % customer).strip().splitlines()[-1]
    phone.goto(expired)
    assert "该链接已过期" in phone.inner_text("#refusal")
