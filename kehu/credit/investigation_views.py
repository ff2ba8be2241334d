"""The investigation's pages: the site-visit form with its photos, the related-party survey
and the credit investigation report as a PDF, each only for those who may read (or write)
investigations of the customer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.audit.services import record
from kehu.core.access import NOT_FOUND, require
from kehu.core.forms import add_errors
from kehu.credit import applications, investigation, pdfs
from kehu.credit.application_views import _context, _visible_application
from kehu.credit.forms import PhotoForm, RelatedPartyForm, SiteVisitForm
from kehu.credit.models import RelatedParty, SiteVisit
from kehu.infra import pdf

VISIT_FIELDS = ("visited_on", "visitors", *investigation.VISIT_TEXTS, "conclusion")


@login_required
def site_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """The site-visit form: recorded, then changed until the report is signed."""
    found = _visible_application(request, pk)
    customer = found.account.customer
    require(request.user, "credit.investigation.change", customer)
    visit = SiteVisit.objects.filter(application=found).first()
    initial = {name: getattr(visit, name) for name in VISIT_FIELDS} if visit else {}
    if visit:
        initial["version"] = visit.version
    form = SiteVisitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            investigation.site_visit_save(
                found, form.cleaned_data, by=request.user,
                expected_version=form.cleaned_data.get("version") if visit else None,
            )  # fmt: skip
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Site visit saved."))
            return redirect(f"{applications.application_url(found)}#site-visit")
    return render(
        request,
        "credit/site_visit_form.html",
        {"app": found, "customer": customer, "form": form, "visit": visit},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def site_visit_photo(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible_application(request, pk)
    require(request.user, "credit.investigation.change", found.account.customer)
    form = PhotoForm(request.POST, request.FILES)
    upload = form.cleaned_data.get("photo") if form.is_valid() else None
    try:
        investigation.site_visit_photo_add(found, upload, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Photo added."))
    return redirect(f"{applications.application_url(found)}#site-visit")


@login_required
@require_POST
def related_party_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible_application(request, pk)
    require(request.user, "credit.investigation.change", found.account.customer)
    form = RelatedPartyForm(request.POST)
    if form.is_valid():
        try:
            investigation.related_party_add(found, form.cleaned_data, by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Related party added."))
            return redirect(f"{applications.application_url(found)}#related-parties")
    context = _context(request, found)
    context["party_form"] = form
    return render(request, "credit/application.html", context, status=400)


@login_required
@require_POST
def related_party_remove(request: HttpRequest, pk: int) -> HttpResponse:
    party = RelatedParty.objects.filter(pk=pk).first()
    if party is None:
        raise Http404(NOT_FOUND)
    found = _visible_application(request, party.application_id)
    require(request.user, "credit.investigation.change", found.account.customer)
    try:
        investigation.related_party_remove(party, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Related party removed."))
    return redirect(f"{applications.application_url(found)}#related-parties")


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """资信调查报告: only for readers of investigations (the requesting account manager
    without that permission gets none of its notes)."""
    found = _visible_application(request, pk)
    customer = found.account.customer
    require(request.user, "credit.investigation.view", customer)
    record("credit.report.print", customer, extra={"application": found.number})
    content = pdfs.investigation_report(found, printed_by=request.user)
    return pdf.response(content, f"资信调查报告_{found.number}.pdf")


@login_required
def application_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """信用申请表: for whoever sees the application."""
    found = _visible_application(request, pk)
    record("credit.application.print", found.account.customer, extra={"application": found.number})
    content = pdfs.application_form(found, printed_by=request.user)
    return pdf.response(content, f"信用申请表_{found.number}.pdf")


@login_required
def site_visit_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """现场调查表: for readers of investigations."""
    found = _visible_application(request, pk)
    customer = found.account.customer
    require(request.user, "credit.investigation.view", customer)
    visit = SiteVisit.objects.filter(application=found).first()
    if visit is None:
        raise Http404(NOT_FOUND)
    record("credit.sitevisit.print", customer, extra={"application": found.number})
    content = pdfs.site_visit_form(found, visit, printed_by=request.user)
    return pdf.response(content, f"现场调查表_{found.number}.pdf")
