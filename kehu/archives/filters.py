"""List filters of the archive record types (pages and API alike)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kehu.archives.models import (
    ArchiveCategory,
    Cabinet,
    Confidentiality,
    Dossier,
    DossierItem,
    Medium,
    Retention,
    Stage,
)
from kehu.core.models import OrgUnit
from kehu.customers.models import CustomerStatus
from kehu.generic.filtering import IdFilter, ListFilterSet, YearFilter

# Dossiers of customers that stopped trading are kept apart (ARC-7).
KEPT_APART = (CustomerStatus.SUSPENDED, CustomerStatus.PAST, CustomerStatus.CLOSED)


class CategoryFilter(ListFilterSet):
    retention = django_filters.ChoiceFilter(label=_("retention"), choices=Retention.choices)
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = ArchiveCategory
        fields = ["retention", "is_active"]


class CabinetFilter(ListFilterSet):
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Cabinet
        fields = ["is_active"]


class DossierFilter(ListFilterSet):
    unit = django_filters.ModelChoiceFilter(
        label=_("Department"), field_name="customer__unit", queryset=OrgUnit.objects.all()
    )
    category = django_filters.ModelChoiceFilter(
        label=_("category"), queryset=ArchiveCategory.objects.all()
    )
    confidentiality = django_filters.ChoiceFilter(
        label=_("confidentiality"), choices=Confidentiality.choices
    )
    stage = django_filters.ChoiceFilter(label=_("kept at"), choices=Stage.choices)
    cabinet = django_filters.ModelChoiceFilter(label=_("cabinet"), queryset=Cabinet.objects.all())
    numbered = django_filters.BooleanFilter(label=_("numbered"), method="by_numbered")
    kept_apart = django_filters.BooleanFilter(
        label=_("Suspended or past customers"), method="by_kept_apart"
    )

    class Meta:
        model = Dossier
        fields = ["unit", "category", "confidentiality", "stage", "cabinet"]

    def by_numbered(self, queryset: QuerySet[Dossier], name: str, value: Any) -> QuerySet[Dossier]:
        if value is None:
            return queryset
        return queryset.exclude(archive_number="") if value else queryset.filter(archive_number="")

    def by_kept_apart(
        self, queryset: QuerySet[Dossier], name: str, value: Any
    ) -> QuerySet[Dossier]:
        if value is None:
            return queryset
        apart = {"customer__status__in": KEPT_APART}
        return queryset.filter(**apart) if value else queryset.exclude(**apart)


class ItemFilter(ListFilterSet):
    category = django_filters.ModelChoiceFilter(
        label=_("category"), queryset=ArchiveCategory.objects.all()
    )
    retention = django_filters.ChoiceFilter(label=_("retention"), choices=Retention.choices)
    medium = django_filters.ChoiceFilter(label=_("medium"), choices=Medium.choices)
    year = YearFilter(label=_("year"))
    dossier = IdFilter(label=_("dossier"), field_name="dossier_id")
    filed_from = django_filters.DateFilter(
        label=_("filed from"), field_name="filed_at", lookup_expr="date__gte"
    )
    filed_to = django_filters.DateFilter(
        label=_("filed until"), field_name="filed_at", lookup_expr="date__lte"
    )

    class Meta:
        model = DossierItem
        fields = ["category", "retention", "medium", "year", "dossier"]
