"""What the update link's page shows (the customer's non-sensitive data, masked values only
masked, the documents due), the card's panel of links, and a request's proof files."""

from __future__ import annotations

import datetime
from typing import Any, NamedTuple

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.presentation import field_label
from kehu.core import masking, policy
from kehu.customers.card import CardPanel
from kehu.customers.changes import Proof
from kehu.customers.models import ChangeRequest, Customer
from kehu.documents.models import Document, DocumentType
from kehu.documents.selectors import warning_days
from kehu.filing.checklist import items_for
from kehu.filing.models import ItemKind
from kehu.selfservice.models import LinkState, Submission, SubmittedFile, UpdateLink
from kehu.selfservice.services import fields_for, masked_fields


class FieldShown(NamedTuple):
    name: str
    label: str
    value: Any  # the current value (masked for a masked field)
    masked: bool
    kind: str  # "text", "textarea" or "date"


def _value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else value


def page_fields(customer: Customer) -> list[FieldShown]:
    """The fields the contact may correct, with their current values; a masked field's value
    only masked (never in full)."""
    masked = masked_fields(customer)
    shown = []
    for name in fields_for(customer):
        field = Customer._meta.get_field(name)
        current = getattr(customer, name)
        value = masking.masked(customer, name, current) if name in masked and current else current
        kind = "date" if field.get_internal_type() == "DateField" else "text"
        if field.get_internal_type() == "TextField" and name not in masked:
            kind = "textarea"
        shown.append(
            FieldShown(name, str(field_label(Customer, name)), _value(value), name in masked, kind)
        )
    return shown


class DocumentDue(NamedTuple):
    doc_type: DocumentType
    state: str  # "missing", "expired" or "expiring"
    expires_on: datetime.date | None


def documents_due(customer: Customer, today: datetime.date | None = None) -> list[DocumentDue]:
    """The documents the filing checklist asks of this customer that its dossier lacks, and
    the dated ones it holds expired or expiring within the warning window; their types only
    (no file is shown)."""
    today = today or timezone.localdate()
    window = today + datetime.timedelta(days=warning_days())
    held = {
        document.doc_type_id: document.expires_on
        for document in Document.objects.filter(customer=customer, current__isnull=False)
    }
    required = {
        item.doc_type_id
        for item in items_for(customer).filter(item_kind=ItemKind.DOCUMENT)
        if item.doc_type_id
    }
    types = DocumentType.objects.filter(is_active=True, for_contracts=False)
    due = []
    for doc_type in types.filter(pk__in=required | set(held)).order_by("order", "code"):
        if doc_type.pk not in held:
            due.append(DocumentDue(doc_type, "missing", None))
            continue
        expires_on = held[doc_type.pk]
        if expires_on is not None and expires_on < today:
            due.append(DocumentDue(doc_type, "expired", expires_on))
        elif expires_on is not None and expires_on <= window:
            due.append(DocumentDue(doc_type, "expiring", expires_on))
    return due


def upload_types() -> list[DocumentType]:
    """The types a contact may send (the customer's own dossier, not contract items)."""
    return list(
        DocumentType.objects.filter(is_active=True, for_contracts=False).order_by("order", "code")
    )


def links_of(user: Any, customer: Customer) -> list[UpdateLink]:
    rows = policy.rows_of(
        user, UpdateLink.objects.select_related("contact", "created_by"), "customer", customer
    )
    links = list(rows.order_by("-created_at", "-pk")[:20])
    now = timezone.now()
    for link in links:
        link.customer = customer
        link.current_state = link.state(now)  # type: ignore[attr-defined]
    return links


def card_panel(request: Any, customer: Customer) -> CardPanel:
    """The card's panel: the links out for the customer, a form to send one."""
    user = request.user
    probe = UpdateLink(customer=customer)
    if not policy.has_perm(user, "selfservice.updatelink.view", probe):
        return CardPanel({"update_links_visible": False})
    may_send = policy.has_perm(user, "selfservice.updatelink.add", probe)
    contacts = list(customer.contacts.order_by("-is_primary", "name")) if may_send else []
    return CardPanel(
        {
            "update_links_visible": True,
            "update_links": links_of(user, customer),
            "update_link_contacts": contacts,
            "can_send_update_link": may_send,
            "can_revoke_update_link": policy.has_perm(user, "selfservice.updatelink.change", probe),
            "update_link_open": LinkState.OPEN,
        }
    )


def proofs(request: ChangeRequest) -> list[Proof]:
    """Proof provider (kehu.customers.changes): the files sent with a submission."""
    submission = Submission.objects.filter(change_request=request).first()
    if submission is None:
        return []
    rows = SubmittedFile.objects.filter(submission=submission).select_related("doc_type")
    result = []
    for item in rows.order_by("pk"):
        note = []
        if item.expires_on:
            note.append(_("expires on %(date)s") % {"date": item.expires_on.isoformat()})
        if item.filed_as_id:
            note.append(_("filed in the dossier"))
        result.append(
            Proof(
                item.doc_type.name,
                item.original_name,
                reverse("selfservice:proof", args=[item.pk]),
                "，".join(note),
            )
        )
    return result
