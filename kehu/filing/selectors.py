"""Reads of filings shared by the pages, the API, the PDF and the customer card."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kehu.core import policy
from kehu.customers.models import Customer
from kehu.filing import checklist
from kehu.filing.models import FINAL_STAGES, Filing


def visible_filings(user: Any) -> QuerySet[Filing]:
    return policy.scope(
        user, Filing.objects.select_related("customer", "customer__owner", "unit", "opened_by")
    )


def visible_filing(user: Any, pk: int) -> Filing:
    try:
        return visible_filings(user).get(pk=pk)
    except Filing.DoesNotExist:
        raise Http404(_("No such record, or you may not see it.")) from None


def open_filing_of(customer: Customer) -> Filing | None:
    return Filing.objects.filter(customer=customer).exclude(stage__in=FINAL_STAGES).first()


def can_open(user: Any, customer: Customer) -> bool:
    """An account manager (or department head) may file a customer they may change that is a
    prospect (or was rejected) and has no filing under way."""
    from kehu.customers.models import CustomerStatus

    return (
        policy.has_perm(user, "filing.filing.add")
        and policy.has_perm(user, "customers.customer.change", customer)
        and customer.status in (CustomerStatus.PROSPECT, getattr(CustomerStatus, "REJECTED", ""))
        and not customer.merged_into_id
        and open_filing_of(customer) is None
    )


def card_context(request: Any, customer: Customer) -> dict[str, Any]:
    """The customer card's filing panel: the filings, the open one's checklist."""
    filings = list(
        visible_filings(request.user).filter(customer=customer).select_related("decided_by")[:10]
    )
    current = next((f for f in filings if f.is_open), None)
    entries = checklist.evaluate(customer) if current else []
    return {
        "filings": filings,
        "current_filing": current,
        "filing_missing": checklist.missing(entries),
        "can_open_filing": can_open(request.user, customer),
    }


def home_stats(user: Any) -> list[tuple[Any, int, str]]:
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    if not policy.has_perm(user, "filing.filing.view"):
        return []
    open_filings = visible_filings(user).exclude(stage__in=FINAL_STAGES)
    return [(gettext_lazy("Filings under way"), open_filings.count(), reverse("filing:list"))]
