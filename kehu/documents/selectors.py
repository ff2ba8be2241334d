"""Reads of documents shared by pages, API and jobs; always through the policy."""

from __future__ import annotations

import datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from kehu.core import policy
from kehu.customers.card import CardPanel
from kehu.customers.models import Customer
from kehu.documents.models import Document, DocumentType, DocumentVersion
from kehu.infra.configcache import config_cache


def warning_days() -> int:
    return int(settings.KEHU_EXPIRY_WARNING_DAYS)


def expiry_state(expires_on: datetime.date | None, today: datetime.date | None = None) -> str:
    """ "expired", "expiring" (within the warning window) or "" (valid or no date)."""
    if expires_on is None:
        return ""
    today = today or timezone.localdate()
    if expires_on < today:
        return "expired"
    if expires_on <= today + datetime.timedelta(days=warning_days()):
        return "expiring"
    return ""


def document_rows() -> QuerySet[Document]:
    """Documents with their customer, type and current file, as their pages show them."""
    return Document.objects.select_related(
        "customer", "customer__owner", "doc_type", "current", "current__uploaded_by"
    )


def version_rows() -> QuerySet[DocumentVersion]:
    """Versions with their document, its customer and its type."""
    return DocumentVersion.objects.select_related(
        "document", "document__customer", "document__doc_type"
    )


def visible_documents(user: Any) -> QuerySet[Document]:
    return policy.scope(user, document_rows())


def versions_of(document: Document) -> list[DocumentVersion]:
    return list(document.versions.select_related("uploaded_by", "attested_by").order_by("-number"))


def customer_documents(user: Any, customer: Customer) -> list[Document]:
    # The customer is known: neither its columns nor (when its documents are all visible)
    # the scope's join to it again. The panel shows the current file's name and how many
    # versions there are, not who uploaded it nor the versions themselves.
    documents = policy.rows_of(
        user, Document.objects.select_related("doc_type", "current"), "customer", customer
    )
    versions = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by()
    counted = Subquery(versions.values("document").annotate(n=Count("pk")).values("n"))
    result: list[Document] = list(documents.annotate(version_count=counted))
    for document in result:
        document.customer = customer
        document.expiry_state = expiry_state(document.expires_on)  # type: ignore[attr-defined]
    return result


def card_panel(request: Any, customer: Customer) -> CardPanel:
    return CardPanel(card_context(request, customer))


def card_context(request: Any, customer: Customer) -> dict[str, Any]:
    """The documents panel of the customer card."""
    user = request.user
    if not policy.has_perm(user, "documents.document.view", _probe(customer)):
        return {"documents_visible": False}
    documents = customer_documents(user, customer)
    present = {d.doc_type_id for d in documents}
    return {
        "documents_visible": True,
        "documents": documents,
        "documents_missing": [t for t in active_types() if t.pk not in present],
        "can_upload_documents": can_upload(user, customer),
        "documents_warning_days": warning_days(),
    }


class TypeShown(NamedTuple):
    pk: int
    code: str
    name: str


@config_cache(DocumentType)
def active_types() -> tuple[TypeShown, ...]:
    """The active document types, in their order: the card names those not in the dossier."""
    active = DocumentType.objects.filter(is_active=True, for_contracts=False)
    rows = active.values_list("pk", "code", "name")
    return tuple(TypeShown(*row) for row in rows)


def _probe(customer: Customer) -> Document:
    """An unsaved document of the customer: asks the policy about the customer's dossier."""
    return Document(customer=customer)


def can_upload(user: Any, customer: Customer) -> bool:
    return policy.has_perm(user, "documents.document.add", _probe(customer))


def expiring(user: Any, days: int | None = None) -> QuerySet[Document]:
    """DOC-4: documents expiring within `days` (default: the configured window) and those
    already expired, soonest first."""
    days = warning_days() if days is None else days
    limit = timezone.localdate() + datetime.timedelta(days=days)
    return (
        visible_documents(user)
        .filter(expires_on__isnull=False, expires_on__lte=limit)
        .exclude(customer__merged_into__isnull=False)
        .order_by("expires_on", "pk")
    )


def home_stats(user: Any) -> list[tuple[Any, int, str]]:
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    if not policy.has_perm(user, "documents.document.view"):
        return []
    count = expiring(user).count()
    return [(_("Documents expiring or expired"), count, reverse("documents:expiring"))]
