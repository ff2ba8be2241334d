"""How fresh a customer's data is: the date it was last verified and the staleness rule that
says when that is too long ago. The rule (periods, risk) belongs to the register review, which
sets it from its `ready()` (`set_rule`); without one no customer is stale."""

from __future__ import annotations

import datetime
from typing import Any, Protocol

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

STALE_LABEL = _("Stale")


class StalenessRule(Protocol):
    def stale_q(self, today: datetime.date) -> Q:
        """The customers whose data is stale on `today`, as a filter of Customer rows."""
        ...


_rule: StalenessRule | None = None


def set_rule(rule: StalenessRule) -> None:
    global _rule
    _rule = rule


def stale_q(today: datetime.date | None = None) -> Q:
    if _rule is None:
        return Q(pk__in=[])
    return _rule.stale_q(today or timezone.localdate())


def with_stale_flag(rows: QuerySet[Any], today: datetime.date | None = None) -> QuerySet[Any]:
    """`rows` with `stale_flag` on each, for the list's badge (no query per row)."""
    return rows.annotate(stale_flag=ExpressionWrapper(stale_q(today), BooleanField()))


class Badge(str):
    """A label that lists show as a badge and exports as its plain text."""

    def __html__(self) -> str:
        return str(format_html('<span class="badge bg-orange-lt">{}</span>', str(self)))


def badge_of(customer: Any) -> str:
    """The list's freshness cell: a "stale" badge or nothing."""
    flag = getattr(customer, "stale_flag", None)
    if flag is None:
        flag = type(customer).objects.filter(stale_q(), pk=customer.pk).exists()
    return Badge(str(STALE_LABEL)) if flag else ""
