"""The roster import in the browser, as a records officer does it: from the customer list to
the template, a file with a wrong row, the check's preview and its error report, the file
corrected and checked again, the import confirmed and followed on its job page, the new
customers found in the list."""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Page

from kehu.customers.identifiers import make_credit_code
from tests.browser.helpers import Server, sign_in_ok, unique
from tests.browser.test_customers import search_in_place

pytestmark = pytest.mark.browser

CHINESE = re.compile(r"[\u4e00-\u9fff]")
WRONG_CHECK = "统一社会信用代码的校验码不正确"


def roster_rows(tag: str) -> list[dict[str, str]]:
    """Four new organisations (their codes unused anywhere else)."""
    base = secrets.randbelow(9_000_000) + 1_000_000
    return [
        {
            "客户类型": "企业",
            "客户名称": f"杭州导入{n}号贸易有限公司{tag}",
            "统一社会信用代码": make_credit_code(f"91330106MA{base + n:07d}"),
            "电话": f"0571-8{base % 1_000_000:06d}{n}",
            "省份": "浙江省",
            "城市": "杭州市",
        }
        for n in range(1, 5)
    ]


def spoil(code: str) -> str:
    """The credit code with another check character."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def workbook(headings: list[str], rows: list[dict[str, str]]) -> bytes:
    """The template's heading row (as downloaded, the required ones starred) and `rows`."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headings)
    for row in rows:
        sheet.append([row.get(h.rstrip("*"), "") for h in headings])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def download(page: Page, selector: str) -> Any:
    with page.expect_download() as started:
        page.click(selector)
    return started.value


def upload_and_check(page: Page, path: Path) -> None:
    """On the import page: choose the file, check it, follow the check job to its preview."""
    assert page.input_value("#id_unit"), "the account manager's department is not chosen"
    page.set_input_files("#id_file", str(path))
    page.click("#roster-check")
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    page.wait_for_selector("#job-link", timeout=90_000)
    assert page.get_attribute("#job-progress", "data-state") == "succeeded"
    page.click("#job-link")
    page.wait_for_url(re.compile(r"/customers/import/\d+/$"))


def test_import_a_roster_with_a_wrong_row_then_corrected(
    page: Page, server: Server, tmp_path: Path
) -> None:
    sign_in_ok(page, "manager1")
    page.goto("/customers/")
    page.click("#import-customers")
    page.wait_for_url(re.compile(r"/customers/import/$"))

    template = download(page, "#roster-template")
    assert template.suggested_filename.endswith(".xlsx")
    content = Path(template.path()).read_bytes()
    assert content[:4] == b"PK\x03\x04"
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    headings = [str(c.value) for c in sheet[1] if c.value]
    assert headings[:3] == ["客户类型*", "客户名称*", "统一社会信用代码"]
    assert {"电话", "省份", "城市"} <= set(headings)
    assert all(CHINESE.search(h) for h in headings)

    tag = unique("")[1:]
    rows = roster_rows(tag)
    good_code = rows[2]["统一社会信用代码"]
    rows[2]["统一社会信用代码"] = spoil(good_code)
    first = tmp_path / "客户名单.xlsx"
    first.write_bytes(workbook(headings, rows))
    upload_and_check(page, first)

    assert page.inner_text("#count-new") == "3"
    assert page.inner_text("#count-update") == "0"
    assert page.inner_text("#count-error") == "1"
    bad = page.locator("#preview-rows tr.table-danger")
    assert bad.count() == 1
    cells = [t.strip() for t in bad.locator("td").all_inner_texts()]
    assert cells[:2] == ["4", rows[2]["客户名称"]] and WRONG_CHECK in cells[2]
    shown = page.inner_text("#preview-rows")
    assert all(r["客户名称"] in shown for r in rows)
    assert page.locator("#good-rows").count() == 1  # importing only the good rows is offered

    report = download(page, "#error-report")
    assert report.suggested_filename.endswith(".xlsx")
    report_book = load_workbook(io.BytesIO(Path(report.path()).read_bytes()))
    lines = list(report_book.worksheets[0].iter_rows(values_only=True))
    assert lines[0][:3] == ("错误说明", "行号", "客户类型*")
    marked = [line for line in lines[1:] if line[0]]
    assert len(marked) == 1 and marked[0][1] == 4
    assert marked[0][3] == rows[2]["客户名称"] and WRONG_CHECK in marked[0][0]
    assert len(lines) == 1 + len(rows)  # the good rows are there too, without an error

    # Nothing is saved by the check.
    preview = page.url
    page.goto("/customers/")
    assert search_in_place(page, rows[0]["客户名称"]) == []

    rows[2]["统一社会信用代码"] = good_code
    second = tmp_path / "客户名单（改正）.xlsx"
    second.write_bytes(workbook(headings, rows))
    page.goto(preview)
    page.click("#roster-confirm .card-footer a")  # "上传其他文件"
    page.wait_for_url(re.compile(r"/customers/import/$"))
    upload_and_check(page, second)
    assert page.inner_text("#count-new") == "4"
    assert page.inner_text("#count-error") == "0"
    assert page.locator("#error-report").count() == 0
    assert page.locator("#good-rows").count() == 0

    page.click("#roster-do-import")
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    page.wait_for_selector("#job-progress[data-state=succeeded]", timeout=90_000)
    assert page.inner_text("#job-state") == "已完成"
    assert page.inner_text("#job-count").strip() == "4 / 4"
    assert page.locator("#job-error").count() == 0
    assert page.locator("#job-download").count() == 0  # no error report this time

    page.click("#job-link")
    page.wait_for_url(re.compile(r"/customers/(\?.*)?$"))
    assert search_in_place(page, rows[2]["客户名称"]) == [rows[2]["客户名称"]]
    assert sorted(search_in_place(page, tag)) == sorted(r["客户名称"] for r in rows)
