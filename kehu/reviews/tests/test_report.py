"""Closing a campaign and its report: per department the figures, what was corrected and
what was found stale, as Excel and as a PDF whose Chinese text can be extracted."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.customers.services import update_customer
from kehu.reviews import services
from kehu.reviews.models import CampaignStatus, ReviewTask
from kehu.reviews.tests.conftest import open_august


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return "".join(page.extract_text() for page in pages).replace("\n", "")


@pytest.mark.django_db
def test_compliance_closes_and_the_report_says_what_changed_and_what_was_stale(
    demo: dict[str, User],
    make_active: Callable[..., Customer],
    client_for: Callable[..., Client],
) -> None:
    unchanged, corrected = make_active("manager1"), make_active("manager1")
    left_open = make_active("manager3")
    campaign = open_august()
    tasks = {t.customer_id: t for t in ReviewTask.objects.filter(campaign=campaign)}
    services.task_confirm(tasks[unchanged.pk], by=demo["manager1"])
    update_customer(corrected, {"city": "天津"}, corrected.version)
    services.task_correct(tasks[corrected.pk], by=demo["manager1"], stale_items="营业执照已过期")

    assert client_for("head_sale").post(f"/reviews/{campaign.pk}/close/").status_code == 403
    compliance = client_for("compliance")
    assert compliance.post(f"/reviews/{campaign.pk}/close/").status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert campaign.closed_by == demo["compliance"]
    closing = AuditEvent.objects.get(action="reviews.reviewcampaign.close")
    assert closing.extra["open_tasks"] == 1

    xlsx = compliance.get(f"/reviews/{campaign.pk}/report.xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    progress, details = book.worksheets
    figures = {row[0]: row[1:] for row in progress.iter_rows(min_row=3, values_only=True)}
    assert figures["销售部"] == (2, 2, 0, 0, 1, 100)
    assert figures["市场部"] == (1, 0, 1, 1, 0, 0)  # open past the 31 August deadline
    lines = {line[1]: line for line in details.iter_rows(min_row=2, values_only=True)}
    assert set(lines) == {corrected.name, left_open.name}  # not the unchanged one
    assert lines[corrected.name][0] == "销售部"
    assert "city" in str(lines[corrected.name][4]) and "天津" in str(lines[corrected.name][4])
    assert lines[corrected.name][5] == "营业执照已过期"
    assert lines[left_open.name][0] == "市场部"

    pdf = compliance.get(f"/reviews/{campaign.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "销售部" in text and "市场部" in text
    assert corrected.name in text and "天津" in text and "营业执照已过期" in text
    assert AuditEvent.objects.filter(action="reviews.reviewcampaign.print").count() == 1
    assert AuditEvent.objects.filter(action="reviews.reviewcampaign.export").count() == 1
    # A department head reads progress but not the closing report.
    assert client_for("head_sale").get(f"/reviews/{campaign.pk}/report.pdf").status_code == 403
