"""The page where a user declares (or changes) the purpose of their work with personal data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kehu.audit import purpose
from kehu.privacy.forms import PurposeForm


@login_required
def declare_purpose(request: HttpRequest) -> HttpResponse:
    next_url = purpose.safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    current = purpose.session_purpose(request)
    initial = {"purpose": current.choice, "note": current.note} if current.declared_at else {}
    form = PurposeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                purpose.declare(request, form.cleaned_data["purpose"], form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(next_url)
    return render(
        request,
        "privacy/purpose.html",
        {
            "form": form,
            "next": next_url,
            "current": purpose.label(current) if current.declared_at else "",
        },
        status=400 if request.method == "POST" else 200,
    )
