import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.audit.models import AuditEvent
from kehu.records.filtering import ListFilterSet


class AuditEventFilter(ListFilterSet):
    user = django_filters.CharFilter(
        label=_("User"), field_name="actor_username", lookup_expr="iexact"
    )
    action = django_filters.CharFilter(label=_("Action"), lookup_expr="startswith")
    object_type = django_filters.CharFilter(label=_("Object type"), lookup_expr="iexact")
    object_id = django_filters.CharFilter(label=_("Object id"))
    object = django_filters.CharFilter(
        label=_("Object"), field_name="object_repr", lookup_expr="icontains"
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

    class Meta:
        model = AuditEvent
        fields = ["user", "action", "object_type", "object_id", "object", "since", "until"]
