"""List filters of the filing configuration's record types."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import CustomerKind, Industry
from kehu.filing.models import (
    ChecklistItem,
    ItemKind,
    RiskRule,
    RuleKind,
    WatchList,
    WatchListEntry,
)
from kehu.generic.filtering import ListFilterSet


class ChecklistItemFilter(ListFilterSet):
    customer_kind = django_filters.ChoiceFilter(
        label=_("customer kind"), choices=CustomerKind.choices
    )
    industry = django_filters.ChoiceFilter(label=_("industry"), choices=Industry.choices)
    item_kind = django_filters.ChoiceFilter(label=_("item kind"), choices=ItemKind.choices)
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = ChecklistItem
        fields = ["customer_kind", "industry", "item_kind", "is_active"]


class WatchListEntryFilter(ListFilterSet):
    list_kind = django_filters.ChoiceFilter(label=_("list"), choices=WatchList.choices)
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = WatchListEntry
        fields = ["list_kind", "is_active"]


class RiskRuleFilter(ListFilterSet):
    kind = django_filters.ChoiceFilter(label=_("rule"), choices=RuleKind.choices)
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = RiskRule
        fields = ["kind", "is_active"]
