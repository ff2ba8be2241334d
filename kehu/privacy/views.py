"""Privacy pages; thin — the services and the policy decide."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kehu.core import masking, policy
from kehu.privacy import services
from kehu.privacy.forms import RevealForm
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
        from django.urls import reverse

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
