"""Documents: refusal rules, versions, encryption, integrity alarms, permissions, expiry,
merge, pages and API."""

from __future__ import annotations

import datetime
import hashlib
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kehu.api.services import create_token
from kehu.audit.models import AuditEvent
from kehu.core.models import Notification, User
from kehu.customers import duplicates
from kehu.customers import services as customer_services
from kehu.customers.identifiers import make_credit_code
from kehu.customers.models import Customer, CustomerKind
from kehu.documents import services
from kehu.documents.models import Document, DocumentType, DocumentVersion
from kehu.documents.tests.conftest import PNG, docx_bytes, pdf_bytes, upload_file
from kehu.infra import uploads
from kehu.ops.reminders import run_reminders

pytestmark = pytest.mark.django_db
_n = itertools.count(1)


def make_customer(owner: User, name: str = "", code: bool = True) -> Customer:
    n = next(_n)
    return customer_services.create_customer(
        {
            "kind": CustomerKind.ORGANIZATION,
            "name": name or f"上海文档测试第{n}有限公司",
            "owner": owner,
            "unit": owner.unit,
            "credit_code": make_credit_code(f"91310105MA{n + 5000:07d}") if code else "",
            "phone": "021-62345678",
        }
    )


def licence() -> DocumentType:
    return DocumentType.objects.get(code="business_licence")


EXPIRY = "documents.expiry"


@pytest.fixture
def customer(demo: dict[str, User]) -> Customer:
    return make_customer(demo["manager1"])


def stored_count(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


# --- upload checks: every refusal leaves nothing behind ------------------------------------

REFUSED = [
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200, "Archives and programs"),
    ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "Archives and programs"),
    ("elf.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "Archives and programs"),
    ("scan.zip", b"PK\x03\x04" + b"\x00" * 100, "Archives and programs"),
    ("licence.pdf", b"\x1f\x8b\x08\x00" + b"\x00" * 100, "Archives and programs"),
    ("licence.pdf", b"Rar!\x1a\x07\x00" + b"\x00" * 100, "Archives and programs"),
    ("licence.pdf", b"7z\xbc\xaf\x27\x1c" + b"\x00" * 100, "Archives and programs"),
    ("licence.pdf", b"just some text pretending to be a PDF", "accepts only"),
    ("licence.pdf", b"GIF89a" + b"\x00" * 100, "accepts only"),
    ("licence.docx", docx_bytes(), "accepts only"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "Archives and programs"),
    ("empty.pdf", b"", "empty"),
]


@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
def test_refused_files_leave_nothing_behind(
    customer: Customer, demo: dict[str, User], files_dir: Path, name: str, content: bytes,
    message: str,
) -> None:  # fmt: skip
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.document_upload(customer, licence(), upload_file(name, content), demo["manager1"])
    assert message in " ".join(error.value.messages)
    assert Document.objects.count() == 0
    assert DocumentVersion.objects.count() == 0
    assert stored_count(files_dir) == 0
    assert AuditEvent.objects.count() == events


def test_size_limit(customer: Customer, demo: dict[str, User], files_dir: Path) -> None:
    with override_settings(KEHU_DOCUMENT_MAX_MB=1):
        big = upload_file("big.pdf", pdf_bytes() + b"0" * (1024 * 1024))
        with pytest.raises(ValidationError, match="larger than 1 MB"):
            services.document_upload(customer, licence(), big, demo["manager1"])
    assert stored_count(files_dir) == 0


def test_office_files_only_where_allowed_and_without_macros(
    customer: Customer, demo: dict[str, User], files_dir: Path
) -> None:
    statement = DocumentType.objects.get(code="financial_statement")
    version = services.document_upload(
        customer, statement, upload_file("报表.docx", docx_bytes()), demo["manager1"]
    )
    assert version.content_type.endswith("wordprocessingml.document")
    with pytest.raises(ValidationError, match="macros"):
        services.document_upload(
            customer, statement, upload_file("m.docx", docx_bytes(macro=True)), demo["manager1"]
        )
    assert DocumentVersion.objects.count() == 1
    assert stored_count(files_dir) == 1


def test_type_is_decided_by_content_not_name(customer: Customer, demo: dict[str, User]) -> None:
    version = services.document_upload(
        customer, licence(), upload_file("looks-like.exe", PNG, "application/x-msdownload"),
        demo["manager1"],
    )  # fmt: skip
    assert version.content_type == "image/png"
    assert version.stored_name.endswith(".png")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\a\\营业执照.pdf", "营业执照.pdf"),
        ("..\\..\\x.pdf", "x.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("a\x00b\nc.pdf", "abc.pdf"),
        ("/", "file"),
    ],
)
def test_path_tricks_in_names_are_harmless(given: str, kept: str) -> None:
    assert uploads.safe_name(given) == kept


def test_stored_name_follows_customer_type_date(demo: dict[str, User], files_dir: Path) -> None:
    tricky = make_customer(demo["manager1"], name="北京/../测试有限公司")
    version = services.document_upload(
        tricky, licence(), upload_file("../../x.pdf", pdf_bytes()), demo["manager1"]
    )
    today = timezone.localdate()
    assert version.stored_name.startswith(f"documents/{today.year}/{tricky.pk}_")
    assert f"营业执照_{today:%Y%m%d}" in version.stored_name
    assert ".." not in version.stored_name
    assert version.original_name == "x.pdf"
    resolved = (files_dir / version.stored_name).resolve()
    assert str(resolved).startswith(str(files_dir.resolve()))


# --- versions, encryption, attestation ------------------------------------------------------


def test_new_upload_supersedes_without_erasing(
    customer: Customer, demo: dict[str, User], files_dir: Path
) -> None:
    first = services.document_upload(
        customer, licence(), upload_file("v1.pdf", pdf_bytes("first")), demo["manager1"],
        issued_on=datetime.date(2020, 1, 1), expires_on=datetime.date(2030, 1, 1),
    )  # fmt: skip
    second = services.document_upload(
        customer, licence(), upload_file("v2.pdf", pdf_bytes("second")), demo["manager1"],
        issued_on=datetime.date(2025, 1, 1), expires_on=datetime.date(2035, 1, 1),
        attested=True,
    )  # fmt: skip
    document = Document.objects.get()
    assert (first.number, second.number) == (1, 2)
    assert document.current == second
    assert document.expires_on == datetime.date(2035, 1, 1)
    assert document.versions.count() == 2
    assert stored_count(files_dir) == 2
    assert second.attested_by == demo["manager1"] and second.attested_at is not None
    assert first.attested_by is None
    for version, text in ((first, b"first"), (second, b"second")):
        blob = (files_dir / version.stored_name).read_bytes()
        assert text not in blob and b"%PDF" not in blob  # encrypted at rest
        assert version.sha256 == hashlib.sha256(pdf_bytes(text.decode())).hexdigest()
    event = AuditEvent.objects.filter(action="documents.document.upload").order_by("seq").last()
    assert event is not None and event.extra["version"] == 2


def test_dates_only_where_the_type_has_them(customer: Customer, demo: dict[str, User]) -> None:
    other = DocumentType.objects.get(code="other")
    version = services.document_upload(
        customer, other, upload_file("x.pdf", pdf_bytes()), demo["manager1"],
        expires_on=datetime.date(2030, 1, 1),
    )  # fmt: skip
    assert version.expires_on is None
    with pytest.raises(ValidationError, match="before the issue date"):
        services.document_upload(
            customer, licence(), upload_file("x.pdf", pdf_bytes()), demo["manager1"],
            issued_on=datetime.date(2030, 1, 1), expires_on=datetime.date(2020, 1, 1),
        )  # fmt: skip


def test_upload_to_a_merged_customer_goes_to_the_survivor(demo: dict[str, User]) -> None:
    keep = make_customer(demo["manager1"])
    gone = make_customer(demo["manager1"], code=False)
    services.document_upload(
        gone, licence(), upload_file("a.pdf", pdf_bytes("a")), demo["manager1"]
    )
    services.document_upload(
        keep, licence(), upload_file("b.pdf", pdf_bytes("b")), demo["manager1"]
    )
    services.document_upload(
        gone, DocumentType.objects.get(code="tax_registration"),
        upload_file("t.pdf", pdf_bytes("t")), demo["manager1"],
    )  # fmt: skip
    duplicates.merge(keep, gone, "same company", demo["head_sale"])
    # The absorbed licence's row stays, emptied, with its history; its version moved.
    emptied = Document.objects.get(customer=gone)
    assert emptied.current is None and not emptied.versions.exists()
    merged = Document.objects.get(customer=keep, doc_type=licence())
    assert sorted(merged.versions.values_list("number", flat=True)) == [1, 2]
    assert Document.objects.filter(customer=keep).count() == 2
    events = AuditEvent.objects.filter(action="documents.document.merge_move")
    assert events.count() == 2
    assert events.get(object_id=str(emptied.pk)).extra["versions"] == {"1": 2}
    gone.refresh_from_db()
    later = services.document_upload(
        gone, licence(), upload_file("c.pdf", pdf_bytes("c")), demo["manager1"]
    )
    assert later.document.customer_id == keep.pk
    assert later.number == 3


# --- integrity -------------------------------------------------------------------------------


def test_verify_raises_an_alarm_after_a_file_is_altered_or_removed(
    customer: Customer, demo: dict[str, User], files_dir: Path
) -> None:
    a = services.document_upload(
        customer, licence(), upload_file("a.pdf", pdf_bytes("a")), demo["manager1"]
    )
    b = services.document_upload(
        customer, licence(), upload_file("b.pdf", pdf_bytes("b")), demo["manager1"]
    )
    call_command("documents", "verify")  # intact: exit 0
    path = files_dir / a.stored_name
    data = bytearray(path.read_bytes())
    data[40] ^= 0x01
    path.write_bytes(bytes(data))
    (files_dir / b.stored_name).unlink()
    with pytest.raises(CommandError, match="2 of 2"):
        call_command("documents", "verify")
    alarm = AuditEvent.objects.filter(action="documents.integrity.alarm").get()
    assert {p["version"] for p in alarm.extra["problems"]} == {a.pk, b.pk}
    assert Notification.objects.filter(user=demo["admin"], title__contains="ALARM").exists()
    assert not Notification.objects.filter(user=demo["manager1"], title__contains="ALARM").exists()
    a.refresh_from_db()
    assert a.check_problem.startswith("altered")


# --- permissions, preview, download ----------------------------------------------------------


def test_download_and_preview_need_permission_and_are_audited(
    customer: Customer, demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    version = services.document_upload(
        customer, licence(), upload_file("证照.png", PNG), demo["manager1"]
    )
    download = f"/documents/versions/{version.pk}/download/"
    preview = f"/documents/versions/{version.pk}/preview/"
    for username in ("manager1", "head_sale", "auditor"):
        response = client_for(username).get(download)
        assert response.status_code == 200, username
        assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
        assert response["Content-Disposition"].startswith("attachment")
    response = client_for("manager1").get(preview)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    for username in ("manager3", "manager4", "finance", "archivist"):
        assert client_for(username).get(download).status_code == 404, username
        assert client_for(username).get(preview).status_code == 404, username
        assert client_for(username).get(f"/documents/{version.document_id}/").status_code == 404
    assert AuditEvent.objects.filter(action="documents.documentversion.download").count() == 3
    assert AuditEvent.objects.filter(action="documents.documentversion.preview").count() == 1


def test_who_may_upload(
    customer: Customer, demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    url = f"/customers/{customer.pk}/documents/upload/"

    def post(username: str) -> Any:
        data = {"doc_type": "business_licence", "file": upload_file("a.pdf", pdf_bytes())}
        return client_for(username).post(url, data)

    assert post("manager2").status_code == 403  # same department, not the owner
    assert post("auditor").status_code == 403  # reads only
    assert post("manager3").status_code == 404  # cannot see the customer
    assert DocumentVersion.objects.count() == 0
    assert post("manager1").status_code == 302  # the owner
    assert post("head_sale").status_code == 302  # the department head
    assert DocumentVersion.objects.count() == 2


def test_upload_page_shows_refusal_and_card_lists_documents(
    customer: Customer, client_for: Callable[[str], Client], files_dir: Path
) -> None:
    client = client_for("manager1")
    url = f"/customers/{customer.pk}/documents/upload/"
    response = client.post(
        url, {"doc_type": "business_licence", "file": upload_file("x.zip", b"PK\x03\x04" * 40)}
    )
    assert response.status_code == 200
    assert "Archives and programs" in response.content.decode() or "压缩" in (
        response.content.decode()
    )
    assert stored_count(files_dir) == 0
    response = client.post(
        url,
        {
            "doc_type": "business_licence",
            "file": upload_file("licence.pdf", pdf_bytes()),
            "expires_on": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    card = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="documents"' in card and "licence.pdf" in card
    page = client.get(response["Location"]).content.decode()
    assert 'id="preview-frame"' in page


# --- expiry ----------------------------------------------------------------------------------


def test_expiring_list_and_daily_notice(
    customer: Customer, demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    today = timezone.localdate()
    soon = services.document_upload(
        customer, licence(), upload_file("a.pdf", pdf_bytes()), demo["manager1"],
        expires_on=today + datetime.timedelta(days=5),
    )  # fmt: skip
    services.document_upload(
        customer, DocumentType.objects.get(code="industry_permit"),
        upload_file("b.pdf", pdf_bytes()), demo["manager1"],
        expires_on=today - datetime.timedelta(days=1),
    )  # fmt: skip
    services.document_upload(
        customer, DocumentType.objects.get(code="iso_certificate"),
        upload_file("c.pdf", pdf_bytes()), demo["manager1"],
        expires_on=today + datetime.timedelta(days=300),
    )  # fmt: skip
    page = client_for("manager1").get("/documents/expiring/")
    rows = page.context["rows"]
    assert [r.doc_type.code for r in rows] == ["industry_permit", "business_licence"]
    assert client_for("manager3").get("/documents/expiring/").context["rows"] == []
    translation.activate("en")  # the pages above switched this thread to the UI's Chinese
    assert run_reminders(kinds=[EXPIRY]) == {EXPIRY: 2}
    assert run_reminders(kinds=[EXPIRY]) == {EXPIRY: 0}  # once per document and stage
    notes = Notification.objects.filter(user=demo["manager1"])
    assert notes.filter(title__startswith="Expired").count() == 1
    # Expired since the first notice: one more notice.
    later = today + datetime.timedelta(days=6)
    assert run_reminders(later, [EXPIRY]) == {EXPIRY: 1}
    assert soon.document.pk in Document.objects.filter(expiry_notified_on=later).values_list(
        "pk", flat=True
    )


# --- API -------------------------------------------------------------------------------------


def api(user: User) -> Client:
    _token, raw = create_token(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_api_upload_list_versions_download(customer: Customer, demo: dict[str, User]) -> None:
    client = api(demo["manager1"])
    url = f"/api/v1/customers/{customer.pk}/documents/"
    response = client.post(
        url,
        {
            "file": upload_file("营业执照.pdf", pdf_bytes()),
            "doc_type": "business_licence",
            "issued_on": "2024-01-01",
            "expires_on": "2034-01-01",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 1 and body["expires_on"] == "2034-01-01"
    response = client.post(
        url, {"file": upload_file("x.zip", b"PK\x03\x04" * 50), "doc_type": "business_licence"}
    )
    assert response.status_code == 400
    assert "file" in response.json()
    listed = client.get(url).json()
    assert [d["doc_type"] for d in listed] == ["business_licence"]
    versions = client.get(f"/api/v1/documents/{listed[0]['id']}/versions/").json()
    assert [v["version"] for v in versions] == [1]
    download = client.get(versions[0]["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes()  # type: ignore[attr-defined]
    outsider = api(demo["manager3"])
    assert outsider.get(url).status_code == 404
    assert outsider.get(versions[0]["download"]).status_code == 404
    assert (
        api(demo["auditor"])
        .post(url, {"file": upload_file("a.pdf", pdf_bytes()), "doc_type": "business_licence"})
        .status_code
        == 403
    )


# --- one mechanism: change-request attachments go through the same storage -------------------


def test_change_request_attachments_are_encrypted_too(
    customer: Customer, demo: dict[str, User], client_for: Callable[[str], Client],
    files_dir: Path,
) -> None:  # fmt: skip
    from kehu.customers import changes

    proof = pdf_bytes("change proof")
    request = changes.change_request_propose(
        customer, demo["manager2"], {"phone": "010-88886666"}, "新号码",
        upload_file("proof.pdf", proof),
    )  # fmt: skip
    blob = (files_dir / str(request.attachment.name)).read_bytes()
    assert b"change proof" not in blob and b"%PDF" not in blob
    response = client_for("manager1").get(f"/change-requests/{request.pk}/file/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == proof  # type: ignore[attr-defined]


def test_large_upload_is_spooled_to_disk_and_streamed(
    customer: Customer, client_for: Callable[[str], Client], files_dir: Path
) -> None:
    """Above FILE_UPLOAD_MAX_MEMORY_SIZE Django hands the view a temporary file; the storage
    encrypts it chunk by chunk and the download streams it back."""
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from kehu.documents import views

    seen: list[type] = []
    original = services.document_upload

    def spy(customer: Customer, doc_type: DocumentType, upload: Any, *args: Any, **kw: Any) -> Any:
        seen.append(type(upload))
        return original(customer, doc_type, upload, *args, **kw)

    content = pdf_bytes() + b"%" + b"x" * (5 * 1024 * 1024)
    client = client_for("manager1")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(views.services, "document_upload", spy)
        response = client.post(
            f"/customers/{customer.pk}/documents/upload/",
            {"doc_type": "business_licence", "file": upload_file("big.pdf", content)},
        )
    assert response.status_code == 302
    assert seen == [TemporaryUploadedFile]
    version = DocumentVersion.objects.get()
    assert version.size == len(content)
    download = client.get(f"/documents/versions/{version.pk}/download/")
    assert download["Content-Length"] == str(len(content))
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == version.sha256  # type: ignore[attr-defined]


def test_the_card_names_the_missing_types_from_cached_settings(
    customer: Customer, client_for: Callable[[str], Client]
) -> None:
    """The active document types are a cached setting (kehu.infra.configcache): the card asks
    no query for them, yet names a type added or retired at once (in this process)."""
    client = client_for("manager1")
    url = f"/customers/{customer.pk}/"

    def missing() -> list[str]:
        return [t.name for t in client.get(url).context["documents_missing"]]

    # The contract dossier's types are the contract checklist's, not the card's.
    shown = DocumentType.objects.filter(is_active=True, for_contracts=False)
    active = list(shown.values_list("name", flat=True))
    assert missing() == active
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert not [q for q in captured if 'FROM "documents_documenttype"' in q["sql"]]
    DocumentType.objects.create(code="tax_certificate", name="完税证明", order=999)
    assert missing() == [*active, "完税证明"]
    DocumentType.objects.filter(code="tax_certificate").update(is_active=False)  # no signal
    licence().save(update_fields=["is_active"])  # a save of any type refreshes the cache
    assert missing() == active
