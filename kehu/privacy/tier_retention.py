"""Retention per sensitivity tier: once the relationship ended longer ago than a tier's years
(kehu.privacy.tiers), the daily job blanks the person's declared values of that tier (CORE:
ID and bank account numbers; IMPORTANT: phones, birth date, gender), when that is sooner
than the whole person's anonymisation (kehu.privacy.retention). GENERAL values and the name
stay until then. Each blanking and its ledger entry commit together, so that
`kehu privacy_reapply` can blank the same values again after a restore."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q

from kehu.audit.services import record
from kehu.core import masking
from kehu.customers.models import BankAccount, Contact, Customer, CustomerKind
from kehu.privacy import requests
from kehu.privacy.models import DeletionLedger, Restriction, RetentionSettings, SensitivityTiers
from kehu.privacy.retention import ended_before, years_before

if TYPE_CHECKING:
    from kehu.privacy.retention import Report

# The tiers whose values may go before the person does, most guarded first.
EXPIRING_TIERS = (masking.CORE, masking.IMPORTANT)
ACCOUNT_LABEL = BankAccount._meta.label_lower


def fields_of_tier(subject: Customer | Contact, tier: str) -> list[str]:
    """The person's declared fields whose tier in force is `tier`; for a customer also its
    bank account numbers ("bank_accounts.<pk>.account_number")."""
    label = subject._meta.label_lower
    names = [n for n in masking.declared_fields(subject) if masking.tier_of(label, n) == tier]
    if isinstance(subject, Customer) and masking.tier_of(ACCOUNT_LABEL, "account_number") == tier:
        names += [
            f"bank_accounts.{pk}.account_number"
            for pk in subject.bank_accounts.order_by("pk").values_list("pk", flat=True)
        ]
    return names


def still_held(subject: Customer | Contact, names: list[str]) -> list[str]:
    """Those of `names` that still hold a value."""
    accounts = {
        f"bank_accounts.{account.pk}.account_number"
        for account in BankAccount.objects.filter(
            customer=subject if isinstance(subject, Customer) else None
        )
        if account.account_number not in (None, "")
    }
    return [
        name
        for name in names
        if (name in accounts if "." in name else getattr(subject, name) not in (None, ""))
    ]


def expire(subject: Customer | Contact, tier: str) -> list[str]:
    """Blank the person's values of `tier`, write the ledger entry and audit it, together;
    returns the fields blanked (none when nothing was left)."""
    with transaction.atomic():
        subject = type(subject).objects.select_for_update().get(pk=subject.pk)
        names = still_held(subject, fields_of_tier(subject, tier))
        if not names:
            return []
        requests.blank(subject, names)
        DeletionLedger.objects.create(
            subject_type=subject._meta.label_lower,
            subject_id=str(subject.pk),
            action=requests.TIER_EXPIRED,
            fields=names,
        )
        record("privacy.subject.tier_expired", subject, extra={"tier": tier, "fields": names})
    return names


def run(today: datetime.date, settings: RetentionSettings, report: Report) -> None:
    """Blank what each tier no longer keeps, for the people not yet due for anonymisation.
    A customer whose archive is still under retention, or who is restricted, keeps its data
    (the whole-subject rule decides for it)."""
    tiers = SensitivityTiers.current()
    anonymous = Q(name__startswith=requests.ANONYMOUS)
    for tier in EXPIRING_TIERS:
        years = getattr(tiers, f"{tier}_years")
        if years < settings.individual_years:
            due = ended_before(years_before(today, years)).filter(kind=CustomerKind.INDIVIDUAL)
            whole = ended_before(years_before(today, settings.individual_years))
            restricted = Restriction.objects.values("customer_id")
            people = due.exclude(anonymous).exclude(pk__in=whole.values("pk"))
            for customer in people.exclude(pk__in=restricted).order_by("pk"):
                if not requests.retention_runs(customer) and expire(customer, tier):
                    report.tier_expired.append(f"{customer._meta.label_lower}:{customer.pk}")
        if years < settings.contact_years:
            due = ended_before(years_before(today, years))
            whole = ended_before(years_before(today, settings.contact_years))
            contacts = Contact.objects.filter(customer__in=due).exclude(customer__in=whole)
            for contact in contacts.exclude(anonymous).order_by("pk"):
                if expire(contact, tier):
                    report.tier_expired.append(f"{contact._meta.label_lower}:{contact.pk}")
