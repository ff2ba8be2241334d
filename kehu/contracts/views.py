"""Contract pages beyond the generic record pages: settings and the status steps. Thin:
services and selectors do the work; the policy decides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.audit.services import record
from kehu.contracts import forms, handovers, pdfs, selectors, services, statistics
from kehu.contracts.handovers import ReceiptForm
from kehu.contracts.models import ContractSettings, HandoverStage, StatisticsReport
from kehu.core import policy, storage
from kehu.core.access import get_from_visible_or_404, get_visible_or_404, require, requires
from kehu.core.forms import add_errors
from kehu.generic import listing, registry
from kehu.generic.services import StaleEditError
from kehu.infra import pdf
from kehu.infra.file_headers import protect
from kehu.workflow.errors import WorkflowError


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


@login_required
@require_POST
def handover_receive(request: HttpRequest, pk: int) -> HttpResponse:
    handover = get_from_visible_or_404(selectors.handover_rows(), pk)
    # A hand-over is seen with its contract.
    contract = get_visible_or_404(request.user, selectors.contract_rows(), handover.contract_id)
    require(request.user, selectors.RECEIVE_PERMISSION[HandoverStage(handover.stage)], contract)
    form = ReceiptForm(request.POST, contract=contract)
    try:
        handovers.handover_receive(handover, by=request.user, form=form)
    except ValidationError as error:
        _show_errors(request, error)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Receipt recorded."))
    return redirect(contract.get_absolute_url())


@login_required
@requires("contracts.statisticsreport.view")
def statistics_page(request: HttpRequest) -> HttpResponse:
    """The semi-annual reports kept so far; generating one for a half-year (a new version
    when it exists already)."""
    today = timezone.localdate()
    due = statistics.period_due(today)
    if request.method == "POST":
        require(request.user, "contracts.statisticsreport.add")
        form = forms.StatisticsForm(request.POST)
        if form.is_valid():
            report = statistics.report_generate(form.period(), by=request.user)
            messages.success(request, _("Report generated (version %(n)s).") % {"n": report.number})
            return redirect("contracts:statistics")
    else:
        form = forms.StatisticsForm(initial={"year": due.start.year, "half": forms.half_of(due)})
    return render(
        request,
        "contracts/statistics.html",
        {
            "form": form,
            "reports": StatisticsReport.objects.select_related("generated_by")[:100],
            "due_period": due,
            "due_generated": statistics.generated_for(due),
            "can_generate": policy.has_perm(request.user, "contracts.statisticsreport.add"),
        },
    )


@login_required
def statistics_file(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    require(request.user, "contracts.statisticsreport.view")
    report = get_from_visible_or_404(StatisticsReport.objects.all(), pk)
    if kind not in ("xlsx", "pdf"):
        raise Http404
    name, content_type = {
        "xlsx": (report.xlsx_name, statistics.XLSX),
        "pdf": (report.pdf_name, "application/pdf"),
    }[kind]
    record("contracts.statisticsreport.download", report, extra={"file": kind})
    response = StreamingHttpResponse(storage.iter_plain(name), content_type=content_type)
    filename = f"contract-statistics-{report.period_start:%Y-%m}-v{report.number}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return protect(response, content_type)


@login_required
def ledger_pdf(request: HttpRequest) -> HttpResponse:
    """The ledger as printed: the rows of the page's filters (at most PRINT_LIMIT)."""
    record_type = registry.get("contracts")
    require(request.user, "contracts.contract.export")
    rows, _filters = listing.visible_rows(record_type, request.user, request.GET, "export")
    sort = listing.sort_key(record_type, request.GET.get("sort", ""))
    shown = list(rows.order_by(sort, "pk")[: pdfs.PRINT_LIMIT])
    content = pdfs.ledger(record_type, shown, request.user)
    record(
        "contracts.contract.print",
        None,
        object_type="contracts.contract",
        object_repr="contracts.contract",
        extra={"filters": request.GET.dict(), "rows": len(shown)},
    )
    return pdf.response(content, "合同管理台帐.pdf")
