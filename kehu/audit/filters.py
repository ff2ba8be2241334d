from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from kehu.audit import search
from kehu.audit.models import AuditEvent
from kehu.audit.purpose import PURPOSES
from kehu.generic.filtering import ListFilterSet


def purpose_choices() -> list[tuple[str, Any]]:
    return [*PURPOSES, ("api", "API"), ("undeclared", _("Undeclared"))]


@extend_schema_field(OpenApiTypes.STR)
class PurposeFilter(django_filters.ChoiceFilter):
    """A choice over a JSON key: the schema says it is a string (one of the purposes)."""


class AuditEventFilter(ListFilterSet):
    user = django_filters.CharFilter(label=_("User"), method="filter_user")
    action = django_filters.CharFilter(label=_("Action"), method="filter_action")
    customer = django_filters.NumberFilter(
        label=_("Customer number"), method="filter_customer", min_value=1
    )
    object_type = django_filters.CharFilter(label=_("Object type"), lookup_expr="iexact")
    object_id = django_filters.CharFilter(label=_("Object id"))
    object = django_filters.CharFilter(
        label=_("Object"), field_name="object_repr", lookup_expr="icontains"
    )
    # The purpose of use a read of personal data was recorded with (kehu.audit.purpose).
    purpose = PurposeFilter(
        label=_("Purpose of use"), field_name="extra__purpose", choices=purpose_choices
    )
    since = django_filters.DateTimeFilter(
        label=_("From"),
        field_name="occurred_at",
        lookup_expr="gte",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    until = django_filters.DateTimeFilter(
        label=_("To"),
        field_name="occurred_at",
        lookup_expr="lte",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def filter_user(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> Any:
        """By login name or by (part of) the full name."""
        return queryset.filter(search.user_query(value)) if value.strip() else queryset

    def filter_action(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> Any:
        """By the action's words in either language or a part of its code."""
        return queryset.filter(search.action_query(value)) if value.strip() else queryset

    def filter_customer(self, queryset: QuerySet[AuditEvent], name: str, value: Any) -> Any:
        """The customer's events and those of its contacts, accounts, documents, filings …"""
        return queryset.filter(search.customer_query(int(value))) if value else queryset

    class Meta:
        model = AuditEvent
        fields = [
            "user",
            "action",
            "customer",
            "object_type",
            "object_id",
            "object",
            "purpose",
            "since",
            "until",
        ]
