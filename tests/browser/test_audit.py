"""AUD/SEC-4: what an administrator does is in the audit trail, findable and exportable."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import create_unit, create_user, htmx_swap, new_password, unique

pytestmark = pytest.mark.browser


def filter_events(page: Page, **fields: str) -> None:
    """Fill the audit filter form and submit it (htmx swaps the table, pushes the URL)."""
    for name, value in fields.items():
        page.fill(f"#filter-form [name={name}]", value)
    with (
        htmx_swap(page),
        page.expect_response(
            lambda r: "/audit/" in r.url and r.request.headers.get("hx-request") == "true"
        ),
    ):
        page.click("#filter-form button[type=submit]")
    for name, value in fields.items():
        page.wait_for_url(re.compile(rf"[?&]{name}={re.escape(value)}"))


def event_rows(page: Page) -> list[str]:
    return page.locator("#events tbody tr").all_inner_texts()


def shown_total(page: Page) -> int:
    match = re.search(r"\d+", page.inner_text("#row-count"))
    assert match
    return int(match.group())


def test_created_unit_and_user_are_in_the_audit_trail_and_its_export(
    admin_page: Page, tmp_path: Path
) -> None:
    page = admin_page
    tag = unique("AUD")
    unit_name = f"审计测试部{tag}"
    full_name = f"审计用户{tag}"
    create_unit(page, name=unit_name, code=tag, kind="department", parent="SH")
    create_user(page, username=tag.lower(), full_name=full_name, password=new_password(), unit=tag)

    page.goto("/audit/")
    page.evaluate("window.kehuNoReload = true")
    filter_events(page, object=tag)
    expect(page.locator("#events")).to_contain_text(unit_name)
    expect(page.locator("#events")).to_contain_text(full_name)
    assert page.evaluate("window.kehuNoReload") is True  # the table was swapped in place
    rows = event_rows(page)
    assert shown_total(page) == len(rows) >= 2
    seqs = page.locator("#events tbody tr td:first-child").all_inner_texts()

    # Which of them are the two create events: narrow by action as well (the page may show
    # the action as a label rather than its code).
    for action, name in (("core.orgunit.create", unit_name), ("core.user.create", full_name)):
        filter_events(page, action=action)
        expect(page.locator("#events tbody tr").first).to_contain_text(name)
        expect(page.locator("#events tbody tr")).to_have_count(1)
        assert f"object={tag}" in page.url  # the object filter still applies

    # The export holds the same events (filters kept) and names who exported it.
    page.goto(f"/audit/?object={tag}")
    with page.expect_download() as download:
        page.click("#export-link")
    assert download.value.suggested_filename.endswith(".xlsx")
    path = tmp_path / "audit.xlsx"
    download.value.save_as(path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    sheet = workbook.worksheets[0]
    lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    assert "系统管理员 (admin)" in str(lines[0][0])  # "Exported by <user> at <time>"
    data = lines[2:]  # after the exporter's line and the column headings
    assert sorted(str(row[0]) for row in data) == sorted(seqs)
    flat = ["|".join(str(cell) for cell in row) for row in data]
    assert any(unit_name in line for line in flat), flat
    assert any(full_name in line for line in flat), flat
