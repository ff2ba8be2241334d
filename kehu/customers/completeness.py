"""Completeness of a customer's data (CUS-12): the required items by kind, what is missing,
a percentage, and the exactness rule for key contact items (name, gender, title, contact,
decision weight)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.customers.models import Contact, Customer, CustomerKind

ORGANIZATION_ITEMS = [
    "name",
    "credit_code",
    "nature",
    "industry",
    "legal_rep_name",
    "registered_address",
    "operating_address",
    "founded_on",
    "registered_capital",
    "business_scope",
    "licence_valid_until",
    "issuing_authority",
    "phone",
    "province",
    "city",
]
INDIVIDUAL_ITEMS = [
    "name",
    "gender",
    "birth_date",
    "id_number",
    "occupation",
    "employer",
    "phone",
    "address",
    "province",
    "city",
]
RECOMMENDED_CONTACTS = 2  # CUS-4: at least two per organisation
# A salutation instead of a name (王先生, 李总, 张经理) is not an exact name.
_SALUTATION = re.compile(r"^.{1,2}(先生|女士|小姐|总|经理|老师|主任|工)$")

EXACTNESS_RULE = gettext_lazy(
    "Key items must be exact: the contact's full name (not a salutation such as 王先生), "
    "gender, title, a valid phone number and the decision weight."
)


@dataclass
class Item:
    key: str
    label: str
    present: bool
    note: str = ""


@dataclass
class Completeness:
    items: list[Item]

    @property
    def missing(self) -> list[Item]:
        return [i for i in self.items if not i.present]

    @property
    def percent(self) -> int:
        return _percent_of([i.present for i in self.items])


def _label(name: str) -> str:
    return str(getattr(Customer._meta.get_field(name), "verbose_name", name))


def _problems(contact: Contact) -> list[str]:
    """The codes of what keeps a key contact's data from being exact (`PROBLEMS`)."""
    found = [
        ("salutation", bool(_SALUTATION.match(contact.name))),
        ("gender", not contact.gender),
        ("title", not contact.title),
        ("phone", not (contact.mobile or contact.office_phone)),
        ("influence", contact.influence is None),
    ]
    return [code for code, problem in found if problem]


PROBLEMS = {
    "salutation": gettext_lazy("the name is a salutation, not a full name"),
    "gender": gettext_lazy("gender missing"),
    "title": gettext_lazy("title missing"),
    "phone": gettext_lazy("no phone"),
    "influence": gettext_lazy("decision weight missing"),
}


def contact_problems(contact: Contact) -> list[str]:
    """What keeps a key contact's data from being exact."""
    return [str(PROBLEMS[code]) for code in _problems(contact)]


def _related(
    customer: Customer, contacts: list[Contact] | None, accounts: int | None
) -> tuple[list[Contact], int]:
    if customer.kind != CustomerKind.ORGANIZATION:
        return contacts or [], accounts or 0
    if contacts is None:
        contacts = list(customer.contacts.all()) if customer.pk else []
    if accounts is None:
        accounts = customer.bank_accounts.count() if customer.pk else 0
    return contacts, accounts


def _primary(contacts: list[Contact]) -> Contact | None:
    return next((c for c in contacts if c.is_primary), None)


def _checked(customer: Customer, contacts: list[Contact], accounts: int) -> list[tuple[str, bool]]:
    """The one definition of what is checked: (item, present) for the customer's kind."""
    organization = customer.kind == CustomerKind.ORGANIZATION
    names = ORGANIZATION_ITEMS if organization else INDIVIDUAL_ITEMS
    checked = [(name, getattr(customer, name) not in (None, "")) for name in names]
    if organization:
        primary = _primary(contacts)
        checked += [
            ("contacts", len(contacts) >= RECOMMENDED_CONTACTS),
            ("primary_contact", primary is not None and not _problems(primary)),
            ("bank_account", bool(accounts)),
        ]
    return checked


def _percent_of(present: list[bool]) -> int:
    if not present:
        return 100
    return round(100 * sum(present) / len(present))


def percent(
    customer: Customer, contacts: list[Contact] | None = None, accounts: int | None = None
) -> int:
    """`assess(...).percent` without the labels and notes (for storing it)."""
    contacts, accounts = _related(customer, contacts, accounts)
    return _percent_of([present for _key, present in _checked(customer, contacts, accounts)])


def _item(key: str, present: bool, contacts: list[Contact]) -> Item:
    if key == "contacts":
        label = _("At least %(n)d contacts") % {"n": RECOMMENDED_CONTACTS}
        return Item(key, label, present, _("%(n)d recorded") % {"n": len(contacts)})
    if key == "primary_contact":
        primary = _primary(contacts)
        problems = contact_problems(primary) if primary else [_("no primary contact")]
        return Item(key, _("Primary contact data exact"), present, "；".join(problems))
    if key == "bank_account":
        return Item(key, _("Settlement bank account"), present)
    return Item(key, _label(key), present)


def assess(
    customer: Customer, contacts: list[Contact] | None = None, accounts: int | None = None
) -> Completeness:
    """Required items of the customer's kind; contacts and accounts may be passed in when the
    caller has them already (the services do, to avoid extra queries)."""
    contacts, accounts = _related(customer, contacts, accounts)
    checked = _checked(customer, contacts, accounts)
    return Completeness([_item(key, present, contacts) for key, present in checked])


def summary(customer: Customer) -> dict[str, Any]:
    result = assess(customer)
    return {"percent": result.percent, "items": result.items, "missing": result.missing}
