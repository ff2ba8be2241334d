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
from kehu.contracts import (
    annual,
    departments,
    forms,
    handovers,
    pdfs,
    selectors,
    services,
    statistics,
)
from kehu.contracts.handovers import ReceiptForm
from kehu.contracts.models import ContractSettings, HandoverStage, ReportKind, StatisticsReport
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
    """The periodic reports of CON-4 kept so far (the semi-annual contract statistics and
    the annual credit-management analysis report); generating one for a period (a new
    version when it exists already)."""
    today = timezone.localdate()
    due = statistics.period_due(today)
    due_year = annual.year_due(today)
    form = forms.StatisticsForm(initial={"year": due.start.year, "half": forms.half_of(due)})
    annual_form = forms.AnnualReportForm(initial={"year": due_year})
    status = 200
    if request.method == "POST":
        require(request.user, "contracts.statisticsreport.add")
        report = None
        if request.POST.get("report") == ReportKind.ANNUAL_CREDIT:
            annual_form = forms.AnnualReportForm(request.POST)
            if annual_form.is_valid():
                report = annual.report_generate(annual_form.cleaned_data["year"], by=request.user)
        else:
            form = forms.StatisticsForm(request.POST)
            if form.is_valid():
                report = statistics.report_generate(form.period(), by=request.user)
        if report is not None:
            messages.success(request, _("Report generated (version %(n)s).") % {"n": report.number})
            return redirect("contracts:statistics")
        status = 400
    reports = StatisticsReport.objects.select_related("generated_by")
    return render(
        request,
        "contracts/statistics.html",
        {
            "form": form,
            "annual_form": annual_form,
            "reports": reports.filter(kind=ReportKind.SEMIANNUAL)[:100],
            "annual_reports": reports.filter(kind=ReportKind.ANNUAL_CREDIT)[:100],
            "due_period": due,
            "due_generated": statistics.generated_for(due),
            "due_year": due_year,
            "due_year_on": annual.due_on(due_year),
            "due_year_generated": annual.generated_for(due_year),
            "can_generate": policy.has_perm(request.user, "contracts.statisticsreport.add"),
        },
        status=status,
    )


@login_required
@requires(departments.PERMISSION)
def department_statistics(request: HttpRequest) -> HttpResponse:
    """RPT-2: the contract statistics of the reader's departments for a half-year or a
    year; `?format=xlsx` or `pdf` exports them (audited)."""
    today = timezone.localdate()
    form = forms.DepartmentStatisticsForm(request.GET or {"year": today.year, "half": 0})
    if not form.is_valid():
        return render(request, "contracts/departments.html", {"form": form, "rows": []}, status=400)
    period = departments.span(form.cleaned_data["year"], form.cleaned_data["half"] or None)
    rows = departments.table(request.user, period)
    kind = request.GET.get("format", "")
    if kind in ("xlsx", "pdf"):
        require(request.user, "contracts.contract.export")
        name = statistics.author(request.user)
        record(
            "contracts.contract.export",
            None,
            object_type="contracts.contract",
            object_repr=departments.title(period),
            extra={"report": "departments", "period": period.label, "format": kind},
        )
        filename = f"contract-statistics-departments-{period.start:%Y-%m}.{kind}"
        if kind == "pdf":
            return pdf.response(departments.to_pdf(period, rows, name), filename)
        response = HttpResponse(
            departments.to_xlsx(period, rows, name), content_type=statistics.XLSX
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        protect(response, statistics.XLSX)
        return response
    return render(
        request,
        "contracts/departments.html",
        {
            "form": form,
            "rows": rows,
            "period": period,
            "columns": departments.columns(),
            "can_export": policy.has_perm(request.user, "contracts.contract.export"),
            "query": request.GET.urlencode() or f"year={today.year}&half=0",
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
    response["Content-Disposition"] = f'attachment; filename="{statistics.filename(report, kind)}"'
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
