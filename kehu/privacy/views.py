"""Privacy pages; thin — the services and the policy decide."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core import masking, policy
from kehu.customers.models import Customer
from kehu.privacy import grants, services
from kehu.privacy.forms import GrantForm, RevealForm, RevokeForm
from kehu.records import registry


def visible_object(request: HttpRequest, label: str, pk: int) -> Model:
    """An object of any registered model the user may see, else 404."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None
    found = policy.scope(request.user, model._default_manager.all()).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such record, or you may not see it."))
    return found


@login_required
def reveal(request: HttpRequest, label: str, pk: int, field: str) -> HttpResponse:
    obj = visible_object(request, label, pk)
    spec = masking.spec(obj, field)
    if spec is None:
        raise Http404
    if not masking.may_reveal(request.user, obj):
        raise PermissionDenied(_("You may not reveal this value."))
    form = RevealForm(request.POST or None)
    value = None
    if request.method == "POST" and form.is_valid():
        try:
            value = services.reveal(request.user, obj, field, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
    record_type = registry.for_model(type(obj))
    back = ""
    if record_type is not None:
        back = reverse(record_type.url_name("detail"), args=[obj.pk])
    return render(
        request,
        "privacy/reveal.html",
        {
            "obj": obj,
            "field_label": getattr(obj._meta.get_field(field), "verbose_name", field),
            "masked": masking.masked(obj, field),
            "value": value,
            "form": form,
            "back": back,
        },
        status=400 if request.method == "POST" and value is None else 200,
    )


@login_required
def grant_new(request: HttpRequest, pk: int) -> HttpResponse:
    customer = visible_object(request, "customers.customer", pk)
    assert isinstance(customer, Customer)
    if not grants.may_grant(request.user, customer):
        raise PermissionDenied(_("You may not grant access to this customer."))
    form = GrantForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            grants.grant(customer, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(user)s may access this customer until %(until)s.")
                % {
                    "user": form.cleaned_data["user"],
                    "until": timezone.localtime(form.cleaned_data["until"]).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                },
            )
            return redirect(reverse("records:customers_detail", args=[customer.pk]))
    return render(
        request,
        "privacy/grant_form.html",
        {"customer": customer, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_object_or_404(grants.customer_grants(), pk=pk)
    form = RevokeForm(request.POST)
    if not grants.may_revoke(request.user, access):
        raise PermissionDenied(_("You may not revoke this grant."))
    if not form.is_valid():
        messages.error(request, _("Give the reason for revoking the grant."))
    else:
        grants.revoke(access, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The grant was revoked."))
    return redirect(request.POST.get("next") or reverse("privacy:grants"))


@login_required
def grant_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "privacy/grants.html",
        {
            "received": grants.received(request.user),
            "issued": grants.issued_visible_to(request.user).order_by("-granted_at")[:200],
            "now": now,
        },
    )
