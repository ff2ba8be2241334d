from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kehu.core.models import CalendarDay, CalendarYear, OrgUnit, Role, UnitKind, User
from kehu.generic.filtering import ListFilterSet, YearFilter


class OrgUnitFilter(ListFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=UnitKind.choices)
    parent = django_filters.ModelChoiceFilter(
        label=_("Parent unit"), queryset=OrgUnit.objects.all()
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = OrgUnit
        fields = ["kind", "parent", "is_active"]


class UserFilter(ListFilterSet):
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=OrgUnit.objects.all())
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, method="by_role")
    is_active = django_filters.BooleanFilter(label=_("Active"))
    locked = django_filters.BooleanFilter(
        label=_("Locked"), field_name="locked_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = User
        fields = ["unit", "role", "is_active", "locked"]

    def by_role(self, queryset: QuerySet[User], name: str, value: Any) -> QuerySet[User]:
        return queryset.filter(role_assignments__role=value).distinct()


class CalendarDayFilter(ListFilterSet):
    year = YearFilter(field_name="date__year", label=_("Year"))
    is_working = django_filters.BooleanFilter(label=_("Working day"))

    class Meta:
        model = CalendarDay
        fields = ["year", "is_working"]


class CalendarYearFilter(ListFilterSet):
    class Meta:
        model = CalendarYear
        fields = ["year"]
