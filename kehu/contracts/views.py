"""Contract pages beyond the generic record pages: settings and the status steps. Thin:
services and selectors do the work; the policy decides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.contracts import forms, selectors, services
from kehu.contracts.models import ContractSettings
from kehu.core.access import get_visible_or_404, require, requires
from kehu.core.forms import add_errors
from kehu.generic.services import StaleEditError


@login_required
@requires("contracts.contractsettings.change")
def settings_page(request: HttpRequest) -> HttpResponse:
    config = ContractSettings.current()
    form = forms.SettingsForm(request.POST or None, instance=config)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = int(request.POST.get("_version") or 0)
                services.settings_save(form.cleaned_data, version)
            except StaleEditError as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Contract settings saved."))
                return redirect("contracts:settings")
        status = 400
    return render(
        request, "contracts/settings.html", {"form": form, "config": config}, status=status
    )


def _show_errors(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


@login_required
@require_POST
def contract_transition(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_visible_or_404(request.user, selectors.contract_rows(), pk)
    require(request.user, "contracts.contract.transition", contract)
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        _show_errors(request, ValidationError(list(form.errors.values())))
        return redirect(contract.get_absolute_url())
    try:
        version = int(request.POST.get("_version") or 0) or None
        services.contract_transition(
            contract,
            form.cleaned_data["status"],
            by=request.user,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
            expected_version=version,
        )
    except StaleEditError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Contract status changed."))
    return redirect(contract.get_absolute_url())


@login_required
@require_POST
def contract_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_visible_or_404(request.user, selectors.contract_rows(), pk)
    require(request.user, "contracts.contract.transition", contract)
    form = forms.DisputeForm(request.POST)
    if not form.is_valid():
        _show_errors(request, ValidationError(list(form.errors.values())))
        return redirect(contract.get_absolute_url())
    try:
        services.contract_mark_disputed(
            contract,
            by=request.user,
            reason=form.cleaned_data["reason"],
            on=form.cleaned_data["on"],
        )
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Dispute recorded."))
    return redirect(contract.get_absolute_url())


@login_required
@require_POST
def contract_attach(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_visible_or_404(request.user, selectors.contract_rows(), pk)
    require(request.user, "contracts.contract.attach", contract)
    form = forms.AttachForm(request.POST, request.FILES, contract=contract)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.contract_document_attach(
                contract, data["doc_type"], data["file"], by=request.user, note=data["note"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(item)s filed.") % {"item": data["doc_type"].name})
            return redirect(contract.get_absolute_url())
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for text in errors:
            messages.error(request, f"{label}: {text}" if label else str(text))
    return redirect(contract.get_absolute_url())
