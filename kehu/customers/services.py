"""Every change to customers, contacts and bank accounts: validated, in one transaction,
audited, derived fields (pinyin, search text, completeness, duplicate flags) kept current."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from kehu.audit.context import current_actor
from kehu.audit.services import record
from kehu.core import masking, policy
from kehu.core.digest import lookup_digest
from kehu.core.models import User
from kehu.customers import completeness, duplicates, search
from kehu.customers.models import (
    BankAccount,
    ClassificationValue,
    Contact,
    Customer,
    CustomerKind,
    CustomerStatus,
    StatusChange,
)
from kehu.customers.signals import customer_status_changed
from kehu.customers.validation import clean_contact, clean_customer, name_key, without_invisible
from kehu.generic.services import StaleEditError, audited_create, audited_update
from kehu.infra.ratelimit import RateLimited
from kehu.ops import webhooks
from kehu.ops.models import WebhookEvent

# What a form or the API may set; status, derived fields and merges have their own services.
CUSTOMER_FIELDS = (
    "kind", "name", "owner", "unit", "credit_code", "org_code", "id_number", "nature",
    "industry", "legal_rep_name", "legal_rep_title", "legal_rep_phone", "legal_rep_id_number",
    "chairman", "general_manager", "registered_address", "operating_address", "founded_on",
    "registered_capital", "capital_currency", "business_scope", "operating_term_until",
    "licence_valid_until", "issuing_authority", "certifications", "gender", "birth_date",
    "occupation", "employer", "phone", "email", "address", "province", "city", "products",
    "cooperation_since", "contract_numbers", "note",
)  # fmt: skip
ORGANIZATION_ONLY = (
    "credit_code", "org_code", "nature", "industry", "legal_rep_name", "legal_rep_title",
    "legal_rep_phone", "legal_rep_id_number", "chairman", "general_manager",
    "registered_address", "operating_address", "founded_on", "registered_capital",
    "business_scope", "operating_term_until", "licence_valid_until", "issuing_authority",
    "certifications",
)  # fmt: skip
INDIVIDUAL_ONLY = ("id_number", "gender", "birth_date", "occupation", "employer")
CONTACT_FIELDS = (
    "customer", "name", "gender", "title", "department", "mobile", "office_phone", "email",
    "role", "influence", "is_primary", "note",
)  # fmt: skip
BANK_FIELDS = (
    "customer",
    "account_name",
    "bank_name",
    "branch",
    "account_number",
    "is_primary",
    "note",
)


# --- derived fields ----------------------------------------------------------------------


def refresh_derived(customer: Customer, *, save: bool = True) -> Customer:
    """Recompute pinyin, name key, digests, search text and completeness from the data."""
    contacts = list(customer.contacts.all()) if customer.pk else []
    accounts = customer.bank_accounts.count() if customer.pk else 0
    customer.name_pinyin = search.pinyin_of(customer.name)[0]
    customer.name_key = name_key(customer.name)
    customer.id_number_digest = (
        lookup_digest("id_number", customer.id_number) if customer.id_number else None
    )
    customer.legal_rep_digest = (
        lookup_digest("id_number", customer.legal_rep_id_number)
        if customer.legal_rep_id_number
        else ""
    )
    customer.search_text = search.build_search_text(customer, contacts)
    customer.completeness = completeness.percent(customer, contacts, accounts)
    if save and customer.pk:
        Customer.objects.filter(pk=customer.pk).update(
            name_pinyin=customer.name_pinyin,
            name_key=customer.name_key,
            id_number_digest=customer.id_number_digest,
            legal_rep_digest=customer.legal_rep_digest,
            phone_digest=lookup_digest("phone", customer.phone) if customer.phone else "",
            legal_rep_phone_digest=(
                lookup_digest("phone", customer.legal_rep_phone) if customer.legal_rep_phone else ""
            ),
            search_text=customer.search_text,
            completeness=customer.completeness,
        )
        search.index(customer)
    return customer


# Customers whose derived data waits for the end of a `deferred_derivation` block.
_DEFERRED: ContextVar[set[int] | None] = ContextVar("kehu_deferred_derivation", default=None)


@contextlib.contextmanager
def deferred_derivation() -> Iterator[None]:
    """Recompute derived fields and duplicate flags once per customer at the end of the block
    instead of after every change (bulk loads: a customer with its contacts and accounts)."""
    pending: set[int] = set()
    token = _DEFERRED.set(pending)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
    for customer in Customer.objects.filter(pk__in=pending).order_by("pk"):
        _after_change(customer)


def _after_change(customer: Customer) -> None:
    pending = _DEFERRED.get()
    if pending is not None:
        pending.add(customer.pk)
        return
    refresh_derived(customer)
    duplicates.refresh_flags(customer)


# --- uniqueness --------------------------------------------------------------------------


def _acting_user() -> Any:
    """The signed-in user this request or command acts for (None: the system)."""
    user_id = current_actor().user_id
    return User.objects.filter(pk=user_id, is_active=True).first() if user_id else None


def _taken_message(field: str, what: str, other: Customer) -> str:
    """Names and links the customer already registered for whoever may open it — for a
    sensitive (masked) field only whoever may reveal that field on it; to anyone else it
    says only which department holds it (whom to ask), never its name or number. A hit on
    a sensitive field confirms a full value, as a search by it does: audited and counted
    against the same allowance (`search.admit_sensitive_lookup`)."""
    user = _acting_user()
    sensitive = masking.spec(other, field) is not None
    if sensitive:
        may_name = user is not None and masking.may_reveal(user, other, field)
        _admit_and_record_hit(user, field, other, named=may_name)
    else:
        may_name = policy.has_perm(user, "customers.customer.view", other)
    if may_name:
        url = reverse("generic:customers_detail", args=[other.pk])
        return format_html(
            _('{what} is already registered: <a href="{url}">{name}</a> ({unit}, no. {pk}).'),
            what=what,
            url=url,
            name=other.name,
            unit=other.unit.name,
            pk=other.pk,
        )
    return _("%(what)s is already registered for a customer of %(unit)s; ask that department.") % {
        "what": what,
        "unit": other.unit.name,
    }


def _admit_and_record_hit(user: Any, field: str, other: Customer, *, named: bool) -> None:
    """Count a sensitive value found registered against `user`'s allowance (a clear error on
    the field beyond it) and audit it, the value masked."""
    if user is not None:
        try:
            search.admit_sensitive_lookup(
                user,
                _(
                    "You have entered too many full ID or phone numbers in a minute. "
                    "Wait a minute and try again."
                ),
            )
        except RateLimited as error:
            raise ValidationError({field: [str(error)]}) from None
    record(
        "customers.customer.sensitive_duplicate",
        other,
        extra={"field": field, "value": masking.masked(other, field), "named": named},
    )


def check_unique(customer: Customer) -> None:
    """The same credit code or ID number cannot be registered twice (CUS-11). Callers check
    before their transaction where they can: the audit event of a sensitive hit must outlive
    the refusal (`_taken_message`)."""
    errors: dict[str, list[Any]] = {}
    others = Customer.objects.exclude(pk=customer.pk).select_related("unit")
    if customer.credit_code:
        other = others.filter(credit_code=customer.credit_code).first()
        if other:
            errors["credit_code"] = [_taken_message("credit_code", _("This credit code"), other)]
    if customer.id_number:
        other = others.filter(
            id_number_digest=lookup_digest("id_number", customer.id_number)
        ).first()
        if other:
            errors["id_number"] = [_taken_message("id_number", _("This ID number"), other)]
    if errors:
        raise ValidationError(errors)


def check_unique_before_saving(data: dict[str, Any]) -> None:
    """`check_unique` for a new customer's data, for a caller that saves it inside a
    transaction of its own: run first, its audit events outlive a refusal."""
    individual = data.get("kind") == CustomerKind.INDIVIDUAL
    check_unique(
        Customer(
            credit_code=data.get("credit_code") or None,
            id_number=(data.get("id_number") or "") if individual else "",
        )
    )


# --- customers ---------------------------------------------------------------------------


def _values(data: dict[str, Any], kind: str) -> dict[str, Any]:
    """The model values of the cleaned data; fields of the other kind are cleared."""
    values = {k: data[k] for k in CUSTOMER_FIELDS if k in data}
    other = INDIVIDUAL_ONLY if kind == CustomerKind.ORGANIZATION else ORGANIZATION_ONLY
    for field in other:
        if field in values or field in data:
            values[field] = None if Customer._meta.get_field(field).null else ""
    return values


def _check_classifications(values: list[ClassificationValue]) -> None:
    seen: dict[int, ClassificationValue] = {}
    for value in values:
        if value.dimension_id in seen:
            raise ValidationError(
                {
                    "classifications": [
                        _("Choose one value per dimension (%(dimension)s).")
                        % {"dimension": value.dimension.name}
                    ]
                }
            )
        seen[value.dimension_id] = value


def create_customer(data: dict[str, Any]) -> Customer:
    cleaned = clean_customer(data)
    kind = cleaned["kind"]
    classifications = list(cleaned.get("classifications") or [])
    _check_classifications(classifications)
    customer = Customer(**_values(cleaned, kind))
    if not customer.status:
        customer.status = CustomerStatus.PROSPECT
    customer.last_verified_at = timezone.now()
    refresh_derived(customer, save=False)
    customer.full_clean(exclude=["id_number_digest", "credit_code"])
    check_unique(customer)
    try:
        with transaction.atomic():
            audited_create(customer)
            if classifications:
                customer.classifications.set(classifications)
                record(
                    "customers.customer.classify",
                    customer,
                    changes={"classifications": [[], [str(v) for v in classifications]]},
                )
            _after_change(customer)
    except IntegrityError:
        check_unique(customer)  # a concurrent registration won the race: say which one
        raise
    return customer


def update_customer(
    customer: Customer, data: dict[str, Any], expected_version: int | None
) -> Customer:
    kind = data.get("kind", customer.kind)
    given = {"kind": kind, **data}
    if kind == CustomerKind.INDIVIDUAL and given.get("id_number", customer.id_number):
        # The birth date and gender follow from the ID number, of which they are part (its
        # mask hides them): derived from it, never compared with what was sent, so that no
        # answer tells a user who may not reveal them whether a guess was right.
        given |= {"id_number": given.get("id_number", customer.id_number)}
        given |= {"birth_date": None, "gender": ""}
    cleaned = clean_customer(given, partial=True)
    values = _values(cleaned, kind)
    classifications = cleaned.get("classifications")
    probe = Customer(pk=customer.pk, **{**_plain(customer), **values})
    check_unique(probe)  # before the transaction: its audit events outlive a refusal
    with transaction.atomic():
        updated = audited_update(customer, values, expected_version)
        assert isinstance(updated, Customer)
        if classifications is not None:
            new = list(classifications)
            _check_classifications(new)
            before = sorted(str(v) for v in updated.classifications.all())
            after = sorted(str(v) for v in new)
            if before != after:
                updated.classifications.set(new)
                record(
                    "customers.customer.classify",
                    updated,
                    changes={"classifications": [before, after]},
                )
        Customer.objects.filter(pk=updated.pk).update(last_verified_at=timezone.now())
        _after_change(updated)
    updated.refresh_from_db()
    return updated


def _plain(customer: Customer) -> dict[str, Any]:
    return {f: getattr(customer, f) for f in CUSTOMER_FIELDS}


def mark_verified(customer: Customer) -> Customer:
    """The owner confirms the data is current (REV-2)."""
    with transaction.atomic():
        now = timezone.now()
        Customer.objects.filter(pk=customer.pk).update(last_verified_at=now)
        record("customers.customer.verify", customer, extra={"verified_at": now})
    customer.last_verified_at = now
    return customer


# --- lifecycle (CUS-8) -------------------------------------------------------------------

S = CustomerStatus
# (from, to) → the permission action it needs
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PROSPECT, S.IN_FILING): "transition",
    (S.IN_FILING, S.PROSPECT): "transition",
    (S.IN_FILING, S.ACTIVE): "approve",
    (S.IN_FILING, S.REJECTED): "approve",
    (S.REJECTED, S.IN_FILING): "transition",
    (S.REJECTED, S.CLOSED): "close",
    (S.ACTIVE, S.SUSPENDED): "transition",
    (S.ACTIVE, S.PAST): "transition",
    (S.SUSPENDED, S.PAST): "transition",
    (S.SUSPENDED, S.ACTIVE): "transition",
    (S.PAST, S.ACTIVE): "transition",
    (S.PROSPECT, S.CLOSED): "close",
    (S.SUSPENDED, S.CLOSED): "close",
    (S.PAST, S.CLOSED): "close",
    (S.CLOSED, S.PAST): "close",
}


# Taken only by the filing process (kehu.filing, FIL-6): a customer enters filing, becomes
# active or rejected through its filing case — never by hand on the card or the status API.
FILING_TRANSITIONS = frozenset(
    {
        (S.PROSPECT, S.IN_FILING),
        (S.IN_FILING, S.PROSPECT),
        (S.IN_FILING, S.ACTIVE),
        (S.IN_FILING, S.REJECTED),
        (S.REJECTED, S.IN_FILING),
    }
)


def allowed_transitions(customer: Customer) -> list[tuple[str, str]]:
    """(target status, permission action) pairs possible from the current status."""
    if customer.merged_into_id:
        return []
    return [(to, action) for (frm, to), action in TRANSITIONS.items() if frm == customer.status]


def change_status(
    customer: Customer,
    to_status: str,
    reason: str,
    by: Any,
    expected_version: int | None = None,
) -> Customer:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for this change.")]})
    with transaction.atomic():
        current = Customer.objects.select_for_update().get(pk=customer.pk)
        if expected_version is not None and current.version != expected_version:
            raise StaleEditError()
        if (current.status, to_status) not in TRANSITIONS or current.merged_into_id:
            raise ValidationError(
                _("A customer cannot go from %(from)s to %(to)s.")
                % {"from": current.get_status_display(), "to": S(to_status).label}
            )
        before = current.status
        current.status = to_status
        current.version += 1
        current.save(update_fields=["status", "version", "updated_at"])
        StatusChange.objects.create(
            customer=current, from_status=before, to_status=to_status, reason=reason, changed_by=by
        )
        record(
            "customers.customer.status",
            current,
            changes={"status": [before, to_status]},
            # The version lets a stale form list this step among what changed.
            extra={"reason": reason, "version": current.version},
        )
        # In the same transaction: a receiver that fails (e.g. numbering) undoes the change.
        customer_status_changed.send(
            sender=Customer, customer=current, old=before, new=to_status, by=by
        )
        if to_status == CustomerStatus.ACTIVE:
            data = {"customer": webhooks.customer_data(current)}
            webhooks.emit(WebhookEvent.CUSTOMER_ACTIVATED, data)
    return current


# --- contacts and bank accounts ----------------------------------------------------------


def _clear_other_primaries(model: Any, customer: Customer, keep_pk: int | None = None) -> None:
    """Before saving a primary contact or account: the customer's others stop being primary
    (contacts also have a unique constraint on it, so this must come first)."""
    model.objects.filter(customer=customer, is_primary=True).exclude(pk=keep_pk).update(
        is_primary=False
    )


def create_contact(data: dict[str, Any]) -> Contact:
    cleaned = clean_contact(data)
    contact = Contact(**{k: cleaned[k] for k in CONTACT_FIELDS if k in cleaned})
    with transaction.atomic():
        if contact.is_primary:
            _clear_other_primaries(Contact, contact.customer)
        contact.full_clean()
        audited_create(contact)
        _after_change(contact.customer)
    return contact


def update_contact(contact: Contact, data: dict[str, Any], expected_version: int | None) -> Contact:
    cleaned = clean_contact(data)
    values = {k: cleaned[k] for k in CONTACT_FIELDS if k in cleaned and k != "customer"}
    with transaction.atomic():
        if values.get("is_primary"):
            _clear_other_primaries(Contact, contact.customer, contact.pk)
        updated = audited_update(contact, values, expected_version)
        assert isinstance(updated, Contact)
        _after_change(updated.customer)
    return updated


def create_bank_account(data: dict[str, Any]) -> BankAccount:
    values = without_invisible({k: data[k] for k in BANK_FIELDS if k in data})
    values["account_number"] = "".join(str(values.get("account_number", "")).split())
    account = BankAccount(**values)
    with transaction.atomic():
        account.full_clean()
        if account.is_primary:
            _clear_other_primaries(BankAccount, account.customer)
        audited_create(account)
        _after_change(account.customer)
    return account


def update_bank_account(
    account: BankAccount, data: dict[str, Any], expected_version: int | None
) -> BankAccount:
    values = without_invisible({k: data[k] for k in BANK_FIELDS if k in data and k != "customer"})
    if "account_number" in values:
        values["account_number"] = "".join(str(values["account_number"]).split())
    with transaction.atomic():
        if values.get("is_primary"):
            _clear_other_primaries(BankAccount, account.customer, account.pk)
        updated = audited_update(account, values, expected_version)
        assert isinstance(updated, BankAccount)
        _after_change(updated.customer)
    return updated
