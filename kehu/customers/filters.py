"""Filters of the customer list (CUS-15), shared by the page, the export and the API. Other
contexts add filters of their own facts about a customer (filing: on the watch list) with
`register_list_filter` from their `ready`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kehu.core import policy
from kehu.core.models import OrgUnit, User
from kehu.customers import freshness
from kehu.customers.models import (
    ACTIVE_REGISTER,
    BankAccount,
    ClassificationDimension,
    ClassificationValue,
    Contact,
    Customer,
    CustomerKind,
    CustomerStatus,
    Industry,
    Nature,
)
from kehu.customers.selectors import classification_filters, scope_filter_choices
from kehu.customers.validation import PROVINCES
from kehu.generic.filtering import IdFilter, ListFilterSet

REGISTER_CHOICES = [
    ("active", _("Active register")),
    ("inactive", _("Left the register (suspended, past, closed)")),
    ("all", _("All")),
]


class _OfferedIdField(django_filters.fields.ChoiceField):
    """Offers the (cached) choices, accepts any record id: a department or value added a
    moment ago in another server process is a valid filter before this one offers it."""

    def valid_value(self, value: Any) -> bool:
        text = str(value)
        if text.isascii() and text.isdigit():
            return int(text) < 2**63  # what a database's id column holds
        return bool(super().valid_value(value))


class OfferedIdFilter(django_filters.ChoiceFilter):
    field_class = _OfferedIdField


# Filters registered by other contexts: name -> a function making a fresh filter.
_LIST_FILTERS: dict[str, Callable[[], django_filters.Filter]] = {}


def register_list_filter(name: str, make: Callable[[], django_filters.Filter]) -> None:
    _LIST_FILTERS[name] = make


class CustomerFilter(ListFilterSet):
    register = django_filters.ChoiceFilter(
        label=_("Register"), choices=REGISTER_CHOICES, method="by_register", empty_label=None
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CustomerKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CustomerStatus.choices)
    unit = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=OrgUnit.objects.filter(kind="department")
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Account manager"),
        queryset=User.objects.filter(role_assignments__role="account_manager").distinct(),
    )
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=Industry.choices)
    nature = django_filters.ChoiceFilter(label=_("Nature"), choices=Nature.choices)
    province = django_filters.ChoiceFilter(label=_("Province"), choices=[(p, p) for p in PROVINCES])
    city = django_filters.CharFilter(label=_("City"), method="by_city")
    stale = django_filters.BooleanFilter(
        label=_("Stale (not verified for too long)"), method="by_stale"
    )

    class Meta:
        model = Customer
        fields = [
            "register",
            "kind",
            "status",
            "unit",
            "owner",
            "industry",
            "nature",
            "province",
            "city",
            "stale",
        ]

    def __init__(self, data: Any = None, *args: Any, user: Any = None, **kwargs: Any) -> None:
        data = data.copy() if data is not None else {}
        # The API filters its detail routes too: a suspended customer is read, changed and
        # reinstated there by its number, so only lists default to the active register.
        context = getattr(kwargs.get("request"), "parser_context", None) or {}
        detail = getattr(context.get("view"), "detail", False)
        # A chosen status decides the register: the list's form sends its register select
        # (by default "active") along, and "suspended, in the active register" is nothing.
        if data.get("status") or detail:
            data["register"] = "all"
        elif not data.get("register"):
            data["register"] = "active"
        super().__init__(data, *args, **kwargs)
        user = user or getattr(kwargs.get("request"), "user", None)
        if user is not None:
            self._scope_choices(user)
        for code, name, values in classification_filters():
            self.filters[f"cls_{code}"] = OfferedIdFilter(
                label=name, field_name="classifications", choices=values
            )
        for filter_name, make in _LIST_FILTERS.items():
            self.filters[filter_name] = make()

    def _scope_choices(self, user: Any) -> None:
        """Offer the departments and account managers of the reader's scope, not the whole
        group's (a large group has thousands of account managers)."""
        paths = policy.unit_paths_where(user, "customers.customer.view")
        units, managers = scope_filter_choices(paths)
        self.filters["unit"] = OfferedIdFilter(
            label=_("Department"), field_name="unit", choices=units
        )
        self.filters["owner"] = OfferedIdFilter(
            label=_("Account manager"), field_name="owner", choices=managers
        )

    def by_city(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        """ "北京" and "北京市" are the same city."""
        city = value.strip().removesuffix("市")
        return queryset.filter(city__in=[city, f"{city}市"]) if city else queryset

    def by_stale(
        self, queryset: QuerySet[Customer], name: str, value: bool | None
    ) -> QuerySet[Customer]:
        if value is None:
            return queryset
        stale = freshness.stale_q()
        return queryset.filter(stale) if value else queryset.exclude(stale)

    def by_register(
        self, queryset: QuerySet[Customer], name: str, value: str
    ) -> QuerySet[Customer]:
        if value == "active":
            return queryset.filter(status__in=ACTIVE_REGISTER)
        if value == "inactive":
            return queryset.exclude(status__in=ACTIVE_REGISTER)
        return queryset


class ContactFilter(ListFilterSet):
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Contact.ContactRole.choices)
    is_primary = django_filters.BooleanFilter(label=_("primary contact"))
    customer = IdFilter(label=_("Customer number"), field_name="customer_id")

    class Meta:
        model = Contact
        fields = ["role", "is_primary", "customer"]


class BankAccountFilter(ListFilterSet):
    customer = IdFilter(label=_("Customer number"), field_name="customer_id")

    class Meta:
        model = BankAccount
        fields = ["customer"]


class DimensionFilter(ListFilterSet):
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = ClassificationDimension
        fields = ["is_active"]


class ValueFilter(ListFilterSet):
    dimension = django_filters.ModelChoiceFilter(
        label=_("dimension"), queryset=ClassificationDimension.objects.all()
    )

    class Meta:
        model = ClassificationValue
        fields = ["dimension", "is_active"]
