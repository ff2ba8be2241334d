"""The credit dashboard panel: customers on credit hold, the exposure (open receivables and
orders) and the overdue receivables by ageing bucket, of the accounts in the reader's scope
(an account manager: their own customers)."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import policy
from kehu.core.dashboard import Chart, Figure, Panel
from kehu.credit.exposure import BUCKETS
from kehu.credit.models import Receivable
from kehu.credit.selectors import held_condition, visible_accounts
from kehu.customers.dashboard import only_own
from kehu.customers.models import ACTIVE_REGISTER, Customer


def credit_hold_filter() -> django_filters.Filter:
    """The customer list's filter "On credit hold" (registered with the customers app)."""
    return django_filters.BooleanFilter(label=gettext_lazy("On credit hold"), method=_held)


def _held(queryset: QuerySet[Customer], name: str, value: bool | None) -> QuerySet[Customer]:
    if value is None:
        return queryset
    return queryset.filter(held_condition()) if value else queryset.exclude(held_condition())


def _bucket(first: int, last: int | None, today: datetime.date) -> Q:
    condition = Q(due_date__lte=today - datetime.timedelta(days=max(first, 1)))
    if last is not None:
        condition &= Q(due_date__gte=today - datetime.timedelta(days=last))
    return condition


def build(user: Any) -> list[Chart]:
    accounts = visible_accounts(user)
    if only_own(user):
        held = policy.scope(user, Customer.objects.filter(owner_id=user.pk))
        customers_url = reverse("generic:customers_list")
        hold = Figure(
            _("On credit hold"),
            held.filter(held_condition()).filter(status__in=ACTIVE_REGISTER).count(),
            f"{customers_url}?credit_hold=true&owner={user.pk}",
        )
        accounts = accounts.filter(customer__owner_id=user.pk)
    else:
        hold = Figure(
            _("On credit hold"),
            accounts.filter(held=True).count(),
            reverse("credit:register") + "?held=1",
        )
    exposure = accounts.order_by().aggregate(
        receivables=Sum("open_receivables"), orders=Sum("open_orders")
    )
    today = timezone.localdate()
    open_items = Receivable.objects.filter(
        open_amount__gt=0, customer_id__in=accounts.values("customer_id")
    )
    ageing = open_items.order_by().aggregate(
        **{
            label: Sum("open_amount", filter=_bucket(first, last, today))
            for label, first, last in BUCKETS
        }
    )
    return [
        Chart("credit-hold", _("Credit hold"), [hold], kind="numbers"),
        Chart(
            "credit-exposure",
            _("Exposure (yuan)"),
            [
                Figure(_("Open receivables"), int(exposure["receivables"] or 0)),
                Figure(_("Open orders"), int(exposure["orders"] or 0)),
            ],
            kind="pie",
        ),
        Chart(
            "credit-ageing",
            _("Overdue receivables by days past due (yuan)"),
            [Figure(label, int(ageing[label] or 0)) for label, _first, _last in BUCKETS],
        ),
    ]


PANEL = Panel(
    "credit",
    gettext_lazy("Credit"),
    lambda user: policy.has_perm(user, "credit.creditaccount.view"),
    build,
    order=50,
)
