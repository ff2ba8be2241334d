"""The credit pages: the credit register (every account in the reader's scope, filterable
and exportable), a customer's credit file, the override of a hold and the import of the
finance system's receivables and orders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core import policy
from kehu.core.access import require, requires
from kehu.core.forms import add_errors
from kehu.credit import receivables, reviews, selectors, services, statements
from kehu.credit.exposure import account_for
from kehu.credit.forms import ImportForm, OverrideForm, ReviewForm, StatementForm
from kehu.credit.models import FinancialStatement, HoldOverride
from kehu.generic.export import export_queryset

REGISTER_COLUMNS = [
    ("customer.name", _("Customer")),
    ("customer.unit.name", _("Department")),
    ("limit_amount", _("credit limit")),
    ("exposure", _("exposure")),
    ("utilisation", _("utilisation (%)")),
    ("worst_bucket", _("worst ageing bucket (days past due)")),
    ("open_receivables", _("open receivables")),
    ("open_orders", _("open orders")),
    ("overdue_allowed", _("overdue amount allowed")),
    ("held", _("credit hold")),
    ("rating", _("credit rating")),
]
REGISTER_ROWS = 500
# ?sort= (a leading "-" for descending) → the ordering; the oldest unpaid due date is the
# worst ageing bucket.
REGISTER_SORTS = {
    "name": "customer__name_pinyin",
    "limit": "limit_amount",
    "exposure": "exposure_sum",
    "utilisation": "utilisation",
    "ageing": "earliest_due",
}


def _register_rows(request: HttpRequest) -> tuple[object, dict[str, str]]:
    rows = selectors.register_rows(request.user)
    filters = {key: request.GET.get(key, "").strip() for key in ("held", "q", "sort")}
    if filters["held"] == "1":
        rows = rows.filter(held=True)
    elif filters["held"] == "0":
        rows = rows.filter(held=False)
    if filters["q"]:
        rows = rows.filter(customer__name__icontains=filters["q"])
    key = filters["sort"].lstrip("-")
    if key in REGISTER_SORTS:
        field = REGISTER_SORTS[key]
        descending = filters["sort"].startswith("-")
        # The oldest due date is the worst bucket: "-ageing" lists the worst first.
        if key == "ageing":
            descending = not descending
        order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
        rows = rows.order_by(order, "pk")
    else:
        filters["sort"] = ""
        rows = rows.order_by("customer__name_pinyin", "pk")
    return rows, filters


@login_required
@requires("credit.creditaccount.view")
def register(request: HttpRequest) -> HttpResponse:
    rows, filters = _register_rows(request)
    return render(
        request,
        "credit/register.html",
        {
            "rows": list(rows[:REGISTER_ROWS]),  # type: ignore[index]
            "filters": filters,
            "shown_max": REGISTER_ROWS,
            "can_export": policy.has_perm(request.user, "credit.creditaccount.export"),
            "can_import": policy.has_perm(request.user, "credit.receivable.import"),
            "sorts": [
                (key, label)
                for key, label in (
                    ("name", _("Customer")),
                    ("limit", _("credit limit")),
                    ("exposure", _("exposure")),
                    ("utilisation", _("utilisation (%)")),
                    ("ageing", _("worst ageing bucket (days past due)")),
                )
            ],
        },
    )


@login_required
@requires("credit.creditaccount.export")
def register_export(request: HttpRequest) -> HttpResponse:
    rows, filters = _register_rows(request)
    content = export_queryset(
        "credit.creditaccount",
        str(_("Credit register")),
        [(name, str(label)) for name, label in REGISTER_COLUMNS],
        rows,  # type: ignore[arg-type]
        request.user,
        filters,
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="credit-register.xlsx"'
    return response


@login_required
@requires("credit.creditaccount.view")
def customer_credit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.credit_customer(request.user, pk)
    context = selectors.customer_credit(request.user, customer)
    context["override_form"] = OverrideForm()
    return render(request, "credit/customer.html", context)


@login_required
@require_POST
@requires("credit.creditaccount.override")
def override(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.credit_customer(request.user, pk, "credit.creditaccount.override")
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.override_grant(
                account_for(customer),
                reason=form.cleaned_data["reason"],
                until=form.cleaned_data["until"],
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Override granted."))
            return redirect("credit:customer", customer.pk)
    context = selectors.customer_credit(request.user, customer)
    context["override_form"] = form
    return render(request, "credit/customer.html", context, status=400)


@login_required
@require_POST
@requires("credit.creditaccount.override")
def override_end(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(HoldOverride.objects.select_related("account"), pk=pk)
    customer = selectors.credit_customer(
        request.user, found.account.customer_id, "credit.creditaccount.override"
    )
    services.override_end(found, by=request.user)
    messages.success(request, _("Override ended."))
    return redirect("credit:customer", customer.pk)


@login_required
@requires("credit.receivable.import")
def import_items(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = receivables.import_file(upload.name, upload.read(), kind=form.cleaned_data["kind"])
        if result.ok:
            messages.success(
                request,
                _("Imported: %(new)s new, %(updated)s updated, %(same)s unchanged.")
                % {
                    "new": result.count("new"),
                    "updated": result.count("update"),
                    "same": result.count("same"),
                },
            )
            return redirect("credit:import")
        context["result"] = result
        return render(request, "credit/import.html", context, status=400)
    status = 400 if request.method == "POST" else 200
    return render(request, "credit/import.html", context, status=status)


@login_required
@requires("credit.statement.view")
def statements_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's statements by period with their ratios side by side, and the entry of
    a further period."""
    customer = selectors.credit_customer(request.user, pk, "credit.statement.view")
    can_add = policy.has_perm(request.user, "credit.statement.add", customer)
    form = StatementForm(request.POST or None)
    if request.method == "POST":
        require(request.user, "credit.statement.add", customer)
        if form.is_valid():
            try:
                statements.statement_create(customer, form.cleaned_data, by=request.user)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Statement saved."))
                return redirect("credit:statements", customer.pk)
    rows = list(
        FinancialStatement.objects.filter(account__customer=customer).order_by(
            "-year", "period_kind", "-part"
        )[:12]
    )
    return render(
        request,
        "credit/statements.html",
        {
            "customer": customer,
            "statements": rows,
            "ratios": statements.side_by_side(rows),
            "figures": [
                (name, statements.figure_label(name), [getattr(s, name) for s in rows])
                for name in statements.FIGURES
            ],
            "form": form,
            "can_add": can_add,
            "can_change": policy.has_perm(request.user, "credit.statement.change", customer),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
@requires("credit.creditreview.add")
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The annual review's report and outcome, from the customer's credit file."""
    customer = selectors.credit_customer(request.user, pk, "credit.creditreview.add")
    form = ReviewForm(request.POST, grades=selectors.grades())
    if form.is_valid():
        try:
            reviews.review_complete(
                account_for(customer), by=request.user, form=form, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("credit:customer", customer.pk)
    context = selectors.customer_credit(request.user, customer)
    context["override_form"] = OverrideForm()
    context["review_form"] = form
    return render(request, "credit/customer.html", context, status=400)
