"""Writing a batch of the roster import in bulk, as the services would one customer at a
time: new customers with their contact, bank account and classifications (ids reserved so
encrypted values are bound to their rows), changed fields of existing ones, then the
derived data (pinyin, name key, digests, search text and index, completeness), duplicate
flags and one audit event per customer."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kehu.audit.services import record_many
from kehu.core.digest import lookup_digest
from kehu.core.rowbound import bind_to_rows, insert_rows, reserve_ids
from kehu.customers import completeness, duplicates, search
from kehu.customers.models import BankAccount, Contact, Customer, CustomerStatus
from kehu.customers.roster.flags import flag_new_customers
from kehu.customers.roster.spec import (
    BANK_COMPARED,
    CONTACT_COMPARED,
    RosterContext,
    RosterImport,
    _shown,
    _split,
    find_account,
    find_contact,
)
from kehu.customers.search import storage
from kehu.customers.validation import name_key
from kehu.generic.importing import NEW, Planned

DERIVED = ("name_pinyin", "name_key", "id_number_digest", "legal_rep_digest", "phone_digest",
           "legal_rep_phone_digest", "search_text", "completeness")  # fmt: skip
Through = Customer.classifications.through


def _digest(kind: str, value: str) -> str:
    return lookup_digest(kind, value) if value else ""


def derive(customer: Customer, contacts: list[Contact], accounts: int) -> None:
    """`services.refresh_derived` without its queries: the contacts and the number of
    accounts are given."""
    pinyin = search.pinyin_of(customer.name)
    customer.name_pinyin = pinyin[0]
    customer.name_key = name_key(customer.name)
    customer.id_number_digest = _digest("id_number", customer.id_number) or None
    customer.legal_rep_digest = _digest("id_number", customer.legal_rep_id_number)
    customer.phone_digest = _digest("phone", customer.phone)
    customer.legal_rep_phone_digest = _digest("phone", customer.legal_rep_phone)
    customer.search_text = search.build_search_text(customer, contacts, pinyin)
    customer.completeness = completeness.percent(customer, contacts, accounts)


def apply(rows: list[Planned], context: RosterContext) -> None:
    new = [r for r in rows if r.action == NEW]
    updated = [r for r in rows if r.action != NEW]
    events: list[tuple[Any, dict[str, Any]]] = []
    if new:
        events += _create(new, context)
    if updated:
        events += _update(updated, context)
    record_many("customers.customer.import", events, extra={"file": context.file_name})


def _contact(customer: Customer, values: dict[str, Any], primary: bool) -> Contact:
    contact = Contact(customer=customer, is_primary=primary, **values)
    contact.mobile_digest = _digest("phone", contact.mobile)
    return contact


def _account(customer: Customer, values: dict[str, Any], primary: bool) -> BankAccount:
    account = BankAccount(customer=customer, is_primary=primary, **values)
    account.account_number_digest = _digest("account_number", account.account_number)
    return account


def _number(objs: list[Any], model: Any) -> None:
    for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk


def _create(rows: list[Planned], context: RosterContext) -> list[tuple[Any, dict[str, Any]]]:
    now = timezone.now()
    customers, contacts, accounts, links, events = [], [], [], [], []
    for row, pk in zip(rows, reserve_ids(Customer, len(rows)), strict=True):
        given, contact, bank, classes = _split(row.values)
        customer = Customer(
            pk=pk, owner=context.user, unit=context.unit, status=CustomerStatus.PROSPECT,
            last_verified_at=now, **given,
        )  # fmt: skip
        own_contacts = [_contact(customer, contact, True)] if contact.get("name") else []
        own_accounts = [_account(customer, bank, True)] if bank.get("account_number") else []
        derive(customer, own_contacts, len(own_accounts))
        customers.append(customer)
        contacts += own_contacts
        accounts += own_accounts
        links += [Through(customer_id=pk, classificationvalue_id=x) for x in classes.values()]
        filled = {k: _shown(Customer, k, x) for k, x in given.items() if x not in (None, "")}
        if own_contacts:
            filled["contact"] = own_contacts[0].name
        if own_accounts:
            filled["bank_account"] = _shown(BankAccount, "account_number", bank["account_number"])
        for value_id in classes.values():
            value = context.values[value_id]
            filled[f"classification.{value.dimension.code}"] = value.name
        events.append((customer, {k: [None, x] for k, x in filled.items()}))
    _number(contacts, Contact)
    _number(accounts, BankAccount)
    bind_to_rows(customers)
    bind_to_rows(contacts)
    bind_to_rows(accounts)
    insert_rows(customers)
    insert_rows(contacts)
    insert_rows(accounts)
    insert_rows(links)
    storage.write([(c.pk, c.search_text) for c in customers])
    flag_new_customers(customers, contacts)
    return events


def _update(rows: list[Planned], context: RosterContext) -> list[tuple[Any, dict[str, Any]]]:
    now = timezone.now()
    events = []
    changed_fields: set[str] = set()
    changed_contacts: list[Contact] = []
    new_contacts: list[Contact] = []
    new_accounts: list[BankAccount] = []
    changed_accounts: list[BankAccount] = []
    links_to_add: list[Any] = []
    links_to_drop: list[tuple[int, int]] = []
    customers = []
    for row in rows:
        customer: Customer = row.existing
        given, contact, bank, classes = _split(row.values)
        for name, value in given.items():
            if name in row.changes:
                setattr(customer, name, value)
                changed_fields.add(name)
        contacts = list(customer.contacts.all())
        if contact.get("name"):
            found = find_contact(customer, contact["name"])
            if found is None:
                fresh = _contact(customer, contact, not any(c.is_primary for c in contacts))
                new_contacts.append(fresh)
                contacts.append(fresh)
            elif any(f"contact.{n}" in row.changes for n in CONTACT_COMPARED):
                for name in CONTACT_COMPARED:
                    if name in contact:
                        setattr(found, name, contact[name])
                found.mobile_digest = _digest("phone", found.mobile)
                found.version += 1
                changed_contacts.append(found)
        accounts = list(customer.bank_accounts.all())
        if bank.get("account_number"):
            account = find_account(customer, bank["account_number"])
            if account is None:
                new_accounts.append(
                    _account(customer, bank, not any(a.is_primary for a in accounts))
                )
                accounts.append(new_accounts[-1])
            elif any(f"bank_account.{n}" in row.changes for n in BANK_COMPARED):
                for name in BANK_COMPARED:
                    if name in bank:
                        setattr(account, name, bank[name])
                account.version += 1
                changed_accounts.append(account)
        current = {x.dimension_id: x for x in customer.classifications.all()}
        for value_id in classes.values():
            value = context.values[value_id]
            before = current.get(value.dimension_id)
            if before is not None and before.pk != value.pk:
                links_to_drop.append((customer.pk, before.pk))
            if before is None or before.pk != value.pk:
                links_to_add.append(
                    Through(customer_id=customer.pk, classificationvalue_id=value.pk)
                )
        derive(customer, contacts, len(accounts))
        customer.version += 1
        customer.last_verified_at = now
        customer.updated_at = now
        customers.append(customer)
        events.append((customer, row.changes))
    Customer.objects.bulk_update(
        customers,
        [*sorted(changed_fields), *DERIVED, "version", "last_verified_at", "updated_at"],
        batch_size=100,
    )
    _number(new_contacts, Contact)
    _number(new_accounts, BankAccount)
    bind_to_rows(new_contacts)
    bind_to_rows(new_accounts)
    insert_rows(new_contacts)
    insert_rows(new_accounts)
    if changed_contacts:
        Contact.objects.bulk_update(
            changed_contacts, [*CONTACT_COMPARED, "mobile_digest", "version"]
        )
    if changed_accounts:
        BankAccount.objects.bulk_update(changed_accounts, [*BANK_COMPARED, "version"])
    for customer_id, value_id in links_to_drop:
        Through.objects.filter(customer_id=customer_id, classificationvalue_id=value_id).delete()
    Through.objects.bulk_create(links_to_add, ignore_conflicts=True)
    storage.write([(c.pk, c.search_text) for c in customers])
    for customer in customers:
        duplicates.refresh_flags(customer)
    return events


class Roster(RosterImport):
    """The roster import with its bulk writes."""

    def apply(self, rows: list[Planned], context: RosterContext) -> None:
        apply(rows, context)
