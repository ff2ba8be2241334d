"""Exports in the browser: filter the customer list and download it as CSV; ask for a
customer's dossier package, watch its job and download the zip."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import Server, htmx_swap, sign_in_ok

pytestmark = pytest.mark.browser

FIND_CUSTOMER = """
from kehu.customers.models import Customer
c = (Customer.objects.filter(unit__code="SALE", merged_into=None, documents__isnull=False)
     .order_by("pk").first())
print(c.pk, c.documents.count())
"""


def test_filter_export_csv_and_download_a_dossier_package(
    page: Page, server: Server, tmp_path: Path
) -> None:
    pk, documents = (int(v) for v in server.shell(FIND_CUSTOMER).split()[-2:])
    sign_in_ok(page, "head_sale")
    page.goto("/customers/")
    with htmx_swap(page):
        page.select_option("#id_status", value="active")
    page.wait_for_url(re.compile("status=active"))
    shown = int(re.findall(r"\d+", page.inner_text("#row-count"))[0])
    assert "status=active" in (page.get_attribute("#export-csv-link", "href") or "")
    with page.expect_download() as download:
        page.click("#export-csv-link")
    assert download.value.suggested_filename.endswith(".csv")
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content[3:].decode())))
    assert len(rows) - 2 == shown and rows[1][0] == "名称"

    page.goto(f"/customers/{pk}/")
    page.click("#package-link")
    page.check("#id_all_versions")
    page.click("#package-submit")
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    page.wait_for_selector("#job-download", timeout=90_000)
    assert page.inner_text("#job-state") == "已完成"
    with page.expect_download() as package:
        page.click("#job-download")
    assert package.value.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(Path(package.value.path()))
    names = archive.namelist()
    assert {"00-index.pdf", "01-card.pdf", "02-history.xlsx"} <= set(names)
    assert documents and any(n.startswith("documents/") for n in names)
