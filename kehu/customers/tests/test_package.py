"""The dossier package: what it holds, that its index names each file's SHA-256, that masked
values stay masked for whoever may not reveal them, and who may ask for it."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from typing import Any

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from kehu.audit.models import AuditEvent
from kehu.audit.services import record
from kehu.core import storage
from kehu.customers import services
from kehu.customers.models import Customer
from kehu.customers.tests.factories import id_number, org_data
from kehu.documents.models import DocumentType
from kehu.documents.services import document_upload
from kehu.documents.tests.conftest import pdf_bytes
from kehu.generic.jobs import run_job
from kehu.generic.models import UserJob

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

LEGAL_REP_PHONE = "13912345678"
MOBILE = "13887654321"
ACCOUNT = "6222020200112233445"


@pytest.fixture
def customer(demo: Any) -> Customer:
    owner = demo["manager1"]
    found = services.create_customer(
        org_data(
            owner,
            legal_rep_name="王法",
            legal_rep_id_number=id_number(),
            legal_rep_phone=LEGAL_REP_PHONE,
        )
    )
    services.create_contact({"customer": found, "name": "李联", "mobile": MOBILE})
    services.create_bank_account(
        {
            "customer": found,
            "account_name": found.name,
            "bank_name": "工商银行",
            "account_number": ACCOUNT,
        }
    )
    licence = DocumentType.objects.get(code="business_licence")
    for text in ("first licence", "second licence"):
        upload = SimpleUploadedFile("执照.pdf", pdf_bytes(text), content_type="application/pdf")
        document_upload(found, licence, upload, owner)
    rep_id = DocumentType.objects.get(code="legal_rep_id")
    upload = SimpleUploadedFile("id.pdf", pdf_bytes("rep id"), content_type="application/pdf")
    document_upload(found, rep_id, upload, owner)
    return found


def _package(client: Any, customer: Customer, **data: Any) -> tuple[UserJob, zipfile.ZipFile]:
    response = client.post(f"/customers/{customer.pk}/package/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    job = UserJob.objects.filter(kind="customers.package").latest("pk")
    assert response["Location"] == f"/jobs/{job.pk}/"
    run_job(job.pk)
    job.refresh_from_db()
    assert job.state == "succeeded", job.error
    content = b"".join(storage.iter_plain(job.result_file))
    return job, zipfile.ZipFile(io.BytesIO(content))


def _text(archive: zipfile.ZipFile, name: str) -> str:
    content = archive.read(name)
    if name.endswith(".pdf") and not name.startswith("documents/"):
        reader = pypdf.PdfReader(io.BytesIO(content))
        return "".join(page.extract_text() for page in reader.pages)
    if name.endswith(".xlsx"):
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row
        )
    return content.decode("latin-1")


def _all_text(archive: zipfile.ZipFile) -> str:
    return "\n".join(_text(archive, name) for name in archive.namelist())


def test_the_package_holds_card_history_documents_and_an_index(
    client_for: Any, customer: Customer
) -> None:
    record("customers.customer.update", customer, changes={"city": ["", "北京"]})
    job, archive = _package(client_for("head_sale"), customer)
    names = archive.namelist()
    assert {"00-index.pdf", "01-card.pdf", "02-history.xlsx"} <= set(names)
    licences = [n for n in names if n.startswith("documents/business_licence/")]
    assert len(licences) == 1 and licences[0].startswith("documents/business_licence/v2-")
    assert archive.read(licences[0]) == pdf_bytes("second licence")
    # The legal representative's ID copy is CORE: a department head may not open it.
    assert not any(n.startswith("documents/legal_rep_id/") for n in names)
    index = "".join(_text(archive, "00-index.pdf").split())

    for name in names:
        if name != "00-index.pdf":
            assert hashlib.sha256(archive.read(name)).hexdigest() in index, name
    assert "legal_rep_id" in index  # named as left out
    card = _text(archive, "01-card.pdf")
    assert customer.name in card and "李联" in card and "工商银行" in card
    assert "北京" in _text(archive, "02-history.xlsx")
    event = AuditEvent.objects.get(action="customers.customer.package")
    assert event.object_id == str(customer.pk) and event.extra["reveal"] is False
    assert job.summary["files"] == len(names)


def test_all_versions_when_asked(client_for: Any, customer: Customer) -> None:
    _job, archive = _package(client_for("head_sale"), customer, all_versions="on")
    licences = sorted(n for n in archive.namelist() if "business_licence" in n)
    assert [archive.read(n) for n in licences] == [
        pdf_bytes("first licence"),
        pdf_bytes("second licence"),
    ]


def test_masked_values_stay_masked_for_who_may_not_reveal(
    client_for: Any, customer: Customer
) -> None:
    # The general manager exports customers but reveals nothing; asking changes nothing.
    _job, archive = _package(client_for("gm"), customer, reveal="on", reason="想看")
    text = _all_text(archive)
    digits = re.sub(r"\s", "", text)
    for secret in (LEGAL_REP_PHONE, MOBILE, ACCOUNT, customer.legal_rep_id_number):
        assert secret not in digits
    assert "139****5678" in text
    assert not AuditEvent.objects.filter(action__endswith=".reveal").exists()


def test_reveal_when_allowed_and_asked_is_audited(client_for: Any, customer: Customer) -> None:
    client = client_for("head_sale")
    refused = client.post(f"/customers/{customer.pk}/package/", {"reveal": "on"})
    assert refused.status_code == 400 and not UserJob.objects.exists()
    _job, archive = _package(client, customer, reveal="on", reason="尽职调查")
    card = re.sub(r"\s", "", _text(archive, "01-card.pdf"))
    assert LEGAL_REP_PHONE in card and MOBILE in card
    # CORE values need privacy.core.reveal, which a department head does not hold.
    assert ACCOUNT not in card and customer.legal_rep_id_number not in card
    event = AuditEvent.objects.get(action="customers.customer.reveal")
    assert event.extra["via"] == "package" and event.extra["reason"] == "尽职调查"
    assert "legal_rep_phone" in event.extra["fields"]
    assert AuditEvent.objects.filter(action="customers.contact.reveal").exists()


def test_who_may_not_export_is_refused(client_for: Any, customer: Customer, demo: Any) -> None:
    assert client_for("manager1").get(f"/customers/{customer.pk}/package/").status_code == 403
    assert client_for("manager1").post(f"/customers/{customer.pk}/package/").status_code == 403
    assert client_for("manager3").get(f"/customers/{customer.pk}/package/").status_code == 404
    assert not UserJob.objects.exists()


def test_a_job_whose_owner_lost_the_customer_fails_cleanly(
    client_for: Any, customer: Customer, demo: Any
) -> None:
    from kehu.customers.package_job import start_package

    job = start_package(demo["head_sale"], customer, reveal=False, reason="", all_versions=False)
    Customer.objects.filter(pk=customer.pk).update(unit=demo["manager3"].unit)
    run_job(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and job.error and not job.result_file
