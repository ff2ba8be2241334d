"""Every change to documents: upload (a new version), attestation, moving on merge, the
integrity check and the expiry notices. Validated, one transaction, audited."""

from __future__ import annotations

import datetime
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import storage
from kehu.core.models import Role, User
from kehu.core.notifications import notify
from kehu.customers.duplicates import resolve
from kehu.customers.models import Customer
from kehu.documents.models import Document, DocumentType, DocumentVersion
from kehu.generic.services import audited_update
from kehu.infra.uploads import check_upload, safe_name

log = logging.getLogger(__name__)

_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/tiff": ".tif",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


def _part(text: str, limit: int = 60) -> str:
    """A path part from a name: no separators, no path tricks; Chinese kept."""
    try:
        cleaned = get_valid_filename(text.replace("/", "_").replace("\\", "_"))
    except SuspiciousFileOperation:
        return "x"
    cleaned = re.sub(r"\.{2,}", ".", cleaned)[:limit]
    return cleaned.strip("._") or "x"


def stored_name(customer: Customer, doc_type: DocumentType, content_type: str) -> str:
    """DOC-2: documents/<year>/<customer no.>_<customer name>/
    <customer name>_<document type>_<date><ext> (the storage adds a suffix if taken)."""
    today = timezone.localdate()
    name = _part(customer.name)
    return (
        f"documents/{today.year}/{customer.pk}_{name}/"
        f"{name}_{_part(doc_type.name, 40)}_{today:%Y%m%d}{_EXTENSIONS.get(content_type, '')}"
    )


def _clean_dates(
    doc_type: DocumentType, issued_on: datetime.date | None, expires_on: datetime.date | None
) -> tuple[datetime.date | None, datetime.date | None]:
    if not doc_type.has_dates:
        return None, None
    if issued_on and expires_on and expires_on < issued_on:
        raise ValidationError({"expires_on": [_("The expiry date is before the issue date.")]})
    return issued_on, expires_on


def document_upload(
    customer: Customer,
    doc_type: DocumentType,
    upload: Any,
    by: Any,
    *,
    issued_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
    attested: bool = False,
    note: str = "",
    document: Document | None = None,
    title: str = "",
    reference: str = "",
) -> DocumentVersion:
    """Keep `upload` as the newest version of the customer's document of this type (DOC-3).

    Of a type that allows several per customer (DOC-8), `document` names the one that gets
    the new version; without it a new document is created with `title` and `reference`.

    Checks first; a refused file leaves nothing behind. The encrypted blob is written before
    the database transaction (a long write must not hold the database's write lock) and
    removed again if the transaction fails."""
    customer = resolve(customer)
    if not doc_type.is_active:
        raise ValidationError({"doc_type": [_("This document type is no longer in use.")]})
    issued_on, expires_on = _clean_dates(doc_type, issued_on, expires_on)
    title, reference = (title or "").strip()[:200], (reference or "").strip()[:100]
    _check_target(customer, doc_type, document)
    content_type = check_upload(upload, doc_type.allowed_types())
    original = safe_name(getattr(upload, "name", "") or "")
    upload.seek(0)
    kept = storage.store(stored_name(customer, doc_type, content_type), upload)
    try:
        with transaction.atomic():
            document, created = _target(customer, doc_type, document, title, reference)
            number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            now = timezone.now()
            version = DocumentVersion.objects.create(
                document=document,
                number=number,
                stored_name=kept.name,
                original_name=original,
                size=kept.size,
                content_type=content_type,
                sha256=kept.sha256,
                uploaded_by=by,
                issued_on=issued_on,
                expires_on=expires_on,
                attested_by=by if attested else None,
                attested_at=now if attested else None,
                note=(note or "").strip()[:300],
            )
            previous = document.current_id
            document.current = version
            document.expires_on = expires_on
            document.expiry_notified_on = None
            document.version += 1
            document.save()
            record(
                "documents.document.upload",
                document,
                changes={"current": [previous, version.pk], "expires_on": [None, expires_on]}
                if not created
                else {"expires_on": [None, expires_on]},
                extra={
                    "customer": customer.pk,
                    "doc_type": doc_type.code,
                    "title": document.title,
                    "reference": document.reference,
                    "version": number,
                    "file": original,
                    "size": kept.size,
                    "content_type": content_type,
                    "sha256": kept.sha256,
                    "attested": attested,
                },
            )
    except BaseException:
        storage.delete(kept.name)
        raise
    return version


def _check_target(customer: Customer, doc_type: DocumentType, document: Document | None) -> None:
    if document is None:
        return
    if document.customer_id != customer.pk or document.doc_type_id != doc_type.pk:
        raise ValidationError(
            {"document": [_("This document is not the customer's document of this type.")]}
        )


def _target(
    customer: Customer,
    doc_type: DocumentType,
    document: Document | None,
    title: str,
    reference: str,
) -> tuple[Document, bool]:
    """The document (locked) that receives the new version, and whether it is new: the one
    of its type for a single-instance type; the one named, or a new one, for a type that
    allows several."""
    if document is not None:
        return Document.objects.select_for_update().get(pk=document.pk), False
    if not doc_type.multiple:
        found, created = Document.objects.get_or_create(
            customer=customer, doc_type=doc_type, is_single=True
        )
        return Document.objects.select_for_update().get(pk=found.pk), created
    if not title:
        count = Document.objects.filter(customer=customer, doc_type=doc_type).count()
        title = f"{doc_type.name} {count + 1}"
    if reference and (
        Document.objects.filter(customer=customer, doc_type=doc_type, reference=reference).exists()
    ):
        raise ValidationError(
            {"reference": [_("The customer already has a document of this type with this number.")]}
        )
    new = Document.objects.create(
        customer=customer, doc_type=doc_type, is_single=False, title=title, reference=reference
    )
    return new, True


def document_type_save_several(doc_type: DocumentType, multiple: bool) -> None:
    """Inside the type's audited save: switching a type to "several per customer" frees its
    documents from the one-per-type rule; switching back is refused while a customer holds
    more than one document of the type."""
    if multiple:
        Document.objects.filter(doc_type=doc_type, is_single=True).update(is_single=False)
        return
    crowded = (
        Document.objects.filter(doc_type=doc_type)
        .values("customer")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    if crowded.exists():
        raise ValidationError(
            {
                "multiple": [
                    _(
                        "Some customers hold several documents of this type; it stays a "
                        "type that allows several."
                    )
                ]
            }
        )
    Document.objects.filter(doc_type=doc_type, is_single=False).update(is_single=True)


def document_type_update(
    doc_type: DocumentType, data: dict[str, Any], expected_version: int | None
) -> DocumentType:
    """The administrator's change of a type (the generic edit page and API)."""
    with transaction.atomic():
        updated = audited_update(doc_type, data, expected_version)
        assert isinstance(updated, DocumentType)
        if "multiple" in data:
            document_type_save_several(updated, bool(data["multiple"]))
    return updated


def document_attest(version: DocumentVersion, by: Any) -> DocumentVersion:
    """DOC-5: record that the copy is identical to the original (by whom, when)."""
    with transaction.atomic():
        version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if version.attested_by_id:
            return version
        version.attested_by = by
        version.attested_at = timezone.now()
        version.save(update_fields=["attested_by", "attested_at"])
        record(
            "documents.documentversion.attest",
            version,
            changes={"attested_by": [None, str(by)]},
            extra={"customer": version.document.customer_id},
        )
    return version


def record_access(version: DocumentVersion, action: str) -> None:
    """DOC-7: every download and preview is an audit event."""
    record(
        f"documents.documentversion.{action}",
        version,
        extra={
            "customer": version.document.customer_id,
            "doc_type": version.document.doc_type.code,
            "version": version.number,
            "file": version.original_name,
        },
    )


def on_customer_merged(
    sender: Any, survivor: Customer, absorbed: Customer, **kwargs: Any
) -> dict[str, int]:
    """Receiver of `customers.signals.customer_merged` (connected in DocumentsConfig.ready)."""
    return {"documents": move_on_merge(survivor, absorbed)}


def move_on_merge(keep: Customer, gone: Customer) -> int:
    """Inside the merge's transaction: the absorbed customer's documents go to the
    survivor, each with an audit event (of a type that allows several, side by side);
    where both have a document of a single-instance type, the absorbed one's versions are
    appended (renumbered, the event lists old and new numbers) to the survivor's, newest
    stays current, and the emptied document row stays with the absorbed customer, so its
    history still resolves."""
    moved = 0
    for document in Document.objects.select_for_update().filter(customer=gone).order_by("pk"):
        target = None
        if document.is_single:
            target = Document.objects.filter(
                customer=keep, doc_type=document.doc_type_id, is_single=True
            ).first()
        if target is None:
            document.customer = keep
            document.version += 1
            document.save(update_fields=["customer", "version", "updated_at"])
            record(
                "documents.document.merge_move",
                document,
                changes={"customer": [str(gone), str(keep)]},
                extra={"from_customer": gone.pk, "to_customer": keep.pk},
            )
            moved += 1
            continue
        base = target.versions.aggregate(n=Max("number"))["n"] or 0
        versions = list(document.versions.order_by("number"))
        renumbered = {}
        # Two steps: numbers are unique per document.
        for offset, version in enumerate(versions, start=1):
            DocumentVersion.objects.filter(pk=version.pk).update(
                document=target, number=base + offset
            )
            renumbered[str(version.number)] = base + offset
        newest = target.versions.order_by("-uploaded_at", "-pk").first()
        target.current = newest
        target.expires_on = newest.expires_on if newest else None
        target.version += 1
        target.save(update_fields=["current", "expires_on", "version", "updated_at"])
        document.current = None
        document.expires_on = None
        document.version += 1
        document.save(update_fields=["current", "expires_on", "version", "updated_at"])
        record(
            "documents.document.merge_move",
            document,
            extra={
                "from_customer": gone.pk,
                "to_customer": keep.pk,
                "into_document": target.pk,
                "versions": renumbered,
            },
        )
        moved += 1
    return moved


@dataclass
class VerifyResult:
    checked: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def system_admins() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role_assignments__role=Role.SYSTEM_ADMIN).distinct()
    )


def verify_all() -> VerifyResult:
    """DOC-6: re-read every stored version and compare its SHA-256. Any missing or altered
    file is an alarm: an audit event and a notification to the system administrators."""
    result = VerifyResult()
    versions = DocumentVersion.objects.select_related("document__customer", "document__doc_type")
    for version in versions.order_by("pk").iterator(chunk_size=500):
        problem = storage.check(version.stored_name, version.sha256) or ""
        result.checked += 1
        DocumentVersion.objects.filter(pk=version.pk).update(
            last_checked_at=timezone.now(), check_problem=problem[:200]
        )
        if problem:
            result.problems.append(
                {
                    "version": version.pk,
                    "document": version.document_id,
                    "customer": version.document.customer_id,
                    "stored_name": version.stored_name,
                    "problem": problem,
                }
            )
    if result.problems:
        with transaction.atomic():
            record(
                "documents.integrity.alarm",
                None,
                object_type="documents.documentversion",
                object_repr=_("Document integrity check"),
                extra={"checked": result.checked, "problems": result.problems},
            )
            notify(
                system_admins(),
                _("ALARM: %(count)s stored documents are missing or altered")
                % {"count": len(result.problems)},
                "\n".join(f"{p['stored_name']}: {p['problem']}" for p in result.problems[:50]),
                reverse("documents:integrity"),
            )
        log.error("document integrity: %s problems", len(result.problems))
    else:
        record(
            "documents.integrity.verified",
            None,
            object_type="documents.documentversion",
            object_repr=_("Document integrity check"),
            extra={"checked": result.checked},
        )
    return result


def file_extension(version: DocumentVersion) -> str:
    return _EXTENSIONS.get(version.content_type, os.path.splitext(version.original_name)[1])


def destroy_document(document: Document, *, reason: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Destruction at the end of the retention period (ARC-7, called by the archives inside
    its transaction, after the manager's approval and the hold check): the rows of the
    document and its versions go; what they were is returned for the tombstone, with the
    stored names whose bytes the caller deletes once the transaction has committed."""
    versions = list(document.versions.order_by("number"))
    files = [
        {
            "version": v.number,
            "original_name": v.original_name,
            "sha256": v.sha256,
            "size": v.size,
            "stored_name": v.stored_name,
            "doc_type": document.doc_type.code,
        }
        for v in versions
    ]
    record(
        "documents.document.destroy",
        document,
        extra={"customer": document.customer_id, "reason": reason, "files": files},
    )
    Document.objects.filter(pk=document.pk).update(current=None)
    DocumentVersion.objects.filter(document=document).delete()
    Document.objects.filter(pk=document.pk).delete()
    return files, [v.stored_name for v in versions]
