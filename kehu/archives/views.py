"""Archive pages beyond the generic record pages: settings, cabinet checks, PDFs. Thin:
services and selectors do the work; the policy decides."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.archives import (
    dashboard,
    filters,
    forms,
    loans,
    pdfs,
    retention,
    reviews,
    selectors,
    services,
    transfers,
)
from kehu.archives.models import ArchiveSettings, Cabinet, Hold, LoanStatus
from kehu.core import policy
from kehu.core.access import get_from_visible_or_404, get_visible_or_404, require, requires
from kehu.core.forms import add_errors
from kehu.generic import listing, registry
from kehu.generic.services import StaleEditError
from kehu.infra import pdf


@login_required
@requires("archives.archivesettings.change")
def settings_page(request: HttpRequest) -> HttpResponse:
    config = ArchiveSettings.current()
    form = forms.SettingsForm(request.POST or None, instance=config)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = int(request.POST.get("_version") or 0)
                services.save_settings(form.cleaned_data, version)
            except StaleEditError as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Archive settings saved."))
                return redirect("archives:settings")
        status = 400
    return render(
        request, "archives/settings.html", {"form": form, "config": config}, status=status
    )


@login_required
@require_POST
def cabinet_check(request: HttpRequest, pk: int) -> HttpResponse:
    cabinet = Cabinet.objects.filter(pk=pk).first()
    if cabinet is None:
        raise Http404
    require(request.user, "archives.cabinet.change", cabinet)
    form = forms.CabinetCheckForm(request.POST)
    if form.is_valid():
        try:
            services.record_check(cabinet, request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Cabinet check recorded."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
    return redirect("generic:cabinets_detail", cabinet.pk)


@login_required
def dossier_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The check before filing into the archive (归档前审查) of one dossier."""
    dossier = get_visible_or_404(request.user, selectors.dossier_rows(), pk)
    require(request.user, "archives.archivingreview.add", dossier)
    form = forms.ArchivingReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                reviews.record_review(dossier, request.user, form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Check before filing recorded."))
                return redirect("generic:dossiers_detail", dossier.pk)
        status = 400
    context = {"form": form, "obj": dossier, "reviews": selectors.dossier_reviews(dossier)}
    return render(request, "archives/review.html", context, status=status)


# --- printable forms (kehu.infra.pdf) ----------------------------------------------------


def _pdf(content: bytes, filename: str) -> HttpResponse:
    return pdf.response(content, filename)


@login_required
def folder_label_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = get_visible_or_404(request.user, selectors.dossier_rows(), pk)
    url = request.build_absolute_uri(reverse("generic:dossiers_detail", args=[dossier.pk]))
    content = pdfs.folder_label(dossier, url, request.user)
    services.record_print("folder_label", dossier)
    return _pdf(content, f"档案袋封面-{dossier.archive_number}.pdf")


@login_required
def dossier_catalogue_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = get_visible_or_404(request.user, selectors.dossier_rows(), pk)
    content = pdfs.dossier_catalogue(dossier, request.user)
    services.record_print("catalogue", dossier)
    return _pdf(content, f"卷内目录-{dossier.archive_number or dossier.pk}.pdf")


@login_required
@requires("archives.cabinet.view")
def cabinet_index_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    cabinet = Cabinet.objects.filter(pk=pk).first()
    if cabinet is None:
        raise Http404
    content = pdfs.cabinet_index(cabinet, request.user)
    services.record_print("location_index", cabinet)
    return _pdf(content, f"档案索引表-{cabinet.code}.pdf")


# --- holds ------------------------------------------------------------------------------


@login_required
@require_POST
def place_hold(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = get_visible_or_404(request.user, selectors.dossier_rows(), pk)
    require(request.user, "archives.hold.add", dossier)
    try:
        retention.place_hold(
            dossier,
            name=request.POST.get("name", ""),
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Hold placed."))
    return redirect("generic:dossiers_detail", dossier.pk)


@login_required
@require_POST
def lift_hold(request: HttpRequest, pk: int) -> HttpResponse:
    hold = Hold.objects.filter(pk=pk).first()
    if hold is None:
        raise Http404
    dossier = get_visible_or_404(request.user, selectors.dossier_rows(), hold.dossier_id)
    require(request.user, "archives.hold.change", dossier)
    try:
        retention.lift_hold(hold, reason=request.POST.get("reason", ""), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Hold lifted."))
    return redirect("generic:dossiers_detail", dossier.pk)


PRINT_LIMIT = 2000


def _printed_list(request: HttpRequest, slug: str) -> Any:
    """The rows the list page shows with the same filters (at most PRINT_LIMIT)."""
    record_type = registry.get(slug)
    require(request.user, policy.perm_name(record_type.model, "export"))
    rows, _filters = listing.visible_rows(record_type, request.user, request.GET, "export")
    sort = listing.sort_key(record_type, request.GET.get("sort", ""))
    return record_type, rows.order_by(sort, "pk")[:PRINT_LIMIT]


@login_required
def filing_register_pdf(request: HttpRequest) -> HttpResponse:
    record_type, items = _printed_list(request, "archive-items")
    content = pdfs.register_list(
        _("Filing register"), pdfs.filing_register_rows(items), request.user, pdfs.REGISTER_WIDTHS
    )
    services.record_list_print(record_type.label, request.GET.dict(), len(items))
    return _pdf(content, "归档登记表.pdf")


@login_required
def catalogue_pdf(request: HttpRequest) -> HttpResponse:
    record_type, dossiers = _printed_list(request, "dossiers")
    content = pdfs.register_list(
        _("Archive catalogue"), pdfs.catalogue_rows(dossiers), request.user, pdfs.CATALOGUE_WIDTHS
    )
    services.record_list_print(record_type.label, request.GET.dict(), len(dossiers))
    return _pdf(content, "档案目录.pdf")


# --- retention and destruction (ARC-7) --------------------------------------------------


@login_required
@requires("archives.destruction.add")
def disposition(request: HttpRequest) -> HttpResponse:
    """What is due for disposition; the archivist proposes a destruction from it."""
    rows = retention.due_items(selectors.visible_dossiers(request.user, "change"))
    form = forms.ProposeDestructionForm(request.POST or None, choices=rows)
    if request.method == "POST" and form.is_valid():
        try:
            destruction = retention.destruction_propose(
                form.cleaned_data["items"],
                reason=form.cleaned_data["reason"],
                method=form.cleaned_data["method"],
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Destruction proposed for approval."))
            return redirect("archives:destruction", destruction.pk)
    apart = [r for r in rows if r["item"].dossier.customer.status in filters.KEPT_APART]
    others = [r for r in rows if r not in apart]
    return render(
        request,
        "archives/disposition.html",
        {"form": form, "groups": [(_("Active register"), others), (_("Kept apart"), apart)]},
        status=400 if form.errors else 200,
    )


@login_required
@requires("archives.destruction.view")
def destructions(request: HttpRequest) -> HttpResponse:
    rows = selectors.visible_destructions(request.user)
    return render(request, "archives/destructions.html", {"rows": rows[:500]})


@login_required
@requires("archives.destruction.view")
def destruction(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_from_visible_or_404(selectors.visible_destructions(request.user), pk)
    execute_form = forms.ExecuteDestructionForm(request.POST or None)
    if request.method == "POST":
        require(request.user, "archives.destruction.execute")
        if execute_form.is_valid():
            try:
                retention.destruction_execute(
                    entry,
                    by=request.user,
                    witnesses=list(execute_form.cleaned_data["witnesses"]),
                    executed_on=execute_form.cleaned_data["executed_on"],
                )
            except ValidationError as error:
                add_errors(execute_form, error)
            else:
                messages.success(request, _("Destruction carried out and registered."))
                return redirect("archives:destruction", entry.pk)
    return render(
        request,
        "archives/destruction.html",
        {
            "entry": entry,
            "items": selectors.destruction_items(entry),
            "execute_form": execute_form,
            "can_execute": policy.has_perm(request.user, "archives.destruction.execute")
            and entry.status == "approved",
            **selectors.destruction_case(entry),
        },
        status=400 if execute_form.errors else 200,
    )


@login_required
@requires("archives.destruction.view")
def destruction_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_from_visible_or_404(selectors.visible_destructions(request.user), pk)
    content = pdfs.destruction_register(entry, request.user)
    services.record_print("destruction_register", entry)
    return _pdf(content, f"销毁清册-{entry.number}.pdf")


# --- borrowing (ARC-6) ------------------------------------------------------------------


@login_required
@requires("archives.loan.add")
def loan_request(request: HttpRequest) -> HttpResponse:
    initial = {"archive_number": request.GET.get("number", "")}
    form = forms.LoanRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            loan = loans.request_loan(
                dossier=form.cleaned_data["archive_number"],
                borrower=request.user,
                purpose=form.cleaned_data["purpose"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "dossier" in error.error_dict:
                error = ValidationError({"archive_number": error.error_dict.pop("dossier")})
            add_errors(form, error)
        else:
            messages.success(request, _("Request sent for approval."))
            return redirect("archives:loan", loan.pk)
    return render(
        request, "archives/loan_request.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def loan_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.visible_loans(request.user)
    status = request.GET.get("status", "")
    if status == "overdue":
        rows = dashboard.overdue_loans(rows)
    elif status:
        rows = rows.filter(status=status)
    return render(
        request,
        "archives/loans.html",
        {
            "rows": rows[:500],
            "status": status,
            "statuses": LoanStatus.choices,
            "can_request": policy.has_perm(request.user, "archives.loan.add"),
        },
    )


@login_required
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    loan = get_from_visible_or_404(selectors.visible_loans(request.user), pk)
    renew_form = forms.RenewalForm(prefix="renew")
    incident_form = forms.IncidentForm(prefix="incident")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "renew":
                renew_form = forms.RenewalForm(request.POST, prefix="renew")
                if renew_form.is_valid():
                    loans.request_renewal(
                        loan,
                        by=request.user,
                        reason=renew_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("Renewal requested."))
                    return redirect("archives:loan", loan.pk)
            elif action == "incident":
                incident_form = forms.IncidentForm(request.POST, prefix="incident")
                if incident_form.is_valid():
                    loans.report_incident(
                        loan,
                        by=request.user,
                        **incident_form.cleaned_data,
                    )
                    messages.success(request, _("Report recorded."))
                    return redirect("archives:loan", loan.pk)
        except ValidationError as error:
            add_errors(renew_form if action == "renew" else incident_form, error)
    return render(
        request,
        "archives/loan.html",
        {
            "loan": loan,
            "renew_form": renew_form,
            "incident_form": incident_form,
            **selectors.loan_context(request.user, loan),
        },
        status=400 if renew_form.errors or incident_form.errors else 200,
    )


@login_required
def loan_slip_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    loan = get_from_visible_or_404(selectors.visible_loans(request.user), pk)
    content = pdfs.borrowing_slip(loan, request.user)
    services.record_print("borrowing_slip", loan)
    return _pdf(content, f"借阅单-{loan.case.number if loan.case else loan.pk}.pdf")


# --- transfers (ARC-5) ------------------------------------------------------------------


@login_required
@requires("archives.transfer.view")
def transfer_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        transfer = get_object_or_404(
            selectors.visible_transfers(request.user), pk=request.POST.get("transfer") or 0
        )
        try:
            transfers.transfer_confirm(transfer, by=request.user, note=request.POST.get("note", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Hand-over confirmed."))
        return redirect("archives:transfers")
    transfer_rows = selectors.visible_transfers(request.user)
    late = request.GET.get("late") == "true"
    if late:
        transfer_rows = dashboard.late_transfers(transfer_rows)
    rows = list(transfer_rows[:500])
    for row in rows:
        row.can_confirm = transfers.may_confirm(request.user, row)  # type: ignore[attr-defined]
    return render(request, "archives/transfers.html", {"rows": rows, "late": late})
