"""The investigation's forms: the site visit with its photos (optimistic locking, closed once
signed), the related-party survey (our customer or a named party, never both), and the
credit investigation report as a PDF only for readers of investigations."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.credit import applications, investigation
from kehu.credit.models import CreditApplication, RelatedParty, SiteVisit
from kehu.credit.tests.test_applications import active, apply  # noqa: F401
from kehu.customers.models import Customer
from kehu.documents import samples

D = Decimal
VISIT = {
    "visited_on": datetime.date(2026, 3, 2),
    "visitors": "王信用、李经理",
    "premises": "自有厂房约5000平方米",
    "staff": "员工约120人",
    "equipment": "数控机床20台",
    "stock": "原材料充足",
    "operations": "生产线满负荷运转",
    "conclusion": "经营正常",
}


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return "".join(page.extract_text() for page in pages).replace("\n", "")


def sign(application: CreditApplication, by: User) -> CreditApplication:
    for key, _label in applications.SECTIONS:
        applications.section_save(application, key, f"{key} 已调查。", by=by)
    return applications.report_sign(
        application, rating="AA", recommended_limit=D("200000"), recommendation="建议授信20万",
        by=by,
    )  # fmt: skip


@pytest.mark.django_db
def test_site_visit_and_photos(
    demo: dict[str, User],
    active: Customer,  # noqa: F811
    client_for: Callable[..., Client],
) -> None:
    credit = demo["credit"]
    application = apply(active, demo["manager1"])
    with pytest.raises(ValidationError) as refused:
        investigation.site_visit_save(application, {**VISIT, "staff": " "}, by=credit)
    assert set(refused.value.message_dict) == {"staff"} and not SiteVisit.objects.exists()
    future = {**VISIT, "visited_on": datetime.date.today() + datetime.timedelta(days=2)}
    with pytest.raises(ValidationError, match="future"):
        investigation.site_visit_save(application, future, by=credit)
    photo = SimpleUploadedFile("厂房.png", samples.png(), content_type="image/png")
    with pytest.raises(ValidationError, match="before adding photos"):
        investigation.site_visit_photo_add(application, photo, by=credit)

    visit = investigation.site_visit_save(application, VISIT, by=credit)
    changed = investigation.site_visit_save(
        application, {**VISIT, "stock": "库存偏高"}, by=credit, expected_version=visit.version
    )
    assert changed.version == visit.version + 1 and changed.stock == "库存偏高"
    with pytest.raises(ValidationError, match="changed this meanwhile"):
        investigation.site_visit_save(application, VISIT, by=credit, expected_version=visit.version)
    assert AuditEvent.objects.filter(action="credit.sitevisit.change").count() == 1

    version = investigation.site_visit_photo_add(application, photo, by=credit)
    assert version.document.doc_type.code == "site_visit_photo"
    assert list(SiteVisit.objects.get().photos.all()) == [version]
    script = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationError):
        investigation.site_visit_photo_add(application, script, by=credit)
    assert SiteVisit.objects.get().photos.count() == 1

    signed = sign(application, credit)
    with pytest.raises(ValidationError, match="signed"):
        investigation.site_visit_save(signed, VISIT, by=credit)

    # A photo is an investigation note: the account manager sees it listed, may not open it.
    download = f"/documents/versions/{version.pk}/download/"
    assert client_for(active.owner.username).get(download).status_code == 403
    assert client_for("credit").get(download).status_code == 200


@pytest.mark.django_db
def test_related_parties(
    demo: dict[str, User],
    active: Customer,  # noqa: F811
    make_customer: Callable[..., Customer],
) -> None:
    credit = demo["credit"]
    application = apply(active, demo["manager1"])
    ours = make_customer()
    elsewhere = make_customer("manager4")  # another department's customer
    add = investigation.related_party_add
    shareholder = add(application, {"relation": "shareholder", "name": "张三", "share": D("60")},
                      by=credit)  # fmt: skip
    guarantor = add(application, {"relation": "guarantor", "customer": ours.pk}, by=credit)
    assert guarantor.party_name == ours.name and shareholder.party_name == "张三"
    for data, field in (
        ({"relation": "guarantor", "customer": ours.pk, "name": "x"}, "name"),
        ({"relation": "affiliate"}, "name"),
        ({"relation": "affiliate", "customer": elsewhere.pk}, "customer"),
        ({"relation": "affiliate", "customer": active.pk}, "customer"),
        ({"relation": "affiliate", "name": "乙公司", "share": D("10")}, "share"),
        ({"relation": "shareholder", "name": "李四", "share": D("120")}, "share"),
        ({"relation": "nope", "name": "乙公司"}, "relation"),
    ):
        with pytest.raises(ValidationError) as refused:
            add(application, data, by=credit)
        assert field in refused.value.message_dict, data
    with pytest.raises(ValidationError, match="already in the survey"):
        add(application, {"relation": "shareholder", "name": "张三"}, by=credit)
    assert RelatedParty.objects.count() == 2
    investigation.related_party_remove(shareholder, by=credit)
    assert list(RelatedParty.objects.all()) == [guarantor]


@pytest.mark.django_db
def test_pages_and_the_report_pdf(
    demo: dict[str, User],
    client_for: Callable[..., Client],
    active: Customer,  # noqa: F811
) -> None:
    application = apply(active, demo["manager1"])
    credit = client_for("credit")
    base = f"/credit/applications/{application.pk}"
    refused = credit.post(f"{base}/site-visit/", {"visitors": "王信用"})
    assert refused.status_code == 400 and not SiteVisit.objects.exists()
    form = {**VISIT, "visited_on": "2026-03-02", "conclusion": "秘密结论"}
    assert credit.post(f"{base}/site-visit/", form).status_code == 302
    stale = credit.post(f"{base}/site-visit/", {**form, "version": "99"})
    assert stale.status_code == 400 and "他人已修改此记录" in stale.content.decode()
    added = credit.post(f"{base}/related-parties/", {"relation": "affiliate", "name": "关联甲公司"})
    assert added.status_code == 302
    page = credit.get(f"{base}/").content.decode()
    assert "秘密结论" in page and "关联甲公司" in page and 'id="report-pdf"' in page

    sign(CreditApplication.objects.get(), demo["credit"])
    report = credit.get(f"{base}/report.pdf")
    assert report.status_code == 200 and report["Content-Type"] == "application/pdf"
    text = pdf_text(report.content)
    assert active.name in text and "秘密结论" in text and "关联甲公司" in text
    assert "AA" in text and "200,000.00" in text
    assert AuditEvent.objects.filter(action="credit.report.print").count() == 1

    # The requesting account manager sees the application, never the notes, by no door.
    manager = client_for("manager1")
    mine = manager.get(f"{base}/").content.decode()
    assert "秘密结论" not in mine and "关联甲公司" not in mine and "report-pdf" not in mine
    assert manager.get(f"{base}/report.pdf").status_code == 403
    assert manager.get(f"{base}/site-visit/").status_code == 403
    assert manager.post(f"{base}/related-parties/", {"relation": "affiliate", "name": "x"}
                        ).status_code == 403  # fmt: skip
    assert client_for("manager4").get(f"{base}/report.pdf").status_code == 404
    assert AuditEvent.objects.filter(action="credit.report.print").count() == 1


@pytest.mark.django_db
def test_application_site_visit_and_problem_pdfs(
    demo: dict[str, User],
    client_for: Callable[..., Client],
    active: Customer,  # noqa: F811
) -> None:
    from kehu.credit import postcredit
    from kehu.workflow import services as workflow

    application = apply(active, demo["manager1"])
    base = f"/credit/applications/{application.pk}"
    manager, credit = client_for("manager1"), client_for("credit")
    form = manager.get(f"{base}/application.pdf")
    assert form.status_code == 200
    text = pdf_text(form.content)
    assert active.name in text and "300,000.00" in text and "新签年度合同" in text
    assert credit.get(f"{base}/site-visit.pdf").status_code == 404  # none recorded yet
    investigation.site_visit_save(application, VISIT, by=demo["credit"])
    visit = credit.get(f"{base}/site-visit.pdf")
    assert visit.status_code == 200 and "数控机床20台" in pdf_text(visit.content)
    assert manager.get(f"{base}/site-visit.pdf").status_code == 403
    assert client_for("manager4").get(f"{base}/application.pdf").status_code == 404

    report = postcredit.problem_report_create(
        active,
        {"kind": "abnormal", "amount": D("1000"), "description": "付款方名称不符",
         "measures": "核实"},
        by=demo["manager1"],
    )  # fmt: skip
    assert report.case is not None
    workflow.complete_step(report.case.steps.get(), by=demo["credit"], outcome="approved")
    printed = manager.get(f"/credit/problems/{report.pk}/report.pdf")
    assert printed.status_code == 200
    text = pdf_text(printed.content)
    assert "收款异样报告表" in text and active.name in text and "付款方名称不符" in text
    assert client_for("manager4").get(f"/credit/problems/{report.pk}/report.pdf").status_code == 404
    assert AuditEvent.objects.filter(action="credit.problem.print").count() == 1
