"""Pages of data provisions (对外提供): request, detail, record of provision, agreement download,
and the register with its export. Thin: `disclosures` and the policy decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.audit.services import record
from kehu.core import policy
from kehu.core.access import get_visible_or_404, require, requires
from kehu.core.forms import add_errors
from kehu.customers.models import Customer
from kehu.generic.export import rows_to_xlsx
from kehu.privacy import disclosures
from kehu.privacy.forms import DisclosureForm, ProvisionForm
from kehu.privacy.models import DisclosureStatus, RecipientKind

REGISTER_LIMIT = 500


@login_required
def disclosure_new(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_visible_or_404(request.user, Customer, pk)
    if not disclosures.may_request(request.user, customer):
        raise PermissionDenied(_("You may not provide this customer's data."))
    form = DisclosureForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = disclosures.request_disclosure(
                customer,
                by=request.user,
                recipient_kind=data["recipient_kind"],
                recipient_unit=data["recipient_unit"],
                recipient_name=data["recipient_name"],
                purpose=data["purpose"],
                categories=data["categories"],
                agreement=data["agreement"],
                agreement_reference=data["agreement_reference"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Request registered; it now waits for approval."))
            return redirect(reverse("privacy:disclosure", args=[created.pk]))
    return render(
        request,
        "privacy/disclosure_form.html",
        {"customer": customer, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_visible_or_404(request.user, disclosures.disclosure_rows(), pk)
    may_record = found.status == DisclosureStatus.APPROVED and disclosures.may_record_provision(
        request.user, found
    )
    form = ProvisionForm(initial={"provided_on": timezone.localdate()}) if may_record else None
    return render(
        request,
        "privacy/disclosure.html",
        {"row": found, "provision_form": form},
    )


@login_required
@require_POST
def disclosure_provide(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_visible_or_404(request.user, disclosures.disclosure_rows(), pk)
    form = ProvisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date and the way the data was provided."))
        return redirect(reverse("privacy:disclosure", args=[found.pk]))
    try:
        disclosures.record_provision(found, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The provision is recorded in the register."))
    return redirect(reverse("privacy:disclosure", args=[found.pk]))


@login_required
def disclosure_agreement(request: HttpRequest, pk: int) -> FileResponse:
    found = get_visible_or_404(request.user, disclosures.disclosure_rows(), pk)
    if not found.agreement:
        raise Http404(_("No file."))
    record("privacy.disclosure.download", found, extra={"file": found.agreement_name})
    return FileResponse(
        found.agreement.open("rb"), as_attachment=True, filename=found.agreement_name or "agreement"
    )


def _register_rows(request: HttpRequest) -> Any:
    rows = disclosures.visible_disclosures(request.user)
    status = request.GET.get("status", "")
    if status in DisclosureStatus.values:
        rows = rows.filter(status=status)
    kind = request.GET.get("recipient_kind", "")
    if kind in RecipientKind.values:
        rows = rows.filter(recipient_kind=kind)
    text = request.GET.get("q", "").strip()
    if text:
        rows = rows.filter(customer__name__icontains=text) | rows.filter(
            recipient_name__icontains=text
        )
    return rows.order_by("-created_at", "-pk")


REGISTER_COLUMNS = [
    ("case.number", _("Number")),
    ("customer.name", _("Customer")),
    ("recipient_name", _("Recipient")),
    ("status", _("Status")),
    ("categories_text", _("Data provided")),
    ("purpose", _("Purpose")),
    ("agreement_reference", _("Agreement number")),
    ("provided_on", _("Provided on")),
    ("method", _("How it was provided")),
    ("requested_by.full_name", _("Requested by")),
]


@login_required
@requires("privacy.disclosure.view")
def disclosure_register(request: HttpRequest) -> HttpResponse:
    rows = list(_register_rows(request)[:REGISTER_LIMIT])
    for row in rows:
        row.categories_text = "、".join(row.category_labels())
    if request.GET.get("format") == "xlsx":
        require(request.user, "privacy.disclosure.export")
        columns = [(name, str(label)) for name, label in REGISTER_COLUMNS]
        content, count = rows_to_xlsx(str(_("Data provisions")), columns, rows, str(request.user))
        record(
            "privacy.disclosure.export",
            object_type="privacy.disclosure",
            object_repr=str(_("Data provisions")),
            extra={"rows": count, "filters": dict(request.GET.items()), "format": "xlsx"},
        )
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="data-provisions.xlsx"'
        return response
    return render(
        request,
        "privacy/disclosures.html",
        {
            "rows": rows,
            "statuses": DisclosureStatus.choices,
            "kinds": RecipientKind.choices,
            "may_export": policy.has_perm(request.user, "privacy.disclosure.export"),
            "limit": REGISTER_LIMIT,
        },
    )
