"""The register of cabinet checks (ARC-3, ARC-9): every monthly check with its lock and care
items (disinfection, damp, dust), filterable by cabinet, time and problems found, and its
Excel export."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.archives.models import Cabinet, CabinetCheck
from kehu.core import policy
from kehu.core.access import requires
from kehu.generic.export import export_queryset
from kehu.generic.filtering import ListFilterSet
from kehu.generic.listing import keyset_page

VIEW_PERM = "archives.cabinet.view"
EXPORT_PERM = "archives.cabinet.export"

COLUMNS = [
    ("cabinet.code", gettext_lazy("cabinet")),
    ("checked_on", gettext_lazy("checked on")),
    ("checked_by", gettext_lazy("checked by")),
    ("lock_ok", gettext_lazy("lock in order")),
    ("damp_ok", gettext_lazy("dry, no damp")),
    ("damp_note", gettext_lazy("damp care note")),
    ("disinfected", gettext_lazy("disinfected")),
    ("disinfection_note", gettext_lazy("disinfection note")),
    ("dust_ok", gettext_lazy("free of dust")),
    ("dust_note", gettext_lazy("dust care note")),
    ("has_problem", gettext_lazy("problem found")),
    ("note", gettext_lazy("note")),
]


class CabinetCheckFilter(ListFilterSet):
    cabinet = django_filters.ModelChoiceFilter(
        label=gettext_lazy("cabinet"), queryset=Cabinet.objects.order_by("code")
    )
    has_problem = django_filters.BooleanFilter(label=gettext_lazy("problem found"))
    since = django_filters.DateFilter(
        label=gettext_lazy("From"),
        field_name="checked_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=gettext_lazy("To"),
        field_name="checked_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = CabinetCheck
        fields = ["cabinet", "has_problem", "since", "until"]


def filtered(params: Any) -> tuple[CabinetCheckFilter, QuerySet[CabinetCheck]]:
    """The checks filtered by `params` (none on invalid filters)."""
    base = CabinetCheck.objects.select_related("cabinet", "checked_by")
    filterset = CabinetCheckFilter(params, queryset=base)
    return filterset, filterset.qs if filterset.is_valid() else base.none()


@login_required
@requires(VIEW_PERM)
def register(request: HttpRequest) -> HttpResponse:
    filterset, rows = filtered(request.GET)
    page = keyset_page(rows, "-pk", 50, request.GET.get("after", ""), request.GET.get("before", ""))
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("before", None)
    return render(
        request,
        "archives/check_register.html",
        {
            "filterset": filterset,
            "page": page,
            "query": params.urlencode(),
            "can_export": policy.has_perm(request.user, EXPORT_PERM),
        },
    )


@login_required
@requires(EXPORT_PERM)
def register_export(request: HttpRequest) -> HttpResponse:
    _filterset, rows = filtered(request.GET)
    content = export_queryset(
        "archives.cabinetcheck",
        str(_("Cabinet checks")),
        [(name, str(label)) for name, label in COLUMNS],
        rows.order_by("-checked_on", "-pk"),
        request.user,
        dict(request.GET.items()),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="cabinet-checks-{stamp}.xlsx"'
    return response
