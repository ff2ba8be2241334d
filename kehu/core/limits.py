"""The administrator's access limits (SEC-1, SEC-5): the longest access grant and the longest
API token lifetime. One row (`AccessLimits`), kept like the retention periods."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core.access import requires
from kehu.core.models import AccessLimits

FIELDS = ["grant_max_days", "token_max_days"]


class AccessLimitsForm(forms.ModelForm[AccessLimits]):
    class Meta:
        model = AccessLimits
        fields = FIELDS


def save_limits(values: dict[str, Any]) -> AccessLimits:
    with transaction.atomic():
        current = AccessLimits.current()
        locked = AccessLimits.objects.select_for_update().get(pk=current.pk)
        changes = {
            f: [getattr(locked, f), values[f]] for f in FIELDS if getattr(locked, f) != values[f]
        }
        for field in FIELDS:
            setattr(locked, field, values[field])
        locked.save()
        record("core.accesslimits.update", locked, changes=changes)
    return locked


@login_required
@requires("core.accesslimits.change")
def access_limits(request: HttpRequest) -> HttpResponse:
    form = AccessLimitsForm(request.POST or None, instance=AccessLimits.current())
    if request.method == "POST" and form.is_valid():
        save_limits(form.cleaned_data)
        messages.success(request, _("Access limits saved."))
        return redirect("core:access_limits")
    status = 400 if request.method == "POST" else 200
    return render(request, "core/access_limits.html", {"form": form}, status=status)
