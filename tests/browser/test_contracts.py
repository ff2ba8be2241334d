"""Contracts in the browser: an account manager opens a transaction project and a contract
from his customer's card, signs it and files its dossier items; the contract officer
confirms the hand-over, the archive room confirms its own and the items land in the
customer's archive dossier; the department head finds the contract in the ledger and
downloads his department's statistics; the contract officer generates the semi-annual
statistics and the annual credit-management analysis report and downloads them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from kehu.documents import samples
from tests.browser.helpers import Server, field_errors, sign_in_ok, submit

pytestmark = pytest.mark.browser

OWN_ACTIVE_CUSTOMER = """
from kehu.customers.models import Customer
c = (Customer.objects.filter(owner__username="manager1", status="active")
     .order_by("-pk").first())
print(c.pk)
"""


def _handover(page: Page, stage: str) -> str | None:
    return page.get_attribute(f"#contract-handovers tr[data-stage='{stage}']", "data-status")


def _path(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def test_project_contract_items_handovers_ledger_and_report(
    new_page: Callable[..., Page], server: Server, tmp_path: Path
) -> None:
    customer = server.shell(OWN_ACTIVE_CUSTOMER).strip().splitlines()[-1]
    scan = tmp_path / "合同正本.pdf"
    scan.write_bytes(samples.pdf("contract original"))

    manager = new_page()
    sign_in_ok(manager, "manager1")
    manager.goto(f"/customers/{customer}/")
    manager.click("#card-add-project")
    manager.fill("#id_name", "浏览器测试交易项目")
    manager.fill("#id_starts_on", "2026-01-01")
    assert submit(manager, "#save") == 302

    manager.goto(f"/customers/{customer}/")
    assert "浏览器测试交易项目" in manager.inner_text("#contracts-panel")
    manager.click("#card-add-contract")
    manager.fill("#id_title", "浏览器测试供货合同")
    manager.select_option("#id_contract_type", "sales")
    manager.select_option("#id_project", label="浏览器测试交易项目")
    manager.fill("#id_signing_unit", "北京华夏贸易有限公司")
    manager.fill("#id_signatory", "周总")
    manager.fill("#id_amount", "88000.123")
    manager.fill("#id_effective_on", "2026-02-01")
    manager.fill("#id_ends_on", "2026-01-01")
    assert submit(manager, "#save") == 400  # errors beside the fields
    assert any("小数" in text for text in field_errors(manager, "id_amount"))
    assert any("结束日期" in text for text in field_errors(manager, "id_ends_on"))
    manager.fill("#id_amount", "88000.00")
    manager.fill("#id_ends_on", "2027-01-31")
    assert submit(manager, "#save") == 302
    contract_url = _path(manager)
    assert re.fullmatch(r"/contracts/\d+/", contract_url)
    number = manager.title()

    manager.select_option("#id_status", "signed")
    assert submit(manager, "#change-status") == 302
    assert (
        manager.get_attribute("#contract-handovers tr[data-stage='officer']", "data-status")
        == "open"
    )
    manager.select_option("#attach-form select[name=doc_type]", "contract_original")
    manager.set_input_files("#attach-form input[type=file]", str(scan))
    assert submit(manager, "#attach-item") == 302
    assert manager.get_attribute("tr[data-item='contract_original']", "data-state") == "ok"

    officer = new_page()
    sign_in_ok(officer, "credit")
    officer.goto(contract_url)
    officer.check("#receipt-items input[value='contract_original']")
    assert submit(officer, "#confirm-receipt") == 302
    assert (
        officer.get_attribute("#contract-handovers tr[data-stage='officer']", "data-status")
        == "received"
    )

    archivist = new_page()
    sign_in_ok(archivist, "archivist")
    archivist.goto(contract_url)
    archivist.check("#receipt-items input[value='contract_original']")
    assert submit(archivist, "#confirm-receipt") == 302
    assert _handover(archivist, "archive_room") == "received"
    archivist.goto("/archive-items/?q=" + number.split()[0])
    assert "合同正本" in archivist.content()

    head = new_page()
    sign_in_ok(head, "head_sale")
    head.goto("/contracts/?q=浏览器测试供货合同")
    assert "浏览器测试供货合同" in head.content()
    head.click("#department-statistics-link")
    head.fill("#id_year", "2026")
    head.select_option("#id_half", "0")
    head.click("#show-departments")
    head.wait_for_selector("#departments-table")
    units = head.locator("#departments-table tbody td:first-child").all_inner_texts()
    assert "销售部 (SALE)" in units and not any("MKT" in unit for unit in units)
    with head.expect_download() as table:
        head.click("#departments-xlsx")
    assert Path(table.value.path()).read_bytes()[:2] == b"PK"

    officer.goto("/contracts/statistics/")
    officer.fill("#id_year", "2026")
    officer.select_option("#id_half", "1")
    assert submit(officer, "#generate") == 302
    with officer.expect_download() as download:
        officer.locator(".report-xlsx").first.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with officer.expect_download() as pdf_download:
        officer.locator(".report-pdf").first.click()
    assert Path(pdf_download.value.path()).read_bytes()[:5] == b"%PDF-"

    officer.fill("#id_annual_year", "2026")
    assert submit(officer, "#generate-annual") == 302
    with officer.expect_download() as annual:
        officer.locator("#annual-reports .report-pdf").first.click()
    assert annual.value.suggested_filename.startswith("credit-report-2026")
    assert Path(annual.value.path()).read_bytes()[:5] == b"%PDF-"
