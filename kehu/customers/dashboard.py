"""The customers' dashboard panel: customers by status, industry, province and each
classification, in the reader's scope (an account manager: their own customers)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import policy
from kehu.core.dashboard import Chart, Panel, figures
from kehu.core.models import Role
from kehu.customers.models import (
    ACTIVE_REGISTER,
    ClassificationValue,
    Customer,
    CustomerStatus,
    Industry,
)


def only_own(user: Any) -> bool:
    """An account manager (and no wider role) looks at their own customers."""
    held = policy.roles(user)
    return Role.ACCOUNT_MANAGER in held and not held & {
        Role.DEPARTMENT_HEAD,
        Role.GENERAL_MANAGER,
        Role.COMPLIANCE,
        Role.CREDIT_MANAGER,
        Role.AUDITOR,
    }


def _counts(queryset: Any, key: str) -> list[tuple[Any, int]]:
    rows = queryset.order_by().values(key).annotate(n=Count("pk", distinct=True))
    return sorted(((row[key], row["n"]) for row in rows), key=lambda r: -r[1])


def _list_url(**params: Any) -> str:
    return reverse("generic:customers_list") + "?" + urlencode(params)


def build(user: Any) -> list[Chart]:
    customers = policy.scope(user, Customer.objects.all())
    mine: dict[str, Any] = {}
    if only_own(user):
        customers = customers.filter(owner_id=user.pk)
        mine = {"owner": user.pk}
    active = customers.filter(status__in=ACTIVE_REGISTER)
    statuses = dict(CustomerStatus.choices)
    by_status = sorted(_counts(customers, "status"), key=lambda r: list(statuses).index(r[0]))
    charts = [
        Chart(
            "customers-status",
            _("Customers by status"),
            figures(by_status, statuses, lambda s: _list_url(status=s, **mine)),
            kind="pie",
        ),
        Chart(
            "customers-industry",
            _("Active register by industry"),
            figures(
                _counts(active, "industry"),
                dict(Industry.choices),
                lambda i: _list_url(industry=i, **mine),
            ),
        ),
        Chart(
            "customers-province",
            _("Active register by province"),
            figures(_counts(active, "province"), {}, lambda p: _list_url(province=p, **mine)),
        ),
    ]
    by_value = _counts(active.filter(classifications__dimension__is_active=True), "classifications")
    values = {
        v.pk: v
        for v in ClassificationValue.objects.filter(
            pk__in=[pk for pk, _n in by_value]
        ).select_related("dimension")
    }
    dimensions: dict[Any, list[tuple[Any, int]]] = {}
    for pk, count in by_value:
        dimensions.setdefault(values[pk].dimension, []).append((pk, count))
    for dimension, rows in sorted(dimensions.items(), key=lambda d: (d[0].order, d[0].pk)):
        field = f"cls_{dimension.code}"

        def value_url(pk: Any, field: str = field) -> str:
            return _list_url(**{field: pk}, **mine)

        charts.append(
            Chart(
                f"customers-cls-{dimension.code}",
                _("Active register by %(dimension)s") % {"dimension": dimension.name},
                figures(rows, lambda pk: values[pk].name, value_url),
            )
        )
    return charts


PANEL = Panel(
    "customers",
    gettext_lazy("Customers at a glance"),
    lambda user: policy.has_perm(user, "customers.customer.view"),
    build,
    order=20,
)
