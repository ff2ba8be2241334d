"""The post-credit page of a customer (calls, statements of account, payment promises,
problem reports, standard letters) and the administrator's standard reply letters."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import policy
from kehu.core.access import NOT_FOUND, require, requires
from kehu.core.forms import add_errors
from kehu.credit import pdfs, postcredit, selectors
from kehu.credit.forms import (
    AccountStatementForm,
    FollowUpForm,
    ProblemReportForm,
    PromiseForm,
    ReplyTemplateForm,
)
from kehu.credit.models import (
    AccountStatement,
    FollowUp,
    PaymentPromise,
    ProblemReport,
    ReplyTemplate,
)
from kehu.infra import pdf

# action → (permission, form); `_save` calls the action's service.
ACTIONS: dict[str, tuple[str, Any]] = {
    "followup": ("credit.followup.add", FollowUpForm),
    "statement": ("credit.accountstatement.add", AccountStatementForm),
    "promise": ("credit.promise.add", PromiseForm),
    "problem": ("credit.problemreport.add", ProblemReportForm),
}


def _context(request: HttpRequest, customer: Any, forms: dict[str, Any]) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    promises = list(PaymentPromise.objects.filter(account__customer=customer)[:50])
    return {
        "customer": customer,
        "follow_ups": list(
            FollowUp.objects.filter(account__customer=customer).select_related("recorded_by")[:50]
        ),
        "statements": list(AccountStatement.objects.filter(account__customer=customer)[:50]),
        "promises": [(p, p.broken(today)) for p in promises],
        "broken": sum(p.broken(today) for p in promises),
        "problems": list(ProblemReport.objects.filter(account__customer=customer)[:50]),
        "templates": list(ReplyTemplate.objects.all()),
        "forms": {
            action: forms.get(action) or form_class(prefix=action)
            for action, (perm, form_class) in ACTIONS.items()
            if policy.has_perm(user, perm, customer)
        },
        "can_answer": policy.has_perm(user, "credit.accountstatement.change", customer),
        "can_settle": policy.has_perm(user, "credit.promise.change", customer),
        "can_edit_follow_ups": policy.has_perm(user, "credit.followup.change", customer),
        "can_print": policy.has_perm(user, "credit.replytemplate.view"),
    }


def _save(action: str, customer: Any, form: Any, request: HttpRequest) -> None:
    data, by = form.cleaned_data, request.user
    if action == "followup":
        postcredit.follow_up_record(customer, data, by=by)
    elif action == "statement":
        postcredit.account_statement_record(customer, data, data.get("file"), by=by)
    elif action == "promise":
        postcredit.promise_record(customer, data, by=by)
    else:
        postcredit.problem_report_create(customer, data, by=by)


@login_required
@requires("credit.creditaccount.view")
def post_credit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.credit_customer(request.user, pk)
    forms: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ("answer", "settle"):
            return _change(request, customer, action)
        if action not in ACTIONS:
            raise Http404(NOT_FOUND)
        perm, form_class = ACTIONS[action]
        require(request.user, perm, customer)
        form = forms[action] = form_class(request.POST, request.FILES, prefix=action)
        if form.is_valid():
            try:
                _save(action, customer, form, request)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("credit:post_credit", customer.pk)
        return render(
            request, "credit/post_credit.html", _context(request, customer, forms), status=400
        )
    return render(request, "credit/post_credit.html", _context(request, customer, forms))


def _change(request: HttpRequest, customer: Any, action: str) -> HttpResponse:
    pk = request.POST.get("pk", "")
    if action == "answer":
        require(request.user, "credit.accountstatement.change", customer)
        statement = get_object_or_404(AccountStatement, pk=pk, account__customer=customer)
        try:
            postcredit.account_statement_answer(
                statement,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        require(request.user, "credit.promise.change", customer)
        promise = get_object_or_404(PaymentPromise, pk=pk, account__customer=customer)
        postcredit.promise_settle(promise, kept=request.POST.get("kept") == "1", by=request.user)
    return redirect("credit:post_credit", customer.pk)


@login_required
def statement_file(request: HttpRequest, pk: int) -> FileResponse:
    found = get_object_or_404(AccountStatement.objects.select_related("account"), pk=pk)
    customer = selectors.credit_customer(request.user, found.account.customer_id)
    if not found.file:
        raise Http404(NOT_FOUND)
    record("credit.accountstatement.download", customer, extra={"statement": found.pk})
    return FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.file_name or "statement"
    )


@login_required
def problem_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """收款异样报告表 / 问题帐款报告书, for whoever reads the customer's credit file."""
    found = get_object_or_404(ProblemReport.objects.select_related("account", "case"), pk=pk)
    customer = selectors.credit_customer(request.user, found.account.customer_id)
    record("credit.problem.print", customer, extra={"report": found.number})
    content = pdfs.problem_report(found, printed_by=request.user)
    return pdf.response(content, f"{found.get_kind_display()}_{found.number}.pdf")


@login_required
@requires("credit.replytemplate.view")
def reply_letter_pdf(request: HttpRequest, pk: int, template_pk: int) -> HttpResponse:
    customer = selectors.credit_customer(request.user, pk)
    template = get_object_or_404(ReplyTemplate, pk=template_pk)
    content = postcredit.reply_letter(template, customer, printed_by=request.user)
    return pdf.response(content, f"{template.title}_{customer.name}.pdf")


@login_required
@requires("credit.replytemplate.change")
def reply_templates(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The standard reply letters: the list, a new one, or one edited (`pk`)."""
    current = get_object_or_404(ReplyTemplate, pk=pk) if pk else None
    initial = {"title": current.title, "body": current.body} if current else None
    form = ReplyTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        clash = ReplyTemplate.objects.filter(title=data["title"]).exclude(pk=pk or 0).exists()
        if clash:
            form.add_error("title", _("A letter with this title exists already."))
        else:
            _save_template(current, data)
            messages.success(request, _("Letter saved."))
            return redirect("credit:reply_templates")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "credit/reply_templates.html",
        {"form": form, "current": current, "templates": ReplyTemplate.objects.all()},
        status=status,
    )


def _save_template(current: ReplyTemplate | None, data: dict[str, Any]) -> ReplyTemplate:
    with transaction.atomic():
        if current is None:
            current = ReplyTemplate.objects.create(title=data["title"], body=data["body"])
            record("credit.replytemplate.create", current)
            return current
        changes = {k: [getattr(current, k), v] for k, v in data.items() if getattr(current, k) != v}
        current.title, current.body = data["title"], data["body"]
        current.version += 1
        current.save()
        record("credit.replytemplate.change", current, changes=changes)
    return current
