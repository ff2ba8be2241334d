"""ARC-7: retention from the category, cutoff at the end of the year the relationship ended,
holds that block disposition, the list of what is due, destruction approved by the manager,
the register (printable) and tombstones; the stored bytes really go."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from kehu.archives import retention, services
from kehu.archives.models import ArchiveCategory, Destruction, Dossier, DossierItem, Tombstone
from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.customers.services import change_status
from kehu.documents import samples
from kehu.documents import services as documents
from kehu.documents.models import Document, DocumentType, DocumentVersion
from kehu.workflow import services as workflow
from kehu.workflow.models import Step
from tests.record_type_samples import accepted_for_filing


def stored_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture
def ended(demo: dict[str, User], make_active: Callable[..., Customer]) -> Dossier:
    """A dossier whose relationship ended eleven years ago, with a licence (basic, kept
    permanently) and a complaint file with an electronic document (kept ten years)."""
    customer = make_active()
    licence_type = DocumentType.objects.get(code="business_licence")
    other_type = DocumentType.objects.get(code="other")
    licence = documents.document_upload(
        customer,
        licence_type,
        SimpleUploadedFile("licence.pdf", samples.pdf("L")),
        demo["manager1"],
    )
    complaint = documents.document_upload(
        customer,
        other_type,
        SimpleUploadedFile("complaint.png", samples.png(seed=1)),
        demo["manager1"],
    )
    documents.document_upload(
        customer, other_type, SimpleUploadedFile("c2.png", samples.png(seed=2)), demo["manager1"]
    )
    dossier = accepted_for_filing(Dossier.objects.get(customer=customer))
    services.file_item(
        {
            "dossier": dossier,
            "category": ArchiveCategory.objects.get(code="basic"),
            "title": "营业执照",
            "document": licence.document,
        }
    )
    services.file_item(
        {
            "dossier": dossier,
            "category": ArchiveCategory.objects.get(code="complaints"),
            "title": "投诉处理记录",
            "document": complaint.document,
        }
    )
    change_status(customer, "past", "停止合作", demo["manager1"])
    Dossier.objects.filter(pk=dossier.pk).update(closed_on=datetime.date(2014, 6, 30))
    dossier.refresh_from_db()
    return dossier


@pytest.mark.django_db
def test_due_dates_follow_category_and_cutoff(ended: Dossier) -> None:
    basic, complaint = ended.items.order_by("category__order")
    assert retention.cutoff(ended) == datetime.date(2014, 12, 31)
    assert retention.due_date(basic) is None  # permanent
    assert retention.due_date(complaint) == datetime.date(2024, 12, 31)
    due = retention.due_items(Dossier.objects.all(), datetime.date(2025, 1, 1))
    assert [r["item"] for r in due] == [complaint]
    assert retention.due_items(Dossier.objects.all(), datetime.date(2024, 12, 30)) == []


@pytest.mark.django_db
def test_holds_block_until_the_last_is_lifted(demo: dict[str, User], ended: Dossier) -> None:
    complaint = ended.items.get(category__code="complaints")
    first = retention.place_hold(
        ended, name="诉讼保全", reason="(2026)京0105民初1号", by=demo["gm"]
    )
    second = retention.place_hold(ended, name="审计", reason="年度审计", by=demo["archivist"])
    with pytest.raises(ValidationError):
        retention.destruction_propose(
            [complaint], reason="到期", method="deletion", by=demo["archivist"]
        )
    retention.lift_hold(first, reason="结案", by=demo["gm"])
    with pytest.raises(ValidationError):
        retention.destruction_propose(
            [complaint], reason="到期", method="deletion", by=demo["archivist"]
        )
    retention.lift_hold(second, reason="审计结束", by=demo["archivist"])
    entry = retention.destruction_propose(
        [complaint], reason="到期", method="deletion", by=demo["archivist"]
    )
    assert entry.status == "proposed"
    # A hold placed after the approval still stops the execution.
    retention.destruction_decide(entry, approved=True, by=demo["gm"])
    retention.place_hold(ended, name="调查", reason="监管调查", by=demo["gm"])
    with pytest.raises(ValidationError):
        retention.destruction_execute(
            entry, by=demo["archivist"], witnesses=[demo["finance"], demo["credit"]]
        )
    assert AuditEvent.objects.filter(action="archives.hold.place").count() == 3


@pytest.mark.django_db
def test_destruction_removes_the_bytes_and_keeps_tombstone_and_register(
    demo: dict[str, User],
    ended: Dossier,
    files_dir: Path,
    client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    complaint = ended.items.get(category__code="complaints")
    document = complaint.document
    assert document is not None
    names = list(document.versions.values_list("stored_name", flat=True))
    assert len(names) == 2
    before = len(stored_files(files_dir))
    archivist = client_for("archivist")
    page = archivist.get("/archives/disposition/")
    assert page.status_code == 200 and complaint.reference_code in page.content.decode()
    response = archivist.post(
        "/archives/disposition/",
        {"items": [complaint.pk], "reason": "保管期满", "method": "deletion"},
    )
    assert response.status_code == 302
    entry = Destruction.objects.get()
    # A workflow case: the general manager approves, nobody else.
    step = Step.objects.get(case_id=entry.case_id or 0, key="approve", status="open")
    assert step.assignee_role == "general_manager"
    with pytest.raises(PermissionDenied):
        workflow.complete_step(step, by=demo["archivist"], outcome="approved")
    early = {"witnesses": [demo["finance"].pk, demo["credit"].pk], "executed_on": "2026-11-20"}
    assert archivist.post(f"/archives/destructions/{entry.pk}/", early).status_code == 400
    workflow.complete_step(step, by=demo["gm"], outcome="approved")
    entry.refresh_from_db()
    assert (entry.status, entry.approved_by) == ("approved", demo["gm"])
    too_few = archivist.post(
        f"/archives/destructions/{entry.pk}/",
        {"witnesses": [demo["finance"].pk], "executed_on": "2026-11-20"},
    )
    assert too_few.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        done = archivist.post(
            f"/archives/destructions/{entry.pk}/",
            {"witnesses": [demo["finance"].pk, demo["credit"].pk], "executed_on": "2026-11-20"},
        )
    assert done.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "executed" and entry.executor == demo["archivist"]
    assert {w.username for w in entry.witnesses.all()} == {"finance", "credit"}
    # The bytes are gone; the rows of the document too; the tombstone says what it was.
    assert len(stored_files(files_dir)) == before - 2
    assert not DocumentVersion.objects.filter(stored_name__in=names).exists()
    assert not Document.objects.filter(pk=document.pk).exists()
    tombstone = Tombstone.objects.get(item=complaint)
    assert tombstone.destruction == entry
    assert {f["stored_name"] for f in tombstone.files} == set(names)
    complaint.refresh_from_db()
    assert complaint.destroyed_at is not None and complaint.reference_code
    # The licence (permanent) stays untouched.
    assert ended.items.get(category__code="basic").document is not None
    # The printable register.
    pdf = archivist.get(f"/archives/destructions/{entry.pk}/register.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    text = text.replace("\n", "")
    assert entry.number in text and complaint.reference_code in text and "孙丽" in text
    assert AuditEvent.objects.filter(action="archives.destruction.execute").exists()
    assert AuditEvent.objects.filter(action="documents.document.destroy").exists()


@pytest.mark.django_db
def test_only_due_items_are_proposed(demo: dict[str, User], ended: Dossier) -> None:
    basic = ended.items.get(category__code="basic")
    with pytest.raises(ValidationError):
        retention.destruction_propose([basic], reason="x", method="shredding", by=demo["archivist"])
    assert not DossierItem.objects.filter(destroyed_at__isnull=False).exists()
