"""Customer actions beyond the generic record pages: lifecycle steps, verification, merge,
dismissing a duplicate flag, and change requests. Thin: the services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kehu.audit.services import record
from kehu.core import masking, policy
from kehu.core.access import DENIED, get_visible_or_404, require, requires
from kehu.customers import changes, duplicates, package_job, selectors, services
from kehu.customers.forms import (
    ChangeRequestForm,
    DecisionForm,
    MergeForm,
    PackageForm,
    StatusForm,
)
from kehu.customers.models import ChangeRequest, Customer, DuplicateFlag
from kehu.generic import listing, printing, private_search, registry
from kehu.generic.list_export import job_url
from kehu.generic.listing import named_page
from kehu.generic.services import StaleEditError
from kehu.infra import pdf
from kehu.infra.file_headers import protect
from kehu.infra.uploads import sniff_head

CHANGE_REQUESTS_PER_PAGE = 50


def _card(customer: Customer) -> HttpResponse:
    return redirect(reverse("generic:customers_detail", args=[customer.pk]))


def _error_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


FILING_ONLY = gettext_lazy(
    "A customer enters filing, becomes active or is rejected only through its filing case: "
    "open a filing from the card."
)


@login_required
@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_visible_or_404(request.user, selectors.customer_rows(), pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for this change."))
        return _card(customer)
    target = form.cleaned_data["to_status"]
    if selectors.filing_step_asked(request.user, customer, target):
        messages.error(request, str(FILING_ONLY))
        return _card(customer)
    if target not in {t["to"] for t in selectors.transitions_for(request.user, customer)}:
        raise PermissionDenied(DENIED)
    try:
        services.change_status(
            customer,
            target,
            form.cleaned_data["reason"],
            request.user,
            form.cleaned_data["version"],
        )
    except StaleEditError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Status changed."))
    return _card(customer)


@login_required
@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_visible_or_404(request.user, selectors.customer_rows(), pk)
    require(request.user, "customers.customer.verify", customer)
    services.mark_verified(customer)
    messages.success(request, _("Marked as verified today."))
    return _card(customer)


@login_required
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    survivor = get_visible_or_404(request.user, selectors.customer_rows(), pk)
    require(request.user, "customers.customer.merge", survivor)
    form = MergeForm(request.POST or None, initial={"other": request.GET.get("other")})
    other = None
    if request.method == "GET" and request.GET.get("other", "").isdigit():
        # Opened from a duplicate flag: show whom the merge would absorb.
        other = (
            policy.scope(request.user, Customer.objects.select_related("unit"))
            .filter(pk=int(request.GET["other"]))
            .first()
        )
    if form.is_valid():
        try:
            other = get_visible_or_404(
                request.user, selectors.customer_rows(), form.cleaned_data["other"]
            )
        except Http404:
            form.add_error("other", _("No such customer, or you may not see it."))
        else:
            if not policy.has_perm(request.user, "customers.customer.merge", other):
                form.add_error("other", _("You may not merge this customer."))
    if request.method == "POST" and form.is_valid() and other is not None:
        try:
            duplicates.merge(survivor, other, form.cleaned_data["reason"], request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("%(name)s was merged into this customer.") % {"name": other.name}
            )
            return _card(survivor)
    return render(
        request, "customers/merge.html", {"customer": survivor, "form": form, "other": other}
    )


@login_required
@require_POST
def dismiss_flag(request: HttpRequest, pk: int, flag_pk: int) -> HttpResponse:
    customer = get_visible_or_404(request.user, selectors.customer_rows(), pk)
    require(request.user, "customers.customer.change", customer)
    flag = get_object_or_404(
        DuplicateFlag, Q(first=customer) | Q(second=customer), pk=flag_pk, dismissed_at=None
    )
    duplicates.dismiss(flag, request.user)
    messages.success(request, _("Marked as not a duplicate."))
    return _card(customer)


@login_required
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_visible_or_404(request.user, selectors.customer_rows(), pk)
    require(request.user, "customers.changerequest.add", customer)
    form = ChangeRequestForm(
        request.POST or None, request.FILES or None, instance=customer, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        fresh = Customer.objects.get(pk=customer.pk)  # the form wrote into `customer`
        fields = [f for f in ChangeRequestForm.Meta.fields if f in form.fields]
        # A masked value sent back as shown is no proposal (one typed is, whatever it is).
        fields = [
            f
            for f in fields
            if masking.spec(fresh, f) is None
            or form.data.get(form.add_prefix(f), "") != masking.masked(fresh, f)
        ]
        values = {f: form.cleaned_data[f] for f in fields}
        try:
            created = changes.change_request_propose(
                fresh,
                request.user,
                values,
                form.cleaned_data["reason"],
                form.cleaned_data.get("attachment"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your proposal was sent to the account manager."))
            return redirect("customers:change_request", pk=created.pk)
    return render(request, "customers/propose.html", {"customer": customer, "form": form})


@login_required
def change_request(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_visible_or_404(request.user, selectors.change_request_rows(), pk)
    can_decide = (
        policy.has_perm(request.user, "customers.changerequest.decide", change)
        and change.proposer_id != request.user.pk
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied(DENIED)
        if form.is_valid():
            try:
                changes.change_request_decide(
                    change,
                    by=request.user,
                    accept=form.cleaned_data["accept"],
                    note=form.cleaned_data["decision_note"],
                )
            except ValidationError as error:
                # Shown above the buttons: the errors may name customer fields (a credit code
                # registered meanwhile) that the decision form does not have.
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Decision recorded; the proposer is notified."))
                return redirect("customers:change_request", pk=change.pk)
    labels = {f.name: f.verbose_name for f in Customer._meta.fields}
    rows = [
        {"field": labels.get(field, field), "before": pair[0], "after": pair[1]}
        for field, pair in changes.shown_changes(change).items()
    ]
    return render(
        request,
        "customers/change_request.html",
        {
            "change": change,
            "rows": rows,
            "form": form,
            "can_decide": can_decide,
            "proofs": changes.proofs_of(change),
        },
    )


@login_required
def change_request_file(request: HttpRequest, pk: int) -> FileResponse:
    change = get_visible_or_404(request.user, selectors.change_request_rows(), pk)
    name = change.attachment.name
    if not name:
        raise Http404(_("No file."))
    record("customers.changerequest.download", change, extra={"file": change.attachment_name})
    # The type its content says (checked on upload), not the one its name suggests.
    storage = change.attachment.storage
    with storage.open(name, "rb") as stored:
        content_type = sniff_head(stored.read(8192)) or "application/octet-stream"
    response = FileResponse(
        storage.open(name, "rb"),
        as_attachment=True,
        filename=change.attachment_name or "file",
        content_type=content_type,
    )
    protect(response, content_type)
    return response


@login_required
@requires("customers.changerequest.view")
def change_requests(request: HttpRequest) -> HttpResponse:
    waiting = selectors.pending_change_requests(request.user)
    mine = ChangeRequest.objects.filter(proposer_id=request.user.pk).select_related("customer")
    # Each list pages on its own, newest first.
    pages = {
        name: named_page(rows, request.GET, name, "-created_at", CHANGE_REQUESTS_PER_PAGE)
        for name, rows in (("waiting", waiting), ("mine", mine))
    }
    return render(request, "customers/change_requests.html", pages)


@login_required
def dossier_package(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the customer's complete dossier package (made as a background job)."""
    customer = get_visible_or_404(request.user, selectors.customer_rows(), pk)
    require(request.user, package_job.EXPORT, customer)
    may_reveal = package_job.may_reveal_any(request.user, customer)
    data = request.POST if request.method == "POST" else None
    form = PackageForm(data, may_reveal=may_reveal)
    if request.method == "POST" and form.is_valid():
        try:
            job = package_job.start_package(request.user, customer, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The dossier package is being made."))
            return redirect(job_url(job))
    status = 400 if form.errors else 200
    return render(
        request, "customers/package.html", {"customer": customer, "form": form}, status=status
    )


# The customer list's columns the printed list (客户一览表) leaves out: the department heads
# each group, flags and the time of the last change are for the screen.
NOT_PRINTED = {"unit.name", "flags", "updated_at"}


@login_required
def customer_list_pdf(request: HttpRequest) -> HttpResponse:
    """The customer list per department (客户一览表): the list's rows with its filters,
    grouped by department."""
    record_type = registry.get("customers")
    require(request.user, "customers.customer.export")
    params = private_search.for_reading(request, request.GET)
    rows, _filters = listing.visible_rows(record_type, request.user, params, "export")
    sort = listing.sort_key(record_type, request.GET.get("sort", ""))
    total, _more = listing.count_rows(rows)
    shown = rows.order_by("unit__path", sort, "pk")[: printing.PRINT_LIMIT]
    columns = [c for c in record_type.listing.columns if c.name not in NOT_PRINTED]
    title = str(_("Customer list"))
    content = printing.list_pdf(
        title, record_type, columns, shown, request.user, group_by="unit.name", total=total
    )
    filters = {
        k: v
        for k, v in params.items()
        if k != "q" or not private_search.is_private(record_type, str(v))
    }
    record(
        "customers.customer.print",
        None,
        object_type="customers.customer",
        object_repr=title,
        extra={"filters": filters, "rows": min(total, printing.PRINT_LIMIT)},
    )
    return pdf.response(content, "客户一览表.pdf")
