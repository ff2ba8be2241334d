"""The staleness rule (REV-2): an active customer not verified within the administrator's
period (shorter for high-risk customers) is stale. Set as the customers' rule from `ready()`."""

from __future__ import annotations

import calendar as month_calendar
import datetime

from django.db.models import Q
from django.utils import timezone

from kehu.customers.models import Customer, CustomerStatus
from kehu.reviews.models import ReviewSettings
from kehu.reviews.selection import high_risk_q


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier (the month's last day when it has fewer days)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    last = month_calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def months_after(day: datetime.date, months: int) -> datetime.date:
    return months_before(day, -months)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def verified_before(day: datetime.date) -> Q:
    """Customers last verified before `day` (never verified counts as before)."""
    return Q(last_verified_at__lt=_start_of(day)) | Q(last_verified_at__isnull=True)


class ReviewStalenessRule:
    """The customers' staleness rule (kehu.customers.freshness) from the review settings."""

    def stale_q(self, today: datetime.date) -> Q:
        config = ReviewSettings.current()
        normal = verified_before(months_before(today, config.stale_months))
        risky = verified_before(months_before(today, config.stale_months_high_risk))
        return Q(status=CustomerStatus.ACTIVE) & (
            (high_risk_q() & risky) | (~high_risk_q() & normal)
        )


def period_months(high_risk: bool, config: ReviewSettings) -> int:
    return config.stale_months_high_risk if high_risk else config.stale_months


def stale_on(customer: Customer, high_risk: bool, config: ReviewSettings) -> datetime.date:
    """The day the customer's data becomes stale unless verified again."""
    verified = customer.last_verified_at or customer.created_at
    day = timezone.localdate(verified)
    return months_after(day, period_months(high_risk, config))


RULE = ReviewStalenessRule()
