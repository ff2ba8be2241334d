"""The survey analysis report (顾客满意度调查分析报告, INT-4): a template's results of a year
for a department, the customers' comments and the author's analysis; written as a draft, sent
to the general manager for approval on the workflow engine (returned ones are corrected and
sent again); printable as PDF. The figures are kept as sent."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kehu.audit.services import record
from kehu.core import policy
from kehu.core.access import DENIED
from kehu.core.models import OrgUnit
from kehu.generic.services import audited_create, audited_update
from kehu.infra import pdf
from kehu.interactions.models import (
    ReportStatus,
    Scale,
    Survey,
    SurveyAnswer,
    SurveyReport,
    SurveyTemplate,
)
from kehu.interactions.surveys import Result, aggregate, aggregate_by_unit
from kehu.workflow import services as workflow
from kehu.workflow.models import Step

PROCESS = "interactions.survey_report"
# At most this many comments are kept in a report (the newest answers first).
MAX_COMMENTS = 500


def _figure(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _rows(results: list[Result]) -> list[dict[str, Any]]:
    return [
        {
            "item": r.item.label, "scale": r.item.scale, "n": r.n, "mean": _figure(r.mean),
            "csat": _figure(r.csat), "nps": _figure(r.nps), "target": _figure(r.item.target),
            "below": r.item.target is not None and r.key_figure is not None
            and r.key_figure < r.item.target,
        }
        for r in results
    ]  # fmt: skip


def comments_of(template: SurveyTemplate, year: int, unit: OrgUnit) -> list[dict[str, str]]:
    """The free-text answers and the surveys' comments of the department's customers."""
    surveys = Survey.objects.filter(
        template=template, year=year, customer__unit__path__startswith=unit.path
    )
    texts = (
        SurveyAnswer.objects.filter(survey__in=surveys, item__scale=Scale.TEXT)
        .exclude(text="")
        .values_list("survey__customer__name", "item__label", "text")
        .order_by("-survey__answered_on", "-pk")[:MAX_COMMENTS]
    )
    rows = [{"customer": c, "item": i, "text": t} for c, i, t in texts]
    general = (
        surveys.exclude(comment="")
        .values_list("customer__name", "comment")
        .order_by("-answered_on", "-pk")[: MAX_COMMENTS - len(rows)]
    )
    label = str(_("comments"))
    return rows + [{"customer": c, "item": label, "text": t} for c, t in general]


def figures_of(template: SurveyTemplate, year: int, unit: OrgUnit) -> dict[str, Any]:
    """The report's figures: by item over the department, per department below it, and the
    comments (n shown with every figure)."""
    by_unit = aggregate_by_unit(template, year=year, unit=unit)
    return {
        "overall": _rows(aggregate(template, year=year, unit=unit)),
        "units": [{"unit": u.name, "results": _rows(rs)} for u, rs in by_unit.items()],
        "comments": comments_of(template, year, unit),
    }


def _check(template: SurveyTemplate, year: int, figures: dict[str, Any]) -> None:
    if year > timezone.localdate().year:
        raise ValidationError({"year": [_("A report covers a year that has begun.")]})
    if not any(row["n"] for row in figures["overall"]) and not figures["comments"]:
        raise ValidationError(
            {"year": [_("No answers of this template and year in the department to report on.")]}
        )


def _open(report: SurveyReport, by: Any) -> None:
    case = workflow.open_case(
        PROCESS, report, unit=report.unit, by=by,
        title=_("Survey analysis report %(template)s %(year)s")
        % {"template": report.template.name, "year": report.year},
        data={"report": report.pk},
    )  # fmt: skip
    SurveyReport.objects.filter(pk=report.pk).update(case=case, number=case.number)
    report.case, report.number = case, case.number


def report_create(data: dict[str, Any]) -> SurveyReport:
    """A draft report from the current answers, for a department the user reports on."""
    user = data.get("submitted_by")
    report = SurveyReport(
        template=data["template"], year=data["year"], unit=data["unit"],
        analysis=(data.get("analysis") or "").strip(), author=user,
    )  # fmt: skip
    if user is None or not policy.has_perm(user, "interactions.surveyreport.add", report):
        raise ValidationError({"unit": [_("You may not write reports for this department.")]})
    if SurveyReport.objects.filter(
        template=report.template, year=report.year, unit=report.unit
    ).exists():
        raise ValidationError(
            {"year": [_("This department's report of this template and year exists already.")]}
        )
    report.figures = figures_of(report.template, report.year, report.unit)
    _check(report.template, report.year, report.figures)
    report.full_clean()
    return audited_create(report)


EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def report_update(
    report: SurveyReport, data: dict[str, Any], expected_version: int | None
) -> SurveyReport:
    """Correct the analysis of a draft or a returned report (one sent or approved stays)."""
    stored = SurveyReport.objects.get(pk=report.pk)
    if stored.status not in EDITABLE:
        raise ValidationError(_("Only a draft or a report returned for correction changes."))
    values = {"analysis": (data.get("analysis") or "").strip()}
    if not values["analysis"]:
        raise ValidationError({"analysis": [_("Write the analysis.")]})
    updated = audited_update(report, values, expected_version)
    assert isinstance(updated, SurveyReport)
    return updated


def report_submit(report: SurveyReport, *, by: Any) -> SurveyReport:
    """Send a draft (or a returned report again) to the general manager, with the figures as
    they are now."""
    if not policy.has_perm(by, "interactions.surveyreport.change", report):
        raise PermissionDenied(DENIED)
    with transaction.atomic():
        current = SurveyReport.objects.select_for_update().get(pk=report.pk)
        if current.status not in EDITABLE:
            raise ValidationError(_("This report has been sent already."))
        current.figures = figures_of(current.template, current.year, current.unit)
        _check(current.template, current.year, current.figures)
        current.status, current.return_reason = ReportStatus.APPROVAL, ""
        current.submitted_at = timezone.now()
        current.version += 1
        current.save()
        record("interactions.surveyreport.submit", current)
        _open(current, by)
    return current


def report_of(case: Any) -> SurveyReport:
    return SurveyReport.objects.select_related("template", "unit").get(pk=case.data["report"])


def record_decision(report: SurveyReport, step: Step) -> None:
    """The general manager's decision on the report."""
    approved = step.outcome == "approved"
    report.status = ReportStatus.APPROVED if approved else ReportStatus.RETURNED
    report.approved_by = step.completed_by if approved else None
    report.approved_at = step.completed_at if approved else None
    report.return_reason = "" if approved else step.comment
    report.version += 1
    report.save()
    action = "approve" if approved else "return"
    record(f"interactions.surveyreport.{action}", report, extra={"reason": step.comment})


# --- the printed report ---------------------------------------------------------------------


def _table(document: pdf.Document, rows: list[dict[str, Any]]) -> None:
    head = [_("question"), "n", _("mean"), "CSAT %", "NPS", _("target"), _("below the target")]
    document.table(
        [head, *[[r["item"], r["n"], r["mean"], r["csat"], r["nps"], r["target"],
                  _("yes") if r["below"] else ""] for r in rows]],
        col_widths=[55, 12, 18, 20, 18, 20, 27],
    )  # fmt: skip


def report_pdf(report: SurveyReport, *, printed_by: Any) -> bytes:
    record("interactions.surveyreport.print", report, extra={"number": report.number})
    document = pdf.Document(
        _("Customer satisfaction survey analysis report"),
        author=(printed_by.full_name or printed_by.username) if printed_by else "",
        subject=report.number,
    )
    approved = report.approved_at
    document.key_values(
        [
            (_("report number"), report.number),
            (_("template"), report.template.name),
            (_("year"), report.year),
            (_("department"), report.unit.name),
            (_("status"), report.get_status_display()),
            (_("author"), report.author.full_name or report.author.username),
            (_("approved by"), report.approved_by.full_name if report.approved_by else "—"),
            (_("approved at"), timezone.localtime(approved).strftime("%Y-%m-%d") if approved
             else "—"),
        ]
    )  # fmt: skip
    figures = report.figures or {}
    document.heading(_("Results by item"))
    _table(document, figures.get("overall", []))
    for unit in figures.get("units", []):
        document.heading(unit["unit"])
        _table(document, unit["results"])
    document.heading(_("analysis and conclusions"))
    for paragraph in report.analysis.split("\n"):
        if paragraph.strip():
            document.paragraph(paragraph)
    comments = figures.get("comments", [])
    if comments:
        document.heading(_("The customers' comments"))
        document.table(
            [[_("Customer"), _("question"), _("comments")],
             *[[c["customer"], c["item"], c["text"]] for c in comments]],
            col_widths=[45, 40, 85],
        )  # fmt: skip
    return document.build()


# --- the results as a workbook ---------------------------------------------------------------


def results_xlsx(user: Any, template: SurveyTemplate, year: int) -> bytes:
    """The results the user may see: by item (overall and per department) and every answered
    survey with its answers, one line each."""
    record("interactions.survey.export", template, extra={"year": year, "format": "xlsx"})
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(_("Results by item"))[:31]
    head = [_("department"), _("question"), "n", _("mean"), "CSAT %", "NPS", _("target")]
    sheet.append([str(h) for h in head])
    groups = [(str(_("All departments")), aggregate(template, year=year, user=user))]
    by_unit = aggregate_by_unit(template, year=year, user=user)
    groups += [(unit.name, results) for unit, results in by_unit.items()]
    for name, results in groups:
        for row in _rows(results):
            sheet.append([name, row["item"], row["n"], *(
                Decimal(row[k]) if row[k] else None for k in ("mean", "csat", "nps", "target")
            )])  # fmt: skip
    items = list(template.items.all())
    answers = workbook.create_sheet(str(_("Answers"))[:31])
    answers.append(
        [str(_("Customer")), str(_("department")), str(_("account manager")),
         str(_("answered on")), str(_("respondent")), *(i.label for i in items),
         str(_("comments"))]
    )  # fmt: skip
    surveys = (
        policy.scope(user, Survey.objects.filter(template=template, year=year))
        .filter(answered_on__isnull=False)
        .select_related("customer__unit", "assignee")
        .prefetch_related("answers")
        .order_by("customer__unit__code", "customer__name_pinyin", "pk")
    )
    for survey in surveys:
        given = {a.item_id: (a.text if a.score is None else a.score) for a in survey.answers.all()}
        answers.append(
            [survey.customer.name, survey.customer.unit.name,
             survey.assignee.full_name or survey.assignee.username, survey.answered_on,
             survey.respondent, *(given.get(i.pk) for i in items), survey.comment]
        )  # fmt: skip
    for ws in (sheet, answers):
        for cell in ws[1]:
            cell.font = Font(bold=True)
    workbook.properties.creator = str(user)
    workbook.properties.title = f"{template.name} {year}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
