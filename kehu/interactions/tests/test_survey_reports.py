"""The survey analysis report: figures by item and department with n and the comments, a
draft sent to the general manager for approval on the workflow (or returned and sent again),
the PDF; the results as Excel for whoever may export them; and the refusals on bad input."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kehu.audit.models import AuditEvent
from kehu.core.models import OrgUnit, Role, User
from kehu.customers.models import Customer
from kehu.interactions import survey_reports, surveys
from kehu.interactions.models import ReportStatus, Survey, SurveyReport, SurveyTemplate
from kehu.interactions.tests.test_surveys import (  # noqa: F401  (fixtures)
    SCORES,
    YEAR,
    active_customers,
    answers,
    send,
    template,
)
from kehu.workflow import services as workflow
from kehu.workflow.errors import WorkflowError
from kehu.workflow.models import Step, StepStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(
    template: SurveyTemplate,  # noqa: F811
    active_customers: list[Customer],  # noqa: F811
    demo: dict[str, User],
) -> SurveyTemplate:
    """The five surveys of test_surveys answered with its hand-computed scores."""
    send(template, demo)
    rows = Survey.objects.filter(customer__in=active_customers).order_by("pk")
    for index, survey in enumerate(rows):
        given = {label: values[index] for label, values in SCORES.items()}
        comment = {"其他意见": f"意见{index}"} if index < 2 else {}
        surveys.survey_answer(
            survey, by=survey.assignee, answers=answers(survey, **given, **comment),
            comment="整体满意" if index == 0 else "",
        )  # fmt: skip
    return template


def write(questionnaire: SurveyTemplate, by: User, unit: str = "SALE") -> SurveyReport:
    return survey_reports.report_create(
        {"template": questionnaire, "year": YEAR, "unit": OrgUnit.objects.get(code=unit),
         "analysis": "服务质量低于目标，需改进。", "submitted_by": by}
    )  # fmt: skip


def sent(questionnaire: SurveyTemplate, by: User) -> SurveyReport:
    draft = write(questionnaire, by)
    assert draft.status == ReportStatus.DRAFT and draft.case is None
    return survey_reports.report_submit(draft, by=by)


def approve_step(report: SurveyReport) -> Step:
    return Step.objects.get(case=report.case, key="approve", status=StepStatus.OPEN)


def test_report_figures_approval_and_pdf(
    answered: SurveyTemplate, demo: dict[str, User], client_for: Callable[..., Any]
) -> None:
    report = sent(answered, demo["head_sale"])
    assert report.number.startswith("MYD-") and report.status == ReportStatus.APPROVAL
    overall = {row["item"]: row for row in report.figures["overall"]}
    # Hand-computed in test_surveys: 服务质量 CSAT 60.0 % of n = 5, below its target 80.
    assert overall["服务质量"]["n"] == 5 and overall["服务质量"]["csat"] == "60.0"
    assert overall["服务质量"]["below"] and not overall["套餐价格"]["below"]
    assert overall["推荐意愿"]["nps"] == "40.0"
    assert [u["unit"] for u in report.figures["units"]] == ["销售部"]
    texts = sorted(c["text"] for c in report.figures["comments"])
    assert texts == ["意见0", "意见1", "整体满意"]
    step = approve_step(report)
    assert step.assignee_role == Role.GENERAL_MANAGER
    with pytest.raises(WorkflowError):  # only the general manager's role decides
        workflow.complete_step(step, by=demo["head_sale"], outcome="approved")
    workflow.complete_step(step, by=demo["gm"], outcome="approved")
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.approved_by == demo["gm"]
    assert report.case is not None and report.case.status == "closed"
    page = client_for("gm").get(reverse("generic:survey-reports_detail", args=[report.pk]))
    assert page.status_code == 200 and "report-overall" in page.content.decode()
    printed = client_for("gm").get(reverse("interactions:survey_report_pdf", args=[report.pk]))
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="interactions.surveyreport.print").exists()
    # An approved report no longer changes, nor is it sent again.
    with pytest.raises(ValidationError):
        survey_reports.report_update(report, {"analysis": "改"}, report.version)
    with pytest.raises(ValidationError):
        survey_reports.report_submit(report, by=demo["head_sale"])


def test_returned_report_is_corrected_and_sent_again(
    answered: SurveyTemplate, demo: dict[str, User], client_for: Callable[..., Any]
) -> None:
    report = sent(answered, demo["head_sale"])
    workflow.complete_step(approve_step(report), by=demo["gm"], outcome="returned",
                           comment="请补充原因分析")  # fmt: skip
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.return_reason == "请补充原因分析"
    report = survey_reports.report_update(report, {"analysis": "原因：人手不足。"}, report.version)
    first_case = report.case
    client = client_for("head_sale")
    url = reverse("interactions:survey_report_submit", args=[report.pk])
    assert client.post(url).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVAL and report.case != first_case
    assert approve_step(report).assignee_role == Role.GENERAL_MANAGER
    # Sent again while awaiting approval: refused, nothing changes.
    assert client.post(url).status_code == 302
    assert SurveyReport.objects.get(pk=report.pk).case == report.case


def test_bad_reports_are_refused(
    answered: SurveyTemplate,
    demo: dict[str, User],
    template: SurveyTemplate,  # noqa: F811
) -> None:
    future = {"template": answered, "year": timezone.localdate().year + 1,
              "unit": OrgUnit.objects.get(code="SALE"), "analysis": "x",
              "submitted_by": demo["head_sale"]}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        survey_reports.report_create(future)
    assert "year" in refused.value.message_dict
    with pytest.raises(ValidationError) as nothing:  # no answers in MKT
        write(answered, demo["head_sale"], unit="MKT")
    assert "unit" in nothing.value.message_dict or "year" in nothing.value.message_dict
    with pytest.raises(ValidationError):  # an account manager does not write reports
        write(answered, demo["manager1"])
    write(answered, demo["head_sale"])
    with pytest.raises(ValidationError) as twice:
        write(answered, demo["head_sale"])
    assert "exists already" in str(twice.value)
    assert SurveyReport.objects.count() == 1


def test_results_export_to_excel_within_the_exporters_scope(
    answered: SurveyTemplate, demo: dict[str, User], client_for: Callable[..., Any]
) -> None:
    url = reverse("interactions:survey_results_xlsx") + f"?template={answered.pk}&year={YEAR}"
    assert client_for("manager1").get(url).status_code == 403  # no export permission
    response = client_for("head_sale").get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    by_item, lines = book.worksheets
    overall = [r for r in by_item.iter_rows(min_row=2, values_only=True) if r[1] == "服务质量"]
    assert overall[0][2] == 5 and str(overall[0][4]) in {"60", "60.0"}
    rows = list(lines.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5 and {r[1] for r in rows} == {"销售部"}
    header = next(lines.iter_rows(max_row=1, values_only=True))
    assert "服务质量" in header and "其他意见" in header
    # Another department's head would see none of SALE's answers.
    outside = survey_reports.results_xlsx(demo["auditor"], answered, YEAR)
    assert outside.startswith(b"PK")


def test_survey_prints_as_a_form_for_its_readers(
    answered: SurveyTemplate, demo: dict[str, User], client_for: Callable[..., Any]
) -> None:
    survey = Survey.objects.filter(template=answered).order_by("pk").first()
    assert survey is not None
    url = reverse("interactions:survey_form", args=[survey.pk])
    printed = client_for("manager1").get(url)
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    assert client_for("manager4").get(url).status_code == 404
    assert AuditEvent.objects.filter(action="interactions.survey.print").count() == 1
