"""What a review changed: the audited corrections of the customer, its contacts and its change
requests since the review task was opened, read back from the audit trail (the customer
services record them; the review never writes customer data itself)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from kehu.audit.models import AuditEvent
from kehu.customers.models import ChangeRequest, Contact
from kehu.reviews.models import ReviewTask

CORRECTION_ACTIONS = (
    "customers.customer.update",
    "customers.customer.classify",
    "customers.contact.create",
    "customers.contact.update",
    "customers.contact.delete",
    "customers.changerequest.create",
)


def corrections_since(task: ReviewTask) -> dict[str, list[Any]]:
    """{"field": [before, after]} over every correction since the task opened; a contact's
    fields are named "contact <name>: <field>", a change request's "proposed: <field>"."""
    customer = task.customer
    contacts = {
        str(pk): name
        for pk, name in Contact.objects.filter(customer=customer).values_list("pk", "name")
    }
    requests = [
        str(pk)
        for pk in ChangeRequest.objects.filter(customer=customer).values_list("pk", flat=True)
    ]
    events = AuditEvent.objects.filter(
        Q(object_type="customers.customer", object_id=str(customer.pk))
        | Q(object_type="customers.contact", object_id__in=list(contacts))
        | Q(object_type="customers.changerequest", object_id__in=requests),
        action__in=CORRECTION_ACTIONS,
        occurred_at__gte=task.created_at,
    ).order_by("occurred_at", "pk")
    merged: dict[str, list[Any]] = {}
    for event in events:
        for field, pair in (event.changes or {}).items():
            name = _field_name(event, field, contacts)
            before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
            if name in merged:
                merged[name][1] = after
            else:
                merged[name] = [before, after]
    return {name: pair for name, pair in merged.items() if pair[0] != pair[1]}


def _field_name(event: AuditEvent, field: str, contacts: dict[str, str]) -> str:
    if event.object_type == "customers.contact":
        name = contacts.get(event.object_id) or event.object_repr
        return f"contact {name}: {field}"
    if event.object_type == "customers.changerequest":
        return f"proposed: {field}"
    return field
