"""Duplicate flags for a batch of newly imported customers, found in a few queries per batch
with the rules of `duplicates.find_candidates` (same legal representative, shared phone,
very similar name), against the whole register including the batch itself."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q

from kehu.core.digest import lookup_digest
from kehu.core.masking import PHONE, mask
from kehu.customers.duplicates import MAX_FLAGS_PER_REASON, MIN_NAME_KEY
from kehu.customers.models import Contact, Customer, CustomerKind, DuplicateFlag, DuplicateReason

_MIN_PHONE = 7


def _phones(customer: Customer, contacts: list[Contact]) -> set[str]:
    phones = {customer.phone, customer.legal_rep_phone}
    for contact in contacts:
        phones |= {contact.mobile, contact.office_phone}
    return {p for p in phones if p and len(p) >= _MIN_PHONE}


def flag_new_customers(customers: list[Customer], contacts: list[Contact]) -> int:
    """Store the possible-duplicate pairs of these (saved) customers; the number stored."""
    if not customers:
        return 0
    contacts_of: dict[int, list[Contact]] = defaultdict(list)
    for contact in contacts:
        contacts_of[contact.customer_id].append(contact)
    phones = {c.pk: _phones(c, contacts_of[c.pk]) for c in customers}
    digest_of = {p: lookup_digest("phone", p) for ps in phones.values() for p in ps}
    others = Customer.objects.filter(merged_into__isnull=True)
    by_rep: dict[str, list[int]] = defaultdict(list)
    reps = {c.legal_rep_digest for c in customers if c.legal_rep_digest}
    if reps:
        for pk, digest in others.filter(legal_rep_digest__in=reps).values_list(
            "pk", "legal_rep_digest"
        ):
            by_rep[digest].append(pk)
    by_phone: dict[str, set[int]] = defaultdict(set)
    if digest_of:
        digests = set(digest_of.values())
        for pk, phone, rep_phone in others.filter(
            Q(phone_digest__in=digests) | Q(legal_rep_phone_digest__in=digests)
        ).values_list("pk", "phone_digest", "legal_rep_phone_digest"):
            by_phone[phone].add(pk)
            by_phone[rep_phone].add(pk)
        for customer_id, mobile in Contact.objects.filter(
            mobile_digest__in=digests, customer__merged_into__isnull=True
        ).values_list("customer_id", "mobile_digest"):
            by_phone[mobile].add(customer_id)
        plain = {p for p in digest_of}
        for customer_id, office in Contact.objects.filter(
            office_phone__in=plain, customer__merged_into__isnull=True
        ).values_list("customer_id", "office_phone"):
            by_phone[digest_of[office]].add(customer_id)
    by_name: dict[str, list[int]] = defaultdict(list)
    keys = {
        c.name_key
        for c in customers
        if c.kind == CustomerKind.ORGANIZATION and len(c.name_key) >= MIN_NAME_KEY
    }
    if keys:
        for pk, key in others.filter(kind=CustomerKind.ORGANIZATION, name_key__in=keys).values_list(
            "pk", "name_key"
        ):
            by_name[key].append(pk)
    flags = []
    for customer in customers:
        found: dict[int, tuple[str, str]] = {}
        if customer.legal_rep_digest:
            for pk in [p for p in by_rep[customer.legal_rep_digest] if p != customer.pk][
                :MAX_FLAGS_PER_REASON
            ]:
                found[pk] = (DuplicateReason.SAME_LEGAL_REP, customer.legal_rep_name)
        mine = phones[customer.pk]
        if mine:
            matches: set[int] = set()
            for phone in mine:
                matches |= by_phone.get(digest_of[phone], set())
            matches.discard(customer.pk)
            detail = "、".join(sorted(mask(PHONE, p) for p in mine))[:200]
            for pk in sorted(matches)[:MAX_FLAGS_PER_REASON]:
                found.setdefault(pk, (DuplicateReason.SHARED_PHONE, detail))
        if customer.kind == CustomerKind.ORGANIZATION and len(customer.name_key) >= MIN_NAME_KEY:
            similar = [p for p in by_name[customer.name_key] if p != customer.pk]
            for pk in similar[:MAX_FLAGS_PER_REASON]:
                found.setdefault(pk, (DuplicateReason.SIMILAR_NAME, customer.name_key))
        flags += [
            DuplicateFlag(
                first_id=min(pk, customer.pk), second_id=max(pk, customer.pk),
                reason=reason, detail=detail,
            )
            for pk, (reason, detail) in found.items()
        ]  # fmt: skip
    DuplicateFlag.objects.bulk_create(flags, batch_size=500, ignore_conflicts=True)
    return len(flags)
