"""Dossier documents in the browser: upload a licence with an expiry date, preview
it, replace it with a new version; the old version stays listed and previewable."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page

from kehu.documents import samples
from tests.browser.helpers import Server, sign_in_ok, submit, wait_until

pytestmark = pytest.mark.browser

FIND_CUSTOMER = """
from kehu.customers.models import Customer
c = (Customer.objects.filter(owner__username="manager1", kind="organization", merged_into=None)
     .exclude(documents__doc_type__code="business_licence").order_by("pk").first())
print(c.pk)
"""


def test_upload_preview_replace_keeps_the_old_version(page: Page, server: Server) -> None:
    pk = int(server.shell(FIND_CUSTOMER).strip().splitlines()[-1])
    sign_in_ok(page, "manager1")
    page.goto(f"/customers/{pk}/")
    page.click("#upload-document")
    page.select_option("#id_doc_type", "business_licence")
    page.set_input_files(
        "#id_file",
        {"name": "营业执照.png", "mimeType": "image/png", "buffer": samples.png(seed=3)},
    )
    expires = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    page.fill("#id_expires_on", expires)
    page.check("#id_attested")
    assert submit(page, "#upload") == 302
    assert "/documents/" in page.url

    # Preview: the image is served by Kehu and shown in the page.
    image = page.locator("#preview-image")
    image.wait_for()
    wait_until(page, "document.querySelector('#preview-image').naturalWidth > 0")
    assert page.locator("#expiry-badge").count() == 1  # expires within the warning window
    assert page.locator("[data-attested]").count() == 1

    # Replace with a new version (a PDF).
    page.click("#new-version")
    assert page.input_value("#id_doc_type") == "business_licence"
    page.set_input_files(
        "#id_file",
        {"name": "营业执照-新.pdf", "mimeType": "application/pdf", "buffer": samples.pdf("v2")},
    )
    later = (datetime.date.today() + datetime.timedelta(days=3650)).isoformat()
    page.fill("#id_expires_on", later)
    assert submit(page, "#upload") == 302

    rows = page.locator("#versions tbody tr")
    assert rows.count() == 2
    assert "营业执照-新.pdf" in page.inner_text("tr[data-version='2']")
    old = page.locator("tr[data-version='1']")
    assert "营业执照.png" in old.inner_text()
    assert old.locator(".download-link").count() == 1
    assert page.locator("#preview-frame").count() == 1  # the current PDF, inline
    assert page.locator("#expiry-badge").count() == 0

    # The old version is still there and previews.
    old.locator(".preview-link").click()
    wait_until(page, "document.querySelector('#preview-image')?.naturalWidth > 0")

    # The card lists the document with its current file.
    page.goto(f"/customers/{pk}/")
    assert "营业执照-新.pdf" in page.inner_text("#documents")


def test_two_permits_each_with_its_own_versions(page: Page, server: Server) -> None:
    """DOC-8: a type that allows several per customer: two permits side by side on the card,
    a new version of one leaves the other as it was."""
    pk = int(server.shell(FIND_CUSTOMER).strip().splitlines()[-1])
    sign_in_ok(page, "manager1")
    for title, number in (("食品经营许可证", "JY-001"), ("排污许可证", "PW-002")):
        page.goto(f"/customers/{pk}/documents/upload/?type=industry_permit")
        page.fill("#id_title", title)
        page.fill("#id_reference", number)
        page.set_input_files(
            "#id_file",
            {"name": f"{title}.pdf", "mimeType": "application/pdf", "buffer": samples.pdf(title)},
        )
        assert submit(page, "#upload") == 302
    assert "排污许可证" in page.inner_text(".page-title")
    page.click("#new-version")
    assert page.input_value("#id_title") == "排污许可证"
    page.set_input_files(
        "#id_file",
        {"name": "排污许可证-换发.pdf", "mimeType": "application/pdf", "buffer": samples.pdf("v2")},
    )
    assert submit(page, "#upload") == 302
    assert page.locator("#versions tbody tr").count() == 2
    page.goto(f"/customers/{pk}/")
    permits = page.locator("#documents tr[data-doc-type='industry_permit']").all_inner_texts()
    assert len(permits) == 2
    assert any("食品经营许可证 · JY-001" in row for row in permits)
    assert any("排污许可证-换发.pdf" in row for row in permits)
