"""The credit file's edit pages: the rating scale (administrators), a financial statement's
correction and a call or collection record's (credit managers). Each page carries the
record's version; a save after somebody else's is refused."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.core.access import NOT_FOUND, requires
from kehu.core.forms import add_errors
from kehu.credit import postcredit, scale, selectors, statements
from kehu.credit.forms import FollowUpForm, RatingGradeForm, StatementForm
from kehu.credit.models import FinancialStatement, FollowUp, RatingGrade


def _edit_page(
    request: HttpRequest, form: Any, *, title: str, back: str, extra: dict[str, Any] | None = None
) -> HttpResponse:
    return render(
        request,
        "credit/edit_form.html",
        {"form": form, "title": title, "back": back, **(extra or {})},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@requires("credit.ratinggrade.change")
def rating_scale(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The scale's grades with a form: a new grade, or the grade `pk` edited."""
    current = RatingGrade.objects.filter(pk=pk).first() if pk else None
    if pk and current is None:
        raise Http404(NOT_FOUND)
    initial = (
        {"code": current.code, "label": current.label, "position": current.position,
         "review_months": current.review_months, "version": current.version}
        if current
        else {"position": RatingGrade.objects.count() + 1, "review_months": 12}
    )  # fmt: skip
    form = RatingGradeForm(request.POST or None, initial=initial)
    if current is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if current is None:
                scale.grade_create(data, by=request.user)
            else:
                scale.grade_update(
                    current, data, expected_version=data.get("version"), by=request.user
                )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Grade saved."))
            return redirect("credit:rating_scale")
    return _edit_page(
        request,
        form,
        title=_("Credit rating scale"),
        back=reverse("credit:rating_scale"),
        extra={"grades": RatingGrade.objects.order_by("position", "pk"), "current": current},
    )


@login_required
@requires("credit.statement.change")
def statement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = FinancialStatement.objects.select_related("account").filter(pk=pk).first()
    if found is None:
        raise Http404(NOT_FOUND)
    customer = selectors.credit_customer(
        request.user, found.account.customer_id, "credit.statement.change"
    )
    form = StatementForm(request.POST or None, initial=statements.form_initial(found))
    if request.method == "POST" and form.is_valid():
        try:
            statements.statement_update(
                found, form.cleaned_data, by=request.user,
                expected_version=form.cleaned_data.get("version"),
            )  # fmt: skip
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Statement saved."))
            return redirect("credit:statements", customer.pk)
    return _edit_page(
        request,
        form,
        title=f"{_('Financial statements')} · {customer.name} · {found.period_label}",
        back=reverse("credit:statements", args=[customer.pk]),
    )


@login_required
@requires("credit.followup.change")
def follow_up_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = FollowUp.objects.select_related("account").filter(pk=pk).first()
    if found is None:
        raise Http404(NOT_FOUND)
    customer = selectors.credit_customer(
        request.user, found.account.customer_id, "credit.followup.change"
    )
    names = ("kind", "action", "happened_on", "contact", "summary", "next_step", "version")
    initial = {name: getattr(found, name) for name in names}
    form = FollowUpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            postcredit.follow_up_update(
                found, form.cleaned_data, by=request.user,
                expected_version=form.cleaned_data.get("version"),
            )  # fmt: skip
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("credit:post_credit", customer.pk)
    return _edit_page(
        request,
        form,
        title=f"{found.get_kind_display()} · {customer.name}",
        back=reverse("credit:post_credit", args=[customer.pk]),
    )
