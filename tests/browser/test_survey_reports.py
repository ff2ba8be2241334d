"""The survey analysis report in the browser: the account manager records a customer's
answers, the head of sales reads the results (and their Excel), writes the report and sends
it to the general manager, who approves it on the case; the approved report prints as PDF."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import Server, record_pk, select_unit, sign_in_ok, sign_out, submit

pytestmark = pytest.mark.browser

SETUP = """
import datetime
from django.utils import timezone
from kehu.audit.context import SYSTEM, acting_as
from kehu.customers.models import Customer
from kehu.interactions import surveys
from kehu.interactions.models import Survey, SurveyTemplate
year = timezone.localdate().year
template = SurveyTemplate.objects.get(name="顾客满意度调查表")
customers = Customer.objects.filter(owner__username="manager1", status="active",
                                    merged_into=None).order_by("pk")[:2]
with acting_as(SYSTEM):
    surveys._send(template, Customer.objects.filter(pk__in=[c.pk for c in customers]),
                  year=year, due_date=timezone.localdate() + datetime.timedelta(days=30))
rows = Survey.objects.filter(template=template, year=year, customer__in=customers)
first, second = rows.order_by("pk")[:2]
items = {i.label: i for i in template.items.all()}
surveys.survey_answer(second, by=second.assignee, answers={
    surveys.field_name(items["服务质量"]): "3", surveys.field_name(items["套餐价格"]): "4",
    surveys.field_name(items["公司评价"]): "5",
    surveys.field_name(items["您向他人推荐我公司的可能性"]): "6",
    surveys.field_name(items["意见与建议"]): "希望缩短响应时间"})
print(first.pk, template.pk, year, items["服务质量"].pk, items["您向他人推荐我公司的可能性"].pk)
"""

ACT = "[id^='act-step-']"


def test_survey_report_from_answers_to_the_general_managers_approval(
    page: Page, server: Server
) -> None:
    last = server.shell(SETUP).strip().splitlines()[-1]
    survey, template, year, quality, nps = last.split()

    # The account manager records the customer's answers on the survey's page.
    sign_in_ok(page, "manager1")
    page.goto(f"/surveys/{survey}/answer/")
    page.fill(f"[name='item_{quality}']", "5")
    page.fill(f"[name='item_{nps}']", "10")
    assert submit(page, "#save-answers") == 302
    sign_out(page)

    # The head of sales reads the results (n = 2), exports them and writes the report.
    sign_in_ok(page, "head_sale")
    page.goto(f"/surveys/results/?template={template}&year={year}")
    assert "服务质量" in page.inner_text("#results-all")
    workbook = page.request.get(page.get_attribute("#results-xlsx", "href") or "")
    assert workbook.status == 200 and workbook.body().startswith(b"PK")
    page.click("#write-report")
    select_unit(page, "#id_unit", "SALE")
    page.fill("#id_analysis", "服务质量两户平均4分，响应时间需改进。")
    assert submit(page, "#save") == 302
    report = record_pk(page.url)
    assert "服务质量" in page.inner_text("#survey-report")
    assert submit(page, "#report-submit") == 302
    case_url = page.get_attribute("#report-case", "href") or ""
    assert "/cases/" in case_url
    sign_out(page)

    # The general manager approves it on the case.
    sign_in_ok(page, "gm")
    page.goto(case_url)
    page.locator(ACT).locator("input[value='approved']").check()
    assert submit(page, f"{ACT} .complete-form button[type=submit]") == 302
    page.goto(f"/survey-reports/{report}/")
    assert page.locator("#report-submit").count() == 0
    printed = page.request.get(page.get_attribute("#report-pdf", "href") or "")
    assert printed.status == 200 and printed.body().startswith(b"%PDF")
    sign_out(page)
