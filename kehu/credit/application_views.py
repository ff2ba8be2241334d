"""The credit application pages: the account manager's application from the customer's
credit file, and the application with its investigation report (sections drafted and saved
one by one, the sign-off), the report shown only to those who may read investigations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core import policy
from kehu.core.access import NOT_FOUND, require, requires
from kehu.core.forms import add_errors
from kehu.credit import applications, investigation, selectors
from kehu.credit.forms import ApplicationForm, PhotoForm, RelatedPartyForm, SignForm
from kehu.credit.models import CreditApplication, RatingGrade, SiteVisit
from kehu.filing.watchlist import matches


@login_required
@requires("credit.limitrequest.add")
def application_new(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.credit_customer(request.user, pk, "credit.limitrequest.add")
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = applications.application_create(customer, form.cleaned_data, by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Credit application sent for investigation."))
            return redirect("credit:application", created.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "credit/application_form.html", {"customer": customer, "form": form}, status=status
    )


def _visible_application(request: HttpRequest, pk: int) -> CreditApplication:
    found = (
        CreditApplication.objects.select_related("account__customer__unit", "requested_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(NOT_FOUND)
    customer = found.account.customer
    if not (
        found.requested_by_id == request.user.pk
        or policy.has_perm(request.user, "credit.creditaccount.view", customer)
    ):
        raise Http404(NOT_FOUND)
    return found


def _grades() -> list[tuple[str, str]]:
    return [(g.code, g.label) for g in RatingGrade.objects.order_by("position")]


def _context(
    request: HttpRequest, found: CreditApplication, sign_form: SignForm | None = None
) -> dict[str, Any]:
    customer = found.account.customer
    reads_report = policy.has_perm(request.user, "credit.investigation.view", customer)
    writes = policy.has_perm(request.user, "credit.investigation.change", customer)
    saved = {s.key: s for s in found.sections.select_related("saved_by")} if reads_report else {}
    visit = SiteVisit.objects.filter(application=found).first() if reads_report else None
    return {
        "site_visit": visit,
        "photos": investigation.site_visit_photos(visit),
        "parties": list(found.related_parties.select_related("customer")) if reads_report else [],
        "party_form": RelatedPartyForm(),
        "photo_form": PhotoForm(),
        "app": found,
        "customer": customer,
        "reads_report": reads_report,
        "writes_report": writes and found.signed_at is None,
        "sections": [(key, label, saved.get(key)) for key, label in applications.SECTIONS],
        "watch_matches": list(matches(customer)) if reads_report else [],
        "sign_form": sign_form or SignForm(grades=_grades()),
    }


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible_application(request, pk)
    return render(request, "credit/application.html", _context(request, found))


@login_required
@require_POST
def section_save(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible_application(request, pk)
    require(request.user, "credit.investigation.change", found.account.customer)
    key = request.POST.get("key", "")
    try:
        applications.section_save(found, key, request.POST.get("text", ""), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Section saved."))
    return redirect(f"{applications.application_url(found)}#section-{key}")


@login_required
@require_POST
def report_sign(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible_application(request, pk)
    require(request.user, "credit.investigation.change", found.account.customer)
    form = SignForm(request.POST, grades=_grades())
    if form.is_valid():
        try:
            applications.report_sign(
                found,
                rating=form.cleaned_data["rating"],
                recommended_limit=form.cleaned_data["recommended_limit"],
                recommendation=form.cleaned_data["recommendation"],
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Report signed."))
            return redirect("credit:application", found.pk)
    return render(request, "credit/application.html", _context(request, found, form), status=400)
