"""My tasks, the case page (steps, completion, supplement requests, comments) and the case
list. Thin: the services decide, the selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.audit.models import AuditEvent
from kehu.core.access import DENIED
from kehu.workflow import definitions, selectors, services
from kehu.workflow.forms import CommentForm, CompleteStepForm, WaitForm
from kehu.workflow.models import Case, CaseStatus, Step


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    mine, held_back = selectors.tasks_split_by_four_eyes(user)
    return render(
        request,
        "workflow/tasks.html",
        {
            "tasks": mine,
            "held_back": held_back,
            "overdue": [s for s in mine if s.is_overdue(today)],
            "submitted": selectors.submitted_by(user),
            "done": selectors.done_by(user),
            "today": today,
        },
    )


def _visible_case(request: HttpRequest, pk: int) -> Case:
    case = get_object_or_404(Case.objects.select_related("unit", "opened_by"), pk=pk)
    if not selectors.can_view_case(request.user, case):
        raise PermissionDenied(DENIED)
    return case


def _step_forms(request: HttpRequest, case: Case, bound: Step | None = None) -> list[Any]:
    process = definitions.get(case.process)
    rows = []
    for step in selectors.open_steps_for(request.user, case):
        spec = process.spec(step.key)
        is_bound = bound is not None and bound.pk == step.pk
        data = request.POST if is_bound else None
        form = CompleteStepForm(
            data, spec=spec, prefix=f"s{step.pk}", initial={"version": step.version}
        )
        extra = spec.form(data, prefix=f"d{step.pk}") if spec.form else None
        rows.append(
            {
                "step": step,
                "spec": spec,
                "form": form,
                "extra": extra,
                # A step with its own page form is completed there, not here.
                "own_page": _own_page(step),
                "context": process.step_context(case, step),
                "refusal": services.four_eyes_refusal(request.user, step),
                "wait_form": WaitForm(prefix=f"w{step.pk}") if spec.wait_working_days else None,
            }
        )
    return rows


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    return _render_case(request, case, _step_forms(request, case))


def _render_case(request: HttpRequest, case: Case, step_forms: list[Any]) -> HttpResponse:
    process = definitions.get(case.process)
    history = AuditEvent.objects.filter(
        object_type="workflow.case", object_id=str(case.pk)
    ).order_by("seq")
    return render(
        request,
        "workflow/case.html",
        {
            "case": case,
            "process": process,
            "subject": case.subject,
            "subject_url": process.subject_url(case),
            "steps": case.steps.select_related("assignee_unit", "assignee_user", "completed_by"),
            "step_forms": step_forms,
            "comments": case.comments.select_related("author"),
            "comment_form": CommentForm(),
            "comment_refusal": services.comment_refusal(request.user, case),
            "history": history,
            "today": timezone.localdate(),
        },
        status=400 if any(r["form"].errors for r in step_forms) else 200,
    )


@login_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(Step.objects.select_related("case"), pk=pk)
    case = _visible_case(request, step.case_id)
    rows = _step_forms(request, case, bound=step)
    row = next((r for r in rows if r["step"].pk == step.pk), None)
    if row is None:
        messages.error(request, _("This step is not waiting for you (any more)."))
        return redirect("workflow:case", case.pk)
    form, extra = row["form"], row["extra"]
    if row["own_page"]:
        messages.error(request, _("This step is completed with its own form, on its page."))
        return redirect(row["own_page"])
    if form.is_valid() and (extra is None or extra.is_valid()):
        try:
            services.complete_step(
                step,
                by=request.user,  # type: ignore[arg-type]
                outcome=form.cleaned_data["outcome"],
                comment=form.cleaned_data["comment"],
                data=services.jsonable(extra.cleaned_data) if extra else None,
                expected_version=form.cleaned_data["version"],
            )
        except services.WorkflowError as error:
            form.add_error(None, error.args[0] if error.args else str(error))
        else:
            messages.success(request, _("Step completed: %(step)s") % {"step": step.label})
            return redirect("workflow:case", case.pk)
    return _render_case(request, case, rows)


def _own_page(step: Step) -> str:
    """The page of a step with its own form ("" for a step the case page completes)."""
    process = definitions.get(step.case.process)
    return process.step_form_url(step.case, step) if process.spec(step.key).page_form else ""


@login_required
@require_POST
def wait(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(Step.objects.select_related("case"), pk=pk)
    _visible_case(request, step.case_id)
    own_page = _own_page(step)
    if own_page:
        messages.error(request, _("This step is completed with its own form, on its page."))
        return redirect(own_page)
    form = WaitForm(request.POST, prefix=f"w{step.pk}")
    if not form.is_valid():
        messages.error(request, _("Say what is missing or wrong."))
    else:
        try:
            services.wait_for_external(step, by=request.user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except services.WorkflowError as error:
            messages.error(request, str(error.args[0] if error.args else error))
        else:
            messages.success(request, _("The step now waits for the outside party."))
    return redirect("workflow:case", step.case_id)


@login_required
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(Step.objects.select_related("case"), pk=pk)
    _visible_case(request, step.case_id)
    own_page = _own_page(step)
    if own_page:
        messages.error(request, _("This step is completed with its own form, on its page."))
        return redirect(own_page)
    try:
        services.resume_step(step, by=request.user, note=request.POST.get("note", ""))  # type: ignore[arg-type]
    except services.WorkflowError as error:
        messages.error(request, str(error.args[0] if error.args else error))
    else:
        messages.success(request, _("The step is running again."))
    return redirect("workflow:case", step.case_id)


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    refusal = services.comment_refusal(request.user, case)
    if refusal:
        raise PermissionDenied(refusal)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment first."))
    else:
        try:
            services.add_comment(case, by=request.user, text=form.cleaned_data["text"])  # type: ignore[arg-type]
        except services.NotAllowedError:
            raise  # refused outright (403), as above
        except services.WorkflowError as error:
            messages.error(request, str(error.args[0] if error.args else error))
    return redirect("workflow:case", case.pk)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    cases = selectors.listed_cases(user)
    process = request.GET.get("process", "")
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue", "")
    if overdue:
        cases = cases.filter(pk__in=selectors.overdue_of(overdue).values("case_id"))
    if process:
        cases = cases.filter(process=process)
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    cases = cases.distinct().select_related("unit", "opened_by").order_by("-created_at")[:200]
    return render(
        request,
        "workflow/cases.html",
        {
            "cases": cases,
            "processes": definitions.all_processes(),
            "statuses": CaseStatus.choices,
            "process": process,
            "status": status,
            "overdue": overdue,
        },
    )
