"""Filing pages: the list of filings, a filing with its checklist, risk triggers, steps and the
forms of the signed-in user's open step, opening a filing (for a customer, or with a new
customer), and the filing form as a PDF. Thin: the services and the workflow engine do the
work; the policy decides."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core import policy
from kehu.core.access import DENIED, get_visible_or_404, requires
from kehu.core.forms import add_errors
from kehu.customers.forms import CustomerForm
from kehu.customers.selectors import customer_rows
from kehu.filing import monitoring, printing, selectors, services
from kehu.filing.forms import (
    ClearHitForm,
    DecisionForm,
    OpenFilingForm,
    ReviewForm,
    RiskReportForm,
    SupplementForm,
)
from kehu.filing.models import FINAL_STAGES, Filing, Stage, WatchListHit
from kehu.generic import registry
from kehu.generic.listing import named_page
from kehu.generic.models import SubmissionToken
from kehu.generic.services import DuplicateSubmissionError, StaleEditError, claim_submission
from kehu.infra import pdf
from kehu.workflow.services import WorkflowError, four_eyes_refusal

FILINGS_PER_PAGE = 50


def _errors(error: ValidationError | WorkflowError) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    return str(error)


@login_required
@requires("filing.filing.view")
def filing_list(request: HttpRequest) -> HttpResponse:
    filings = selectors.visible_filings(request.user)
    stage = request.GET.get("stage", "open")
    if stage == "open":
        filings = filings.exclude(stage__in=FINAL_STAGES)
    elif stage in Stage.values:
        filings = filings.filter(stage=stage)
    risk = request.GET.get("risk", "")
    if risk == "high":
        filings = filings.filter(high_risk=True)
    page = named_page(filings, request.GET, "filings", "-created_at", FILINGS_PER_PAGE)
    return render(
        request,
        "filing/list.html",
        {
            "filings": page,
            "query": urlencode({"stage": stage, **({"risk": risk} if risk else {})}),
            "risk": risk,
            "stage": stage,
            "stages": Stage.choices,
            "can_add": policy.has_perm(request.user, "filing.filing.add")
            and policy.has_perm(request.user, "customers.customer.add"),
        },
    )


@login_required
@require_POST
def open_for_customer(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = get_visible_or_404(request.user, customer_rows(), customer_pk)
    if not selectors.can_open(request.user, customer):
        existing = selectors.open_filing_of(customer)
        if existing is not None:  # a repeated click leads to the filing it opened
            return redirect("filing:detail", existing.pk)
        raise PermissionDenied(DENIED)
    form = OpenFilingForm(request.POST)
    declared = form.cleaned_data["declared_address_changes"] if form.is_valid() else 0
    try:
        filing = services.open_filing(customer, by=request.user, declared_address_changes=declared)
    except (ValidationError, WorkflowError) as error:
        messages.error(request, _errors(error))
        return redirect("generic:customers_detail", customer.pk)
    messages.success(request, _("Filing %(n)s opened.") % {"n": filing.number})
    return redirect("filing:detail", filing.pk)


@login_required
@requires("customers.customer.add")
@requires("filing.filing.add")
def new_customer_filing(request: HttpRequest) -> HttpResponse:
    """ "New customer + filing": the customer form; saving registers and files it."""
    rt = registry.get("customers")
    token = request.POST.get("_submission", "") or uuid.uuid4().hex
    form = CustomerForm(request.POST or None, user=request.user)
    if request.method == "POST":
        done = SubmissionToken.objects.filter(token=token, object_type="filing.filing").first()
        if done is not None:
            return redirect("filing:detail", int(done.object_id))
        if form.is_valid():
            try:
                with transaction.atomic():
                    filing = services.create_and_open(form.cleaned_data, by=request.user)
                    claim_submission(token, request.user.pk or 0, filing)
            except DuplicateSubmissionError as error:
                return redirect("filing:detail", int(error.object_id))
            except (ValidationError, WorkflowError) as error:
                form.add_error(None, _errors(error))
            else:
                messages.success(request, _("Filing %(n)s opened.") % {"n": filing.number})
                return redirect("filing:detail", filing.pk)
    context = {
        "rt": rt,
        "list_url": "/filings/",
        "form": form,
        "obj": None,
        "version": "",
        "token": token,
        "heading": _("New customer + filing"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "filing/new_customer.html", context, status=status)


def _forms_for(request: HttpRequest, filing: Filing, step: Any, data: Any = None) -> dict[str, Any]:
    """The forms of the user's open step (bound to `data` when re-shown with errors)."""
    if step is None:
        return {}
    if step.status == "waiting":
        return {}
    refusal = four_eyes_refusal(request.user, step)
    if refusal:  # four-eyes: the step is not offered, and the page says why
        return {"step_refusal": refusal}
    if step.key in ("initial_review", "second_review"):
        items, suggestions = selectors.review_items(filing, step.key)
        review = ReviewForm(data, items=items, suggestions=suggestions)
        return {"review_form": review, "supplement_form": SupplementForm()}
    if step.key == "due_diligence":
        return {"report_form": RiskReportForm(data, request.FILES if data else None)}
    if step.key == "approve":
        return {
            "decision_form": DecisionForm(data, outcomes=selectors.outcomes(step)),
            "review_summary": selectors.review_summary(filing),
        }
    return {}


def _detail(request: HttpRequest, filing: Filing, status: int = 200, **extra: Any) -> HttpResponse:
    step = extra.pop("step", None) or selectors.my_step(filing, request.user)
    context = {
        "filing": filing,
        "customer": filing.customer,
        **selectors.detail_context(filing, request.user),
        "my_step": step,
        **_forms_for(request, filing, step),
        **extra,
    }
    return render(request, "filing/detail.html", context, status=status)


@login_required
def filing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_visible_or_404(request.user, selectors.filing_rows(), pk))


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Complete or pause the user's open step: collect, review, supplement, resume, report,
    decide. The engine refuses whoever is not an assignee and the four-eyes violations."""
    filing = get_visible_or_404(request.user, selectors.filing_rows(), pk)
    step = selectors.my_step(filing, request.user)
    if step is None or str(step.pk) != request.POST.get("step"):
        messages.warning(request, _("This step is no longer waiting for you."))
        return redirect("filing:detail", filing.pk)
    user = request.user
    try:
        if action == "collect" and step.key == "collect":
            services.complete_collection(
                filing, step, by=user, comment=request.POST.get("comment", "")
            )
        elif action == "review" and step.key in ("initial_review", "second_review"):
            items, suggestions = selectors.review_items(filing, step.key)
            form = ReviewForm(request.POST, items=items, suggestions=suggestions)
            if not form.is_valid():
                return _detail(request, filing, 400, step=step, review_form=form)
            services.submit_review(
                filing, step, by=user, checks=form.checks(),
                outcome=request.POST.get("outcome", ""), comment=form.cleaned_data["comment"],
            )  # fmt: skip
        elif action == "supplement" and step.key in ("initial_review", "second_review"):
            supplement = SupplementForm(request.POST)
            if not supplement.is_valid():
                return _detail(request, filing, 400, step=step, supplement_form=supplement)
            services.request_supplement(
                filing, step, by=user, reason=supplement.cleaned_data["reason"]
            )
        elif action == "resume" and step.status == "waiting":
            services.supplement_received(filing, step, by=user)
        elif action == "report" and step.key == "due_diligence":
            report = RiskReportForm(request.POST, request.FILES)
            if not report.is_valid():
                return _detail(request, filing, 400, step=step, report_form=report)
            services.submit_risk_report(
                filing, step, by=user, values=report.cleaned_data,
                upload=report.cleaned_data["file"],
            )  # fmt: skip
        elif action == "decide" and step.key == "approve":
            decision = DecisionForm(request.POST, outcomes=selectors.outcomes(step))
            if not decision.is_valid():
                return _detail(request, filing, 400, step=step, decision_form=decision)
            services.filing_step_decide(
                filing, step, by=user, outcome=decision.cleaned_data["outcome"],
                comment=decision.cleaned_data["comment"],
            )  # fmt: skip
        else:
            raise Http404(_("No such action."))
    except (ValidationError, WorkflowError) as error:
        messages.error(request, _errors(error))
        return redirect("filing:detail", filing.pk)
    messages.success(request, _("Saved."))
    return redirect("filing:detail", filing.pk)


@login_required
@require_POST
def set_signatory(request: HttpRequest, pk: int) -> HttpResponse:
    """Who signs for the customer: the legal representative or an agent (FIL-9)."""
    filing = get_visible_or_404(request.user, selectors.filing_rows(), pk)
    if not selectors.may_set_signatory(request.user, filing):
        raise PermissionDenied(DENIED)
    version = request.POST.get("version", "")
    try:
        services.filing_set_signatory(
            filing, by=request.user, legal_rep=request.POST.get("signatory") != "agent",
            name=request.POST.get("signatory_name", ""),
            expected_version=int(version) if version.isdigit() else None,
        )  # fmt: skip
    except (ValidationError, WorkflowError) as error:
        messages.error(request, _errors(error))
    except StaleEditError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Saved."))
    return redirect("filing:detail", filing.pk)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    filing = get_visible_or_404(request.user, selectors.filing_rows(), pk)
    if not selectors.can_withdraw(request.user, filing):
        raise PermissionDenied(DENIED)
    try:
        services.filing_withdraw(filing, by=request.user, reason=request.POST.get("reason", ""))
    except (ValidationError, WorkflowError) as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("Filing withdrawn; the customer is a prospect again."))
    return redirect("filing:detail", filing.pk)


@login_required
def filing_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    filing = get_visible_or_404(request.user, selectors.filing_rows(), pk)
    content = printing.filing_form(filing, printed_by=request.user)
    services.record_print(filing)
    return pdf.response(content, f"客户备案表_{filing.number}_{filing.customer.name}.pdf")


@login_required
@requires("filing.watchlisthit.change")
def clear_hit(request: HttpRequest, pk: int) -> HttpResponse:
    """Compliance clears a false watch-list match of a customer, with the reason."""
    hit = WatchListHit.objects.select_related("entry").filter(pk=pk).first()
    if hit is None:
        raise Http404
    customer = get_visible_or_404(request.user, customer_rows(), hit.customer_id)
    form = ClearHitForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                monitoring.clear_hit(hit, request.user, form.cleaned_data["reason"])
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Watch-list match cleared."))
                return redirect("generic:customers_detail", customer.pk)
        status = 400
    context = {"form": form, "hit": hit, "customer": customer}
    return render(request, "filing/clear_hit.html", context, status=status)
