"""Which customers a campaign reviews: every active customer in a review month, and in any
month the customers an "extra review due" provider names. Providers are pluggable (credit,
contracts): `register_extra_review(provider)`; the default one names the high-risk customers
in the administrator's mid-cycle month."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet

from kehu.customers.models import Customer, CustomerStatus
from kehu.filing.models import Filing, RiskLevel
from kehu.reviews.models import ReviewSettings

# (month's first day, settings) -> the active customers due for an extra review that month.
ExtraReviewProvider = Callable[[datetime.date, ReviewSettings], QuerySet[Customer]]
_PROVIDERS: list[ExtraReviewProvider] = []


def register_extra_review(provider: ExtraReviewProvider) -> ExtraReviewProvider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def active_customers() -> QuerySet[Customer]:
    return Customer.objects.filter(status=CustomerStatus.ACTIVE)


def high_risk_q() -> Q:
    """Customers whose filing found them high-risk or whose risk report rates them high."""
    risky = Filing.objects.filter(customer=OuterRef("pk")).filter(
        Q(high_risk=True) | Q(risk_report__risk_level=RiskLevel.HIGH)
    )
    return Q(Exists(risky))


def is_high_risk(customer: Customer) -> bool:
    return Customer.objects.filter(high_risk_q(), pk=customer.pk).exists()


@register_extra_review
def high_risk_in_mid_cycle(month: datetime.date, config: ReviewSettings) -> QuerySet[Customer]:
    if config.mid_cycle_month != month.month:
        return Customer.objects.none()
    return active_customers().filter(high_risk_q())


def is_review_month(month: datetime.date, config: ReviewSettings) -> bool:
    return month.month in config.month_numbers()


def customers_to_review(month: datetime.date, config: ReviewSettings) -> QuerySet[Customer]:
    """The customers of the month's campaign (none when the month has no review at all)."""
    if is_review_month(month, config):
        return active_customers()
    ids: set[int] = set()
    for provider in _PROVIDERS:
        ids.update(provider(month, config).values_list("pk", flat=True))
    return active_customers().filter(pk__in=sorted(ids))
