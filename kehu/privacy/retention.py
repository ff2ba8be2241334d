"""Retention of personal data (PRV-3): a configurable number of years after the relationship
ends (the customer's last step to "past" or "closed"), the daily job anonymises what is due —
individual customers and the contacts of ended customers — and reports it. Before that, the
values of a sensitivity tier kept for fewer years are blanked (kehu.privacy.tier_retention).
A customer whose archive is still under retention is restricted instead (PRV-2's rule), and
anonymised on a later run once the archive's retention has ended."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core.models import Role, User
from kehu.core.notifications import notify
from kehu.customers.models import Contact, Customer, CustomerKind, CustomerStatus, StatusChange
from kehu.privacy import requests
from kehu.privacy.models import DeletionLedger, Restriction, RetentionSettings

ENDED = (CustomerStatus.PAST, CustomerStatus.CLOSED)


@dataclass
class Report:
    customers: list[int] = field(default_factory=list)
    contacts: list[int] = field(default_factory=list)
    restricted: list[int] = field(default_factory=list)
    # "customers.customer:12" once per subject and tier whose values were blanked.
    tier_expired: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "customers": len(self.customers),
            "contacts": len(self.contacts),
            "restricted": len(self.restricted),
            "tier_expired": len(self.tier_expired),
        }


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def ended_before(cutoff: datetime.date) -> Any:
    """Customers whose relationship ended (last step to past/closed) on or before `cutoff`."""
    ended_at = (
        StatusChange.objects.filter(to_status__in=ENDED)
        .values("customer_id")
        .annotate(last=Max("changed_at"))
        .filter(last__date__lte=cutoff)
        .values("customer_id")
    )
    return Customer.objects.filter(status__in=ENDED, pk__in=ended_at)


def run(today: datetime.date | None = None) -> Report:
    today = today or timezone.localdate()
    settings = RetentionSettings.current()
    report = Report()
    from kehu.privacy import tier_retention

    # Values whose tier is kept for less time go first; the whole person follows below.
    tier_retention.run(today, settings, report)
    anonymous = Q(name__startswith=requests.ANONYMOUS)
    people = ended_before(years_before(today, settings.individual_years)).filter(
        kind=CustomerKind.INDIVIDUAL
    )
    # Each subject's anonymisation and its ledger entry commit together, or neither does:
    # the ledger must always be able to apply it again after a restore.
    for customer in people.exclude(anonymous).order_by("pk"):
        with transaction.atomic():
            if requests.retention_runs(customer):
                if not Restriction.objects.filter(customer=customer).exists():
                    requests.delete_personal_data(customer, None)
                    report.restricted.append(customer.pk)
                continue
            Restriction.objects.filter(customer=customer).delete()
            requests.anonymise(customer)
            DeletionLedger.objects.create(
                subject_type="customers.customer",
                subject_id=str(customer.pk),
                action="anonymised",
                fields=["retention"],
            )
        report.customers.append(customer.pk)
    ended_orgs = ended_before(years_before(today, settings.contact_years))
    contacts = Contact.objects.filter(customer__in=ended_orgs).exclude(anonymous)
    for contact in contacts.select_related("customer").order_by("pk"):
        with transaction.atomic():
            requests.anonymise(contact)
            DeletionLedger.objects.create(
                subject_type="customers.contact",
                subject_id=str(contact.pk),
                action="anonymised",
                fields=["retention"],
            )
        report.contacts.append(contact.pk)
    record(
        "privacy.retention.run",
        object_type="privacy.retentionsettings",
        object_repr=str(_("Retention of personal data")),
        extra={**report.as_dict(), "day": today.isoformat()},
    )
    if report.customers or report.contacts or report.restricted or report.tier_expired:
        _report(report)
    return report


def save_settings(instance: RetentionSettings, values: dict[str, Any]) -> RetentionSettings:
    """An administrator changes the retention periods: saved and audited together."""
    with transaction.atomic():
        current = RetentionSettings.objects.select_for_update().get(pk=instance.pk)
        before = {name: getattr(current, name) for name in values}
        for name, value in values.items():
            setattr(current, name, value)
        current.full_clean()
        current.save()
        changes = {n: [before[n], values[n]] for n in values if before[n] != values[n]}
        record("privacy.retentionsettings.update", current, changes=changes)
    return current


def _report(report: Report) -> None:

    readers = User.objects.filter(
        is_active=True, role_assignments__role__in=[Role.COMPLIANCE, Role.SYSTEM_ADMIN]
    ).distinct()
    counts = report.as_dict()
    notify(
        list(readers),
        _("Personal data past its retention period"),
        _(
            "Anonymised: %(customers)s individual customers, %(contacts)s contacts; "
            "restricted while an archive is kept: %(restricted)s."
        )
        % counts
        + " "
        + _("Values past their tier's retention period blanked: %(tier_expired)s.") % counts,
        "",
    )
