"""The customer roster import: customers with a contact, a bank account and
classifications, checked with the form's rules (kehu.customers.validation), upserted on the
credit code (organisations) or the ID number (individuals)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from kehu.core import masking, policy
from kehu.core.digest import lookup_digest
from kehu.core.models import OrgUnit, User
from kehu.customers.models import (
    BankAccount,
    ClassificationDimension,
    ClassificationValue,
    Contact,
    Customer,
    CustomerKind,
)
from kehu.customers.roster.columns import classification_columns, customer_columns
from kehu.customers.services import INDIVIDUAL_ONLY, ORGANIZATION_ONLY
from kehu.customers.validation import clean_contact, clean_customer
from kehu.generic.importing import NEW, SAME, UPDATE, Column, ImportSpec, Planned
from kehu.infra.normalize import within_limit

CONTACT_PREFIX, CLASS_PREFIX = "contact_", "class:"
CONTACT_COMPARED = ("gender", "title", "department", "mobile", "office_phone", "email", "role",
                    "influence")  # fmt: skip
BANK_COMPARED = ("account_name", "bank_name", "branch")
# The import's bank columns → BankAccount's fields.
BANK_COLUMNS = {"bank_account_name": "account_name", "bank_name": "bank_name",
                "bank_branch": "branch", "bank_account_number": "account_number"}  # fmt: skip


@dataclass
class RosterContext:
    """Who imports, into which department; the active classification dimensions."""

    user: User
    unit: OrgUnit
    dimensions: list[ClassificationDimension] = field(default_factory=list)
    values: dict[int, ClassificationValue] = field(default_factory=dict)
    file_name: str = ""

    @classmethod
    def for_user(cls, user: User, unit: OrgUnit, file_name: str = "") -> RosterContext:
        dimensions = list(
            ClassificationDimension.objects.filter(is_active=True).prefetch_related("values")
        )
        values = {x.pk: x for d in dimensions for x in d.values.all()}
        for value in values.values():
            value.dimension = next(d for d in dimensions if d.pk == value.dimension_id)
        return cls(user, unit, dimensions, values, file_name)


def _limit(
    model: Any, data: dict[str, Any], errors: dict[str, list[str]], prefix: str = ""
) -> None:
    """Text longer than its column is refused (the form's max_length), never cut."""
    for name, value in data.items():
        if not isinstance(value, str):
            continue
        try:
            limit = model._meta.get_field(name).max_length
        except Exception:
            continue
        if limit:
            try:
                within_limit(value, limit, prefix + name)
            except ValidationError as error:
                for key, messages in error.message_dict.items():
                    errors.setdefault(key, []).extend(messages)


def _split(
    values: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, int]]:
    customer, contact, bank, classes = {}, {}, {}, {}
    for name, value in values.items():
        if name.startswith(CONTACT_PREFIX):
            contact[name.removeprefix(CONTACT_PREFIX)] = value
        elif name in BANK_COLUMNS:
            bank[BANK_COLUMNS[name]] = value
        elif name.startswith(CLASS_PREFIX):
            classes[name.removeprefix(CLASS_PREFIX)] = value
        else:
            customer[name] = value
    return customer, contact, bank, classes


def _prefixed(error: ValidationError, prefix: str, errors: dict[str, list[str]]) -> None:
    for key, messages in error.message_dict.items():
        errors.setdefault(prefix + key, []).extend(messages)


class RosterImport(ImportSpec):
    kind = "customers.customer"
    batch_size = 500

    def columns(self, context: RosterContext) -> list[Column]:
        return customer_columns() + classification_columns(context.dimensions)

    def clean(self, values: dict[str, Any], context: RosterContext) -> dict[str, Any]:
        customer, contact, bank, classes = _split(values)
        errors: dict[str, list[str]] = {}
        kind = customer["kind"]
        other = INDIVIDUAL_ONLY if kind == CustomerKind.ORGANIZATION else ORGANIZATION_ONLY
        for name in other:
            customer.pop(name, None)  # a field of the other kind says nothing
        key_field = "credit_code" if kind == CustomerKind.ORGANIZATION else "id_number"
        if not customer.get(key_field):
            errors[key_field] = [
                _("Required: the credit code of an organisation, the ID number of a person.")
            ]
        if kind == CustomerKind.INDIVIDUAL:
            customer.setdefault("birth_date", None)
            customer.setdefault("gender", "")
        try:
            customer = clean_customer(customer, partial=True)
        except ValidationError as error:
            _prefixed(error, "", errors)
        if kind == CustomerKind.INDIVIDUAL:  # derived from the ID number when not given
            for name in ("birth_date", "gender"):
                if customer.get(name) in (None, ""):
                    customer.pop(name, None)
        _limit(Customer, customer, errors)
        if contact:
            contact = self._clean_contact(contact, errors)
        if bank:
            bank = self._clean_bank(bank, errors)
        if errors:
            raise ValidationError(errors)
        cleaned = dict(customer)
        cleaned |= {CONTACT_PREFIX + k: x for k, x in contact.items()}
        columns = {field: column for column, field in BANK_COLUMNS.items()}
        cleaned |= {columns[k]: x for k, x in bank.items()}
        cleaned |= {CLASS_PREFIX + k: x for k, x in classes.items()}
        return cleaned

    def _clean_contact(
        self, contact: dict[str, Any], errors: dict[str, list[str]]
    ) -> dict[str, Any]:
        if not contact.get("name"):
            errors["contact_name"] = [_("Enter the contact's name.")]
            return contact
        try:
            contact = clean_contact(contact)
        except ValidationError as error:
            _prefixed(error, CONTACT_PREFIX, errors)
        if contact.get("email"):
            contact["email"] = contact["email"].strip().lower()
            try:
                validate_email(contact["email"])
            except ValidationError as error:
                errors.setdefault("contact_email", []).extend(error.messages)
        _limit(Contact, contact, errors, CONTACT_PREFIX)
        return contact

    def _clean_bank(self, bank: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
        bank["account_number"] = "".join(str(bank.get("account_number") or "").split())
        for name in ("account_name", "bank_name", "account_number"):
            if not bank.get(name):
                errors.setdefault(f"bank_{name}".replace("bank_bank_", "bank_"), []).append(
                    _("A bank account needs its account name, bank and account number.")
                )
        _limit(BankAccount, bank, errors, "bank_")
        return bank

    def key(self, cleaned: dict[str, Any]) -> Hashable:
        if cleaned["kind"] == CustomerKind.ORGANIZATION:
            return ("credit_code", cleaned["credit_code"])
        return ("id_number", lookup_digest("id_number", cleaned["id_number"]))

    def key_name(self, cleaned: dict[str, Any]) -> str:
        if cleaned["kind"] == CustomerKind.ORGANIZATION:
            return _("credit code")
        return _("ID number")

    def describe(self, cleaned: dict[str, Any]) -> str:
        return str(cleaned.get("name") or "")

    def lookup(self, keys: list[Hashable], context: RosterContext) -> dict[Hashable, Any]:
        codes = [k[1] for k in keys if isinstance(k, tuple) and k[0] == "credit_code"]
        digests = [k[1] for k in keys if isinstance(k, tuple) and k[0] == "id_number"]
        found: dict[Hashable, Any] = {}
        rows = Customer.objects.select_related("unit").prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("pk")),
            Prefetch("bank_accounts", queryset=BankAccount.objects.order_by("pk")),
            "classifications",
        )
        if codes:
            for customer in rows.filter(credit_code__in=codes):
                found[("credit_code", customer.credit_code)] = customer
        if digests:
            for customer in rows.filter(id_number_digest__in=digests):
                found[("id_number", customer.id_number_digest)] = customer
        return found

    def plan(self, row: Planned, context: RosterContext) -> None:
        customer = row.existing
        if customer is None:
            row.action = NEW
            return
        if not policy.has_perm(context.user, "customers.customer.change", customer):
            raise ValidationError(
                _(
                    "This customer is already registered by %(unit)s and you may not change "
                    "it; ask that department."
                )
                % {"unit": customer.unit.name}
            )
        row.changes = changes_of(row.values, customer, context)
        row.action = UPDATE if row.changes else SAME


def _shown(model: Any, name: str, value: Any) -> Any:
    """A value as the preview and the audit event hold it: sensitive ones masked."""
    found = masking.declared_fields(model).get(name)
    if found is not None and value not in (None, ""):
        return masking.mask(found.kind, value)
    return value


def _same(stored: Any, given: Any) -> bool:
    return stored == given or (stored in (None, "") and given in (None, ""))


def find_contact(customer: Customer, name: str) -> Contact | None:
    return next((c for c in customer.contacts.all() if c.name == name), None)


def find_account(customer: Customer, number: str) -> BankAccount | None:
    return next((a for a in customer.bank_accounts.all() if a.account_number == number), None)


def changes_of(
    values: dict[str, Any], customer: Customer, context: RosterContext
) -> dict[str, list[Any]]:
    """{field: [stored, given]} of what the row would change on the stored customer (blank
    cells change nothing)."""
    given, contact, bank, classes = _split(values)
    changes: dict[str, list[Any]] = {}
    for name, value in given.items():
        if name == "kind":
            continue
        stored = getattr(customer, name)
        if not _same(stored, value):
            changes[name] = [_shown(Customer, name, stored), _shown(Customer, name, value)]
    if contact.get("name"):
        existing = find_contact(customer, contact["name"])
        if existing is None:
            changes["contact"] = [None, contact["name"]]
        else:
            for name in CONTACT_COMPARED:
                if name in contact and not _same(getattr(existing, name), contact[name]):
                    changes[f"contact.{name}"] = [
                        _shown(Contact, name, getattr(existing, name)),
                        _shown(Contact, name, contact[name]),
                    ]
    if bank.get("account_number"):
        account = find_account(customer, bank["account_number"])
        if account is None:
            changes["bank_account"] = [
                None,
                _shown(BankAccount, "account_number", bank["account_number"]),
            ]
        else:
            for name in BANK_COMPARED:
                if name in bank and not _same(getattr(account, name), bank[name]):
                    changes[f"bank_account.{name}"] = [getattr(account, name), bank[name]]
    current = {x.dimension_id: x for x in customer.classifications.all()}
    for value_id in classes.values():
        value = context.values[value_id]
        before = current.get(value.dimension_id)
        if before is None or before.pk != value.pk:
            changes[f"classification.{value.dimension.code}"] = [
                before.name if before else None,
                value.name,
            ]
    return changes
