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
        if not self.items:
            return 100
        return round(100 * sum(i.present for i in self.items) / len(self.items))


def _label(name: str) -> str:
    return str(getattr(Customer._meta.get_field(name), "verbose_name", name))


def contact_problems(contact: Contact) -> list[str]:
    """What keeps a key contact's data from being exact."""
    problems = []
    if _SALUTATION.match(contact.name):
        problems.append(_("the name is a salutation, not a full name"))
    if not contact.gender:
        problems.append(_("gender missing"))
    if not contact.title:
        problems.append(_("title missing"))
    if not (contact.mobile or contact.office_phone):
        problems.append(_("no phone"))
    if contact.influence is None:
        problems.append(_("decision weight missing"))
    return problems


def assess(
    customer: Customer, contacts: list[Contact] | None = None, accounts: int | None = None
) -> Completeness:
    """Required items of the customer's kind; contacts and accounts may be passed in when the
    caller has them already (the services do, to avoid extra queries)."""
    names = ORGANIZATION_ITEMS if customer.kind == CustomerKind.ORGANIZATION else INDIVIDUAL_ITEMS
    items = [Item(name, _label(name), getattr(customer, name) not in (None, "")) for name in names]
    if customer.kind == CustomerKind.ORGANIZATION:
        if contacts is None:
            contacts = list(customer.contacts.all()) if customer.pk else []
        if accounts is None:
            accounts = customer.bank_accounts.count() if customer.pk else 0
        items.append(
            Item(
                "contacts",
                _("At least %(n)d contacts") % {"n": RECOMMENDED_CONTACTS},
                len(contacts) >= RECOMMENDED_CONTACTS,
                _("%(n)d recorded") % {"n": len(contacts)},
            )
        )
        primary = next((c for c in contacts if c.is_primary), None)
        problems = contact_problems(primary) if primary else [_("no primary contact")]
        items.append(
            Item(
                "primary_contact",
                _("Primary contact data exact"),
                not problems,
                "；".join(problems),
            )
        )
        items.append(Item("bank_account", _("Settlement bank account"), bool(accounts)))
    return Completeness(items)


def summary(customer: Customer) -> dict[str, Any]:
    result = assess(customer)
    return {"percent": result.percent, "items": result.items, "missing": result.missing}
