"""The limit request pages: filing a request from a customer's credit file, the request with
its approval chain and PDFs (the approval steps themselves are the workflow's case page and
My tasks), and the administrator's amount bands."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import policy
from kehu.core.access import NOT_FOUND, requires
from kehu.core.forms import add_errors
from kehu.credit import limits, pdfs, selectors
from kehu.credit.forms import LimitBandForm, LimitRequestForm
from kehu.credit.models import LimitBand, LimitRequest
from kehu.infra import pdf
from kehu.workflow.services import case_url


@login_required
@requires("credit.limitrequest.add")
def limit_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.credit_customer(request.user, pk, "credit.limitrequest.add")
    form = LimitRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = limits.limit_request_create(customer, form.cleaned_data, by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Limit request filed for approval."))
            return redirect("credit:limit_request", created.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "credit/limit_request_form.html",
        {"customer": customer, "form": form},
        status=status,
    )


def _visible_request(request: HttpRequest, pk: int) -> LimitRequest:
    found = (
        LimitRequest.objects.select_related(
            "account__customer__unit", "account__customer__owner", "requested_by", "case"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None or not (
        found.requested_by_id == request.user.pk
        or policy.has_perm(request.user, "credit.limitrequest.view", found)
    ):
        raise Http404(NOT_FOUND)
    return found


@login_required
def limit_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible_request(request, pk)
    steps = (
        list(found.case.steps.select_related("completed_by").order_by("pk")) if found.case else []
    )
    return render(
        request,
        "credit/limit_request.html",
        {
            "req": found,
            "customer": found.account.customer,
            "steps": steps,
            "case_url": case_url(found.case) if found.case else "",
        },
    )


@login_required
def approval_table_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible_request(request, pk)
    record("credit.limitrequest.print", found.account.customer, extra={"form": "approval"})
    content = pdfs.approval_table(found, printed_by=request.user)
    return pdf.response(content, f"授信额度审批表_{found.number}.pdf")


@login_required
def notification_letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible_request(request, pk)
    if found.status != "approved":
        raise Http404(NOT_FOUND)
    record("credit.limitrequest.print", found.account.customer, extra={"form": "notice"})
    content = pdf.response(
        pdfs.notification_letter(found, printed_by=request.user),
        f"额度通知函_{found.number}.pdf",
    )
    return content


@login_required
@requires("credit.limitband.change")
def limit_bands(request: HttpRequest) -> HttpResponse:
    """The amount above which each role approves limit requests."""
    bands = list(LimitBand.objects.order_by("position", "pk"))
    form = LimitBandForm(request.POST or None, bands=bands)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for band in bands:
                above = form.cleaned_data[f"band_{band.pk}"]
                if above != band.above:
                    record(
                        "credit.limitband.change",
                        band,
                        changes={"above": [str(band.above), str(above)]},
                    )
                    band.above = above
                    band.save(update_fields=["above"])
        messages.success(request, _("Approval bands saved."))
        return redirect("credit:limit_bands")
    status = 400 if request.method == "POST" else 200
    return render(request, "credit/limit_bands.html", {"form": form}, status=status)
