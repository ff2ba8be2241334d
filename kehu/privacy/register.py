"""The register of every access grant (SEC-1) for whoever reviews them (the auditor): a
read-only list with filters, its Excel export and (in kehu.privacy.api) the same in the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import policy
from kehu.core.access import requires
from kehu.core.models import AccessGrant
from kehu.generic.export import export_queryset
from kehu.generic.filtering import ListFilterSet
from kehu.generic.listing import keyset_page
from kehu.privacy.grants import all_grants_visible_to

VIEW_PERM = "core.accessgrant.view"
EXPORT_PERM = "core.accessgrant.export"

STATES = [
    ("running", gettext_lazy("Running")),
    ("expired", gettext_lazy("Expired")),
    ("revoked", gettext_lazy("Revoked")),
]

COLUMNS = [
    ("pk", gettext_lazy("No.")),
    ("user", gettext_lazy("User")),
    ("object_type", gettext_lazy("Object type")),
    ("object_id", gettext_lazy("Object id")),
    ("object_repr", gettext_lazy("Object")),
    ("actions", gettext_lazy("Allows")),
    ("granted_at", gettext_lazy("Granted at")),
    ("until", gettext_lazy("Valid until")),
    ("granted_by", gettext_lazy("Granted by")),
    ("reason", gettext_lazy("Reason")),
    ("revoked_at", gettext_lazy("Revoked at")),
    ("revoked_by", gettext_lazy("Revoked by")),
]


class AccessGrantFilter(ListFilterSet):
    user = django_filters.CharFilter(
        label=gettext_lazy("User"), field_name="user__username", lookup_expr="iexact"
    )
    granted_by = django_filters.CharFilter(
        label=gettext_lazy("Granted by"), field_name="granted_by__username", lookup_expr="iexact"
    )
    object_type = django_filters.CharFilter(label=gettext_lazy("Object type"), lookup_expr="iexact")
    object_id = django_filters.CharFilter(label=gettext_lazy("Object id"))
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("State"), choices=STATES, method="filter_state"
    )
    since = django_filters.DateTimeFilter(
        label=gettext_lazy("From"),
        field_name="granted_at",
        lookup_expr="gte",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    until = django_filters.DateTimeFilter(
        label=gettext_lazy("To"),
        field_name="granted_at",
        lookup_expr="lte",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    class Meta:
        model = AccessGrant
        fields = ["user", "granted_by", "object_type", "object_id", "state", "since", "until"]

    def filter_state(
        self, queryset: QuerySet[AccessGrant], name: str, value: str
    ) -> QuerySet[AccessGrant]:
        now = timezone.now()
        if value == "running":
            return queryset.filter(revoked_at__isnull=True, until__gt=now)
        if value == "expired":
            return queryset.filter(revoked_at__isnull=True, until__lte=now)
        return queryset.filter(~Q(revoked_at=None))


def filtered(user: Any, params: Any) -> tuple[AccessGrantFilter, QuerySet[AccessGrant]]:
    """The grants `user` may review, filtered by `params` (none on invalid filters)."""
    base = all_grants_visible_to(user)
    filterset = AccessGrantFilter(params, queryset=base)
    return filterset, filterset.qs if filterset.is_valid() else base.none()


@login_required
@requires(VIEW_PERM)
def register(request: HttpRequest) -> HttpResponse:
    filterset, rows = filtered(request.user, request.GET)
    page = keyset_page(rows, "-pk", 50, request.GET.get("after", ""), request.GET.get("before", ""))
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("before", None)
    return render(
        request,
        "privacy/grant_register.html",
        {
            "filterset": filterset,
            "page": page,
            "query": params.urlencode(),
            "now": timezone.now(),
            "can_export": policy.has_perm(request.user, EXPORT_PERM),
        },
    )


@login_required
@requires(EXPORT_PERM)
def register_export(request: HttpRequest) -> HttpResponse:
    _filterset, rows = filtered(request.user, request.GET)
    title = str(_("Access grants"))
    content = export_queryset(
        "core.accessgrant",
        title,
        [(name, str(label)) for name, label in COLUMNS],
        rows.order_by("pk"),
        request.user,
        dict(request.GET.items()),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="access-grants-{stamp}.xlsx"'
    return response
