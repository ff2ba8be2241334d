"""List filters of the contract record types (pages, export and API alike)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.contracts.models import (
    ChecklistItem,
    Contract,
    ContractStatus,
    ContractType,
    Currency,
    Handover,
    HandoverStatus,
    Project,
    ProjectStatus,
)
from kehu.core.models import OrgUnit
from kehu.generic.filtering import IdFilter, ListFilterSet


class ProjectFilter(ListFilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=ProjectStatus.choices)
    customer = IdFilter(label=_("customer"), field_name="customer_id")
    unit = django_filters.ModelChoiceFilter(
        label=_("Department"), field_name="customer__unit", queryset=OrgUnit.objects.all()
    )

    class Meta:
        model = Project
        fields = ["status", "customer", "unit"]


class ContractFilter(ListFilterSet):
    unit = django_filters.ModelChoiceFilter(label=_("Department"), queryset=OrgUnit.objects.all())
    contract_type = django_filters.ChoiceFilter(
        label=_("contract type"), choices=ContractType.choices
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=ContractStatus.choices)
    currency = django_filters.ChoiceFilter(label=_("currency"), choices=Currency.choices)
    customer = IdFilter(label=_("counterparty"), field_name="customer_id")
    project = IdFilter(label=_("transaction project"), field_name="project_id")
    disputed = django_filters.BooleanFilter(label=_("disputed"))
    signed_from = django_filters.DateFilter(
        label=_("signed from"), field_name="signed_on", lookup_expr="gte"
    )
    signed_to = django_filters.DateFilter(
        label=_("signed until"), field_name="signed_on", lookup_expr="lte"
    )
    amount_min = django_filters.NumberFilter(
        label=_("amount from"), field_name="amount", lookup_expr="gte"
    )
    amount_max = django_filters.NumberFilter(
        label=_("amount up to"), field_name="amount", lookup_expr="lte"
    )

    handover_overdue = django_filters.BooleanFilter(
        label=_("hand-over overdue"), method="by_handover_overdue"
    )

    class Meta:
        model = Contract
        fields = ["unit", "contract_type", "status", "currency", "customer", "project", "disputed"]

    def by_handover_overdue(
        self, queryset: QuerySet[Contract], name: str, value: Any
    ) -> QuerySet[Contract]:
        if value is None:
            return queryset
        late = Handover.objects.filter(
            contract=OuterRef("pk"), status=HandoverStatus.OPEN, due_on__lt=timezone.localdate()
        )
        return queryset.filter(Exists(late)) if value else queryset.exclude(Exists(late))


class ChecklistItemFilter(ListFilterSet):
    contract_type = django_filters.ChoiceFilter(
        label=_("contract type"), choices=ContractType.choices
    )
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = ChecklistItem
        fields = ["contract_type", "is_active"]
