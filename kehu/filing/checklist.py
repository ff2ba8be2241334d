"""The filing checklist (FIL-1): which data fields and documents a customer of this kind and
industry must have, and which of them are still missing or expired in the dossier."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.customers.models import Customer
from kehu.documents.models import Document
from kehu.filing.models import ChecklistItem, Filing, ItemCondition, ItemKind

OK, MISSING, EXPIRED = "ok", "missing", "expired"


@dataclass(frozen=True)
class Entry:
    key: str  # "field:credit_code", "doc:business_licence"
    label: str
    kind: str  # ItemKind
    state: str  # OK, MISSING or EXPIRED
    note: str = ""
    detail: str = ""  # e.g. the document's expiry date
    document_id: int | None = None

    @property
    def present(self) -> bool:
        return self.state == OK


def items_for(customer: Customer) -> QuerySet[ChecklistItem]:
    """The active items that apply to the customer's kind and industry."""
    return (
        ChecklistItem.objects.filter(is_active=True)
        .filter(Q(customer_kind="") | Q(customer_kind=customer.kind))
        .filter(Q(industry="") | Q(industry=customer.industry or "-"))
        .select_related("doc_type")
    )


def _field_present(customer: Customer, name: str) -> bool:
    if name == "contacts":
        return customer.contacts.exists()
    if name == "bank_accounts":
        return customer.bank_accounts.exists()
    value = getattr(customer, name, None)
    return value not in (None, "")


def _better(kept: Document | None, other: Document, today: datetime.date) -> Document:
    """Of two documents of one type (a type that allows several, DOC-8), the one that
    answers the item: a valid one before an expired one; among valid ones the one without
    an expiry date or valid longest; among expired ones the latest to expire."""
    if kept is None:
        return other

    def rank(document: Document) -> tuple[bool, datetime.date]:
        until = document.expires_on
        return (until is None or until >= today, until or datetime.date.max)

    return other if rank(other) > rank(kept) else kept


def applies(item: ChecklistItem, filing: Filing | None) -> bool:
    """An item required on a condition: the power of attorney only when the filing names a
    signatory other than the legal representative."""
    if item.condition == ItemCondition.AGENT_SIGNS:
        return filing is not None and not filing.signatory_is_legal_rep
    return True


def evaluate(
    customer: Customer, today: datetime.date | None = None, filing: Filing | None = None
) -> list[Entry]:
    """Each applicable item once (the first by order), with its state in the dossier; the
    items on a condition as `filing` (the one under way) decides."""
    today = today or timezone.localdate()
    documents: dict[int, Document] = {}
    for found in Document.objects.filter(customer=customer, current__isnull=False):
        documents[found.doc_type_id] = _better(documents.get(found.doc_type_id), found, today)
    entries: list[Entry] = []
    seen: set[str] = set()
    for item in items_for(customer):
        if item.key in seen or not applies(item, filing):
            continue
        seen.add(item.key)
        if item.item_kind == ItemKind.FIELD:
            state = OK if _field_present(customer, item.field_name) else MISSING
            entries.append(Entry(item.key, item.name, item.item_kind, state, item.note))
            continue
        document = documents.get(item.doc_type_id or 0)
        if document is None:
            entries.append(Entry(item.key, item.name, item.item_kind, MISSING, item.note))
        elif document.expires_on and document.expires_on < today:
            detail = _("expired on %(date)s") % {"date": document.expires_on.isoformat()}
            entries.append(
                Entry(item.key, item.name, item.item_kind, EXPIRED, item.note, detail, document.pk)
            )
        else:
            detail = document.expires_on.isoformat() if document.expires_on else ""
            entries.append(
                Entry(item.key, item.name, item.item_kind, OK, item.note, detail, document.pk)
            )
    return entries


def missing(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if not e.present]


def is_complete(customer: Customer) -> bool:
    return not missing(evaluate(customer))
