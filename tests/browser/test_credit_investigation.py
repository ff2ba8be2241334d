"""The credit investigation in the browser: the account manager applies for credit, the credit
manager records the site visit with a photo, surveys a related party, writes the report's
sections and signs it off; the report PDF names the customer, the rating and the limit, and
the account manager gets neither the notes nor the PDF."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from kehu.documents import samples
from tests.browser.helpers import Server, sign_in_ok, submit
from tests.browser.test_credit import ACTIVE_CUSTOMER, pdf_text

pytestmark = pytest.mark.browser

SECTION_KEYS = """
from kehu.credit.applications import SECTIONS
print(" ".join(key for key, _label in SECTIONS))
"""


def test_investigation_report(new_page: Callable[..., Page], server: Server) -> None:
    pk, name = server.shell(ACTIVE_CUSTOMER).strip().splitlines()[-1].split(maxsplit=1)
    keys = server.shell(SECTION_KEYS).strip().splitlines()[-1].split()

    manager = new_page()
    sign_in_ok(manager, "manager1")
    manager.goto(f"/credit/customers/{pk}/")
    manager.click("#apply-credit")
    manager.fill("#id_requested_limit", "50万")
    manager.fill("#id_payment_days", "60")
    manager.fill("#id_reason", "新签年度合同")
    assert submit(manager, "#submit-application") == 302
    application_url = re.sub(r"^https?://[^/]+", "", manager.url)
    assert re.fullmatch(r"/credit/applications/\d+/", application_url)

    credit = new_page()
    sign_in_ok(credit, "credit")
    credit.goto(application_url)
    credit.click("#edit-site-visit")
    credit.fill("#id_visitors", "王信用")
    assert submit(credit, "#save-site-visit") == 400  # the date and what was seen are missing
    assert "请填写现场所见情况" in credit.inner_text("#site-visit-form")
    credit.fill("#id_visited_on", "2026-03-02")
    for field, text in (("premises", "自有厂房"), ("staff", "员工约120人"),
                        ("equipment", "数控机床20台"), ("stock", "原材料充足"),
                        ("operations", "生产线满负荷")):  # fmt: skip
        credit.fill(f"#id_{field}", text)
    credit.fill("#id_conclusion", "现场秘密结论")
    assert submit(credit, "#save-site-visit") == 302
    assert "现场秘密结论" in credit.inner_text("#site-visit")
    credit.set_input_files(
        "#photo-form input[name=photo]",
        {"name": "厂房.png", "mimeType": "image/png", "buffer": samples.png()},
    )
    assert submit(credit, "#add-photo") == 302
    assert credit.locator("#visit-photos [data-photo]").count() == 1

    credit.select_option("#id_relation", "guarantor")
    credit.fill("#id_name", "担保人甲公司")
    assert submit(credit, "#add-party") == 302
    assert "担保人甲公司" in credit.inner_text("#related-parties")

    for key in keys:
        credit.fill(f"#section-{key} textarea[name=text]", f"{key} 调查情况。")
        assert submit(credit, f"button[data-save='{key}']") == 302
    credit.select_option("#id_rating", "AA")
    credit.fill("#id_recommended_limit", "40万")
    credit.fill("#id_recommendation", "建议授信40万元")
    assert submit(credit, "#sign-report") == 302
    assert credit.inner_text("#report-rating").strip() == "AA"

    report = credit.request.get(f"{application_url}report.pdf")
    assert report.status == 200 and report.headers["content-type"] == "application/pdf"
    text = pdf_text(report.body()).replace("\n", "")
    assert name in text and "AA" in text and "400,000.00" in text
    assert "现场秘密结论" in text and "担保人甲公司" in text

    manager.goto(application_url)
    assert manager.locator("#report-hidden").count() == 1
    assert manager.locator("#report-pdf").count() == 0
    assert "现场秘密结论" not in manager.content()
    assert manager.request.get(f"{application_url}report.pdf").status == 403
