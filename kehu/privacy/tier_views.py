"""The administrator's page of sensitivity tiers; thin — kehu.privacy.tiers decides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.core.access import requires
from kehu.privacy import tiers
from kehu.privacy.forms import TiersForm


@login_required
@requires("privacy.sensitivitytiers.change")
def tier_settings(request: HttpRequest) -> HttpResponse:
    form = TiersForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tiers.save(*form.values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Sensitivity tiers saved."))
            return redirect(reverse("privacy:tiers"))
    status = 400 if request.method == "POST" else 200
    return render(request, "privacy/tiers.html", {"form": form}, status=status)
