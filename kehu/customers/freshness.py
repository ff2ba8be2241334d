"""How fresh a customer's data is: the date it was last verified and the staleness rule that
says when that is too long ago. The rule (periods, risk) belongs to the register review, which
sets it from its `ready()` (`set_rule`); without one no customer is stale."""

from __future__ import annotations

import datetime
from typing import Protocol

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
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


def stale_condition() -> ExpressionWrapper:
    """Whether a customer row is stale today, as the customer list's flag annotates it."""
    return ExpressionWrapper(stale_q(), BooleanField())
