"""Pages of interactions beyond the generated ones: a customer's whole timeline and marking
a follow-up done."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core import policy
from kehu.core.access import get_visible_or_404, require, requires
from kehu.core.forms import add_errors
from kehu.customers.models import Customer
from kehu.infra import pdf
from kehu.interactions import (
    complaints,
    forms,
    pdfs,
    purchases,
    research,
    selectors,
    services,
    survey_reports,
    surveys,
    timeline,
    visits,
)
from kehu.interactions.models import (
    Complaint,
    CustomerResearch,
    Interaction,
    Survey,
    SurveyReport,
    SurveyTemplate,
    VisitPlan,
)

TIMELINE_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def customer_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_visible_or_404(request.user, Customer, pk)
    if not timeline.visible_sources(request.user):
        raise Http404
    before = selectors.parse_before(request.GET.get("before", ""))
    context = selectors.timeline_context(
        request.user, customer, request.GET.get("kind", ""), before, TIMELINE_PAGE
    )
    return render(request, "interactions/timeline.html", {"customer": customer, **context})


@login_required
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = get_visible_or_404(request.user, Interaction, pk)
    try:
        services.interaction_follow_up_done(interaction, by=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Follow-up marked done."))
    return redirect("generic:interactions_detail", interaction.pk)


@login_required
@require_POST
def complaint_reply(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_visible_or_404(request.user, Complaint, pk)
    form = complaints.ReplyForm(request.POST, complaint=complaint)
    try:
        complaints.complaint_reply(complaint, by=request.user, form=form)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Reply sent; the customer's confirmation is now awaited."))
    return redirect("generic:complaints_detail", complaint.pk)


@login_required
def reply_letter(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_visible_or_404(request.user, Complaint, pk)
    if complaint.approved_at is None:
        raise Http404
    content = pdfs.reply_letter(complaint, printed_by=request.user)
    return pdf.response(content, f"{complaint.number}-回复函.pdf")


# --- surveys -------------------------------------------------------------------------------


@login_required
def survey_answer(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_visible_or_404(request.user, Survey, pk)
    form_class = forms.answer_form_class(survey)
    form = form_class(request.POST or None, initial={"answered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            surveys.survey_answer(
                survey, by=request.user, answers=data,  # type: ignore[arg-type]
                respondent=data.pop("respondent", ""), comment=data.pop("comment", ""),
                answered_on=data.pop("answered_on", None),
            )  # fmt: skip
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Answers recorded."))
            return redirect("generic:surveys_detail", survey.pk)
    return render(
        request,
        "interactions/survey_answer.html",
        {"survey": survey, "form": form, "answers": survey.answers.select_related("item")},
        status=400 if form.errors else 200,
    )


@login_required
def survey_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The survey as a printable form (blank, or with the answers recorded)."""
    survey = get_visible_or_404(request.user, Survey, pk)
    content = pdfs.survey_form(survey, printed_by=request.user)
    surveys.record_print(survey)
    return pdf.response(content, f"{survey.template.name}-{survey.customer.name}.pdf")


@login_required
@requires("interactions.survey.add")
def survey_send(request: HttpRequest) -> HttpResponse:
    form = forms.SurveySendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = surveys.survey_send(by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(n)s surveys sent.") % {"n": sent})
            return redirect("generic:surveys_list")
    return render(
        request, "interactions/survey_send.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@requires("interactions.survey.view")
def survey_results(request: HttpRequest) -> HttpResponse:
    templates = SurveyTemplate.objects.order_by("name")
    template = templates.filter(pk=request.GET.get("template") or 0).first() or templates.first()
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else timezone.localdate().year
    context: dict[str, object] = {"templates": templates, "template": template, "year": year}
    if template is not None:
        context["overall"] = surveys.aggregate(template, year=year, user=request.user)
        context["by_unit"] = surveys.aggregate_by_unit(template, year=year, user=request.user)
    context["may_export"] = policy.has_perm(request.user, "interactions.survey.export")
    context["may_report"] = bool(
        policy.units_where(request.user, "interactions.surveyreport.add").exists()
    )
    return render(request, "interactions/survey_results.html", context)


@login_required
@requires("interactions.survey.export")
def survey_results_xlsx(request: HttpRequest) -> HttpResponse:
    """The results the user may see, as a workbook (by item, and every answered survey)."""
    templates = SurveyTemplate.objects.order_by("name")
    template = templates.filter(pk=request.GET.get("template") or 0).first() or templates.first()
    if template is None:
        raise Http404
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else timezone.localdate().year
    content = survey_reports.results_xlsx(request.user, template, year)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="survey-{template.pk}-{year}.xlsx"'
    return response


@login_required
def survey_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_visible_or_404(request.user, SurveyReport, pk)
    content = survey_reports.report_pdf(report, printed_by=request.user)
    return pdf.response(content, f"{report.number or report.pk}-满意度调查分析报告.pdf")


@login_required
@require_POST
def survey_report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_visible_or_404(request.user, SurveyReport, pk)
    require(request.user, "interactions.surveyreport.change", report)
    try:
        survey_reports.report_submit(report, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        shown = error.messages if isinstance(error, ValidationError) else [str(error)]
        messages.error(request, " ".join(shown))
    else:
        messages.success(request, _("Sent to the general manager for approval."))
    return redirect("generic:survey-reports_detail", report.pk)


# --- customer research ---------------------------------------------------------------------


@login_required
@require_POST
def research_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Sign (the author), evaluate or void (the head) a research."""
    found = get_visible_or_404(request.user, CustomerResearch, pk)
    try:
        if action == "sign":
            research.research_sign(found, by=request.user)
        elif action == "evaluate":
            text = request.POST.get("evaluation", "")
            research.research_evaluate(found, by=request.user, evaluation=text)
        elif action == "void":
            research.research_void(
                found, by=request.user, reason=request.POST.get("void_reason", "")
            )
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as error:
        shown = error.messages if isinstance(error, ValidationError) else [str(error)]
        messages.error(request, " ".join(shown))
    else:
        messages.success(request, _("Saved."))
    return redirect("generic:customer-research_detail", found.pk)


@login_required
@require_POST
def visit_done(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(request.user, VisitPlan, pk)
    try:
        visits.visit_done(plan, by=request.user, summary=request.POST.get("summary", ""))
    except (ValidationError, PermissionDenied) as error:
        shown = error.messages if isinstance(error, ValidationError) else [str(error)]
        messages.error(request, " ".join(shown))
    else:
        messages.success(request, _("Recorded in the communication log."))
    return redirect("generic:visit-plans_detail", plan.pk)


@login_required
@requires("interactions.purchase.add")
def purchase_import(request: HttpRequest) -> HttpResponse:
    """Import purchases from a CSV file: every line valid or nothing stored."""
    form = forms.PurchaseImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = purchases.purchases_import(upload.read(), by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(created)s purchases imported, %(skipped)s already there.")
                % {"created": result.created, "skipped": result.skipped},
            )
            return redirect("generic:purchases_list")
    return render(
        request,
        "interactions/purchase_import.html",
        {"form": form, "columns": list(purchases.COLUMNS.values())},
        status=400 if form.errors else 200,
    )
