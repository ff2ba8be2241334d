"""The customers app's own parts of the dossier package: the card's basic data, contacts,
bank accounts, classifications and status changes, and the history of the customer and its
contacts and accounts (an Excel file of their audit events, masked as the audit page shows
them)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from kehu.audit.models import AuditEvent
from kehu.audit.presentation import describe
from kehu.core import policy
from kehu.customers.models import BankAccount, Contact, Customer
from kehu.customers.package import Package
from kehu.generic.export import write_xlsx

BASIC = (
    "kind",
    "status",
    "credit_code",
    "org_code",
    "id_number",
    "gender",
    "birth_date",
    "nature",
    "industry",
    "legal_rep_name",
    "legal_rep_title",
    "legal_rep_id_number",
    "legal_rep_phone",
    "chairman",
    "general_manager",
    "registered_address",
    "operating_address",
    "founded_on",
    "registered_capital",
    "capital_currency",
    "business_scope",
    "operating_term_until",
    "licence_valid_until",
    "issuing_authority",
    "certifications",
    "occupation",
    "employer",
    "phone",
    "email",
    "address",
    "province",
    "city",
    "products",
    "cooperation_since",
    "contract_numbers",
    "note",
    "completeness",
    "last_verified_at",
)
CONTACT = ("name", "title", "department", "role", "mobile", "office_phone", "email", "influence")
ACCOUNT = ("account_name", "bank_name", "branch", "account_number", "is_primary")


def _label(model: Any, name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _present(names: tuple[str, ...]) -> list[str]:
    fields = {f.name for f in Customer._meta.get_fields()}
    return [name for name in names if name in fields]


def customer_part(package: Package) -> None:
    customer, user = package.customer, package.user
    pairs = [
        (_("Account manager"), str(customer.owner) if customer.owner_id else ""),
        (_("Department"), customer.unit.name if customer.unit_id else ""),
        *package.pairs(customer, _present(BASIC)),
    ]
    package.section(_("Basic data"), pairs)
    contacts = list(policy.scope(user, Contact.objects.filter(customer=customer)))
    if contacts:
        header = [_label(Contact, n) for n in CONTACT]
        rows = [[package.value(c, n) for n in CONTACT] for c in contacts]
        package.section(_("Contacts"), rows=[header, *rows])
    accounts = list(policy.scope(user, BankAccount.objects.filter(customer=customer)))
    if accounts:
        header = [_label(BankAccount, n) for n in ACCOUNT]
        rows = [[package.value(a, n) for n in ACCOUNT] for a in accounts]
        package.section(_("Bank accounts"), rows=[header, *rows])
    classes = customer.classifications.select_related("dimension")
    if classes:
        package.section(_("Classifications"), [(v.dimension.name, v.name) for v in classes])
    changes = customer.status_changes.select_related("changed_by").order_by("changed_at")
    if changes:
        steps = [
            [c.changed_at, c.get_from_status_display(), c.get_to_status_display(), c.reason]
            for c in changes
        ]
        titles = [_("changed at"), _("from"), _("to"), _("reason")]
        package.section(_("Status changes"), rows=[titles, *steps])


def _subjects(customer: Customer) -> Q:
    """The audit events of the customer and of its contacts and bank accounts."""
    condition = Q(object_type=Customer._meta.label_lower, object_id=str(customer.pk))
    for model, ids in (
        (Contact, Contact.objects.filter(customer=customer).values_list("pk", flat=True)),
        (BankAccount, BankAccount.objects.filter(customer=customer).values_list("pk", flat=True)),
    ):
        keys = [str(pk) for pk in ids]
        if keys:
            condition |= Q(object_type=model._meta.label_lower, object_id__in=keys)
    return condition


def history_part(package: Package) -> None:
    events = AuditEvent.objects.filter(_subjects(package.customer)).exclude(
        action__endswith=".read"
    )
    columns = [
        ("time", _("Time")),
        ("actor", _("Actor")),
        ("action", _("Action")),
        ("object", _("Object")),
        ("changes", _("Changes")),
    ]

    def values(view: Any) -> list[Any]:
        event = view.event
        changes = "; ".join(f"{label}: {before} → {after}" for label, before, after in view.changes)
        return [event.occurred_at, event.actor_username, view.label, event.object_repr, changes]

    def shown() -> Any:
        for chunk in _batches(events.order_by("id").iterator(chunk_size=1000), 500):
            yield from describe(chunk)

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        count = write_xlsx(
            handle.name, str(_("History")), columns, shown(), str(package.user), values
        )
        package.add_file("02-history.xlsx", Path(handle.name), _("%(n)s events") % {"n": count})


def _batches(rows: Any, size: int) -> Any:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
