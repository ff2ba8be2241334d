"""Ongoing watch-list monitoring of active customers (REV-4; 000: 对客户的资质、信用情况进行跟踪和
监督). Each import of the watch list compares every active customer with the list's active
entries; a customer newly found on it gets a hit, flagged on its card and in the customer
list, and its account manager and the compliance officers covering its unit are told — once
per customer and entry, so importing the same list again changes nothing. Compliance clears a
false match with a reason."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.audit.services import record
from kehu.core.models import Role, User
from kehu.core.notifications import notify
from kehu.core.selectors import holders_of
from kehu.customers.models import Customer, CustomerStatus
from kehu.customers.validation import name_key as customer_name_key
from kehu.filing.models import WatchListEntry, WatchListHit, name_key

BATCH = 500

# Customers under ongoing monitoring: those we trade with. Filings under way are checked in
# their second review.
MONITORED = (CustomerStatus.ACTIVE,)


def _batches(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), BATCH):
        yield values[start : start + BATCH]


def matching_pairs(
    entries: Iterable[WatchListEntry],
) -> Iterator[tuple[Customer, WatchListEntry, str]]:
    """(customer, entry, "credit_code" | "name") for every monitored customer an active entry
    names, by credit code or by exact (normalised) name, read in batches."""
    by_code: dict[str, list[WatchListEntry]] = {}
    by_name: dict[str, list[WatchListEntry]] = {}
    for entry in entries:
        if not entry.is_active:
            continue
        if entry.credit_code:
            by_code.setdefault(entry.credit_code, []).append(entry)
        by_name.setdefault(entry.name_key, []).append(entry)
    customers = Customer.objects.filter(status__in=MONITORED).select_related("owner", "unit")
    for codes in _batches(sorted(by_code)):
        for customer in customers.filter(credit_code__in=codes).order_by("pk"):
            for entry in by_code.get(customer.credit_code or "", []):
                yield customer, entry, "credit_code"
    # The customers' own similarity key narrows the candidates; the list's exact key decides.
    candidates = sorted({customer_name_key(named[0].name) for named in by_name.values()})
    for keys in _batches(candidates):
        for customer in customers.filter(name_key__in=keys).order_by("pk"):
            for entry in by_name.get(name_key(customer.name), []):
                yield customer, entry, "name"


def recipients(customer: Customer) -> list[User]:
    """The account manager and the compliance officers whose role covers the customer's unit
    (every compliance officer when none does)."""
    compliance = list(holders_of(Role.COMPLIANCE, customer.unit))
    if not compliance:
        compliance = list(
            User.objects.filter(is_active=True, role_assignments__role=Role.COMPLIANCE).distinct()
        )
    return [customer.owner, *compliance]


def flag_matching_customers(entries: Iterable[WatchListEntry] | None = None) -> list[WatchListHit]:
    """Record a hit for each monitored customer newly found on the watch list (default: every
    active entry) and tell its account manager and compliance. Call it inside the import's
    transaction; a pair already hit (open or cleared) is left alone."""
    if entries is None:
        entries = WatchListEntry.objects.filter(is_active=True)
    found: dict[tuple[int, int], tuple[Customer, WatchListEntry, str]] = {}
    for customer, entry, how in matching_pairs(entries):
        found.setdefault((customer.pk, entry.pk), (customer, entry, how))
    if not found:
        return []
    customer_ids = sorted({pk for pk, _entry in found})
    known = set()
    for ids in range(0, len(customer_ids), BATCH):
        known |= set(
            WatchListHit.objects.filter(
                customer_id__in=customer_ids[ids : ids + BATCH]
            ).values_list("customer_id", "entry_id")
        )
    now = timezone.now()
    hits = []
    with transaction.atomic():
        for key in sorted(found):
            if key in known:
                continue
            customer, entry, how = found[key]
            hit = WatchListHit.objects.create(
                customer=customer, entry=entry, matched_by=how, found_at=now
            )
            record(
                "customers.customer.watch_list_hit",
                customer,
                extra={"entry": entry.pk, "list": entry.list_kind, "matched_by": how},
            )
            notify(
                recipients(customer),
                _("%(customer)s is on the %(list)s")
                % {"customer": customer.name, "list": entry.get_list_kind_display()},
                _("Found at the import of the watch list: %(entry)s (%(source)s).")
                % {"entry": entry.name, "source": entry.source or "—"},
                reverse("generic:customers_detail", args=[customer.pk]),
            )
            hits.append(hit)
    return hits


def clear_hit(hit: WatchListHit, by: Any, reason: str) -> WatchListHit:
    """Compliance clears a false match (a namesake, an outdated entry), with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason why this is not a match.")]})
    with transaction.atomic():
        current = WatchListHit.objects.select_for_update().get(pk=hit.pk)
        if current.cleared_at is not None:
            raise ValidationError(_("This hit was already cleared."))
        current.cleared_at = timezone.now()
        current.cleared_by = by
        current.clear_reason = reason
        current.save(update_fields=["cleared_at", "cleared_by", "clear_reason"])
        record(
            "customers.customer.watch_list_clear",
            current.customer,
            changes={"watch_list_hit": [str(current.entry), None]},
            extra={"hit": current.pk, "entry": current.entry_id, "reason": reason},
        )
    return current


# --- reads ------------------------------------------------------------------------------


def open_hits(customer: Customer) -> list[WatchListHit]:
    return list(
        WatchListHit.objects.filter(customer=customer, cleared_at__isnull=True)
        .select_related("entry")
        .order_by("-found_at", "-pk")
    )


WATCH_LIST_CHOICES = [
    ("open", gettext_lazy("Flagged, not cleared")),
    ("any", gettext_lazy("Ever flagged")),
]


def watch_list_filter() -> django_filters.Filter:
    """The customer list's filter "On the watch list" (registered with the customers app)."""
    return django_filters.ChoiceFilter(
        label=gettext_lazy("On the watch list"),
        choices=WATCH_LIST_CHOICES,
        method=customers_flagged,
    )


def customers_flagged(queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
    """The customer list's watch-list filter: "open" (a hit not cleared) or "any" (ever)."""
    hits = WatchListHit.objects.filter(customer=OuterRef("pk"))
    if value == "open":
        return queryset.filter(Exists(hits.filter(cleared_at__isnull=True)))
    if value == "any":
        return queryset.filter(Exists(hits))
    return queryset
