"""Surveys: the yearly round to the account managers, answers on their scales (or nothing
stored), aggregation with n, mean, CSAT and NPS against hand-computed figures, corrective
actions below target, reminders of unanswered surveys, and who sees them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from kehu.core import calendar
from kehu.core.models import Notification, User
from kehu.customers.models import Customer
from kehu.customers.services import change_status
from kehu.interactions import surveys, timeline
from kehu.interactions.models import (
    CorrectiveAction,
    Scale,
    Survey,
    SurveyAnswer,
    SurveyItem,
    SurveyTemplate,
)
from kehu.ops.reminders import run_reminders

pytestmark = pytest.mark.django_db
YEAR = 2026

# Hand-computed: 服务质量 5,4,3,5,2 → mean 3.80, CSAT 3/5 = 60.0 % (target 80: action);
# 套餐价格 4,4,4,5,3 → 4.00, 80.0 % (target 60: none); 公司评价 5,5,4,4,4 → 4.40, 100.0 %;
# 推荐意愿 10,9,9,7,2 → mean 7.40, promoters 3, detractors 1: NPS (3 − 1)/5 = 40.0.
SCORES = {
    "服务质量": [5, 4, 3, 5, 2],
    "套餐价格": [4, 4, 4, 5, 3],
    "公司评价": [5, 5, 4, 4, 4],
    "推荐意愿": [10, 9, 9, 7, 2],
}


@pytest.fixture
def template(demo: dict[str, User]) -> SurveyTemplate:
    made = SurveyTemplate.objects.create(name="年度顾客满意度调查", kind="satisfaction")
    for order, (label, scale, target) in enumerate(
        [("服务质量", Scale.FIVE, "80"), ("套餐价格", Scale.FIVE, "60"),
         ("公司评价", Scale.FIVE, None), ("推荐意愿", Scale.NPS, "0"),
         ("其他意见", Scale.TEXT, None)],
        start=1,
    ):  # fmt: skip
        SurveyItem.objects.create(
            template=made, order=order, label=label, scale=scale, target=target
        )
    return made


@pytest.fixture
def active_customers(
    make_customer: Callable[..., Customer], demo: dict[str, User]
) -> list[Customer]:
    made = []
    for owner in ("manager1", "manager2", "manager1", "manager2", "manager1"):
        customer = make_customer(owner)
        customer = change_status(customer, "in_filing", "备案", demo["gm"])
        made.append(change_status(customer, "active", "备案通过", demo["gm"]))
    return made


def answers(survey: Survey, **by_label: Any) -> dict[str, Any]:
    items = {item.label: item for item in survey.template.items.all()}
    return {surveys.field_name(items[label]): value for label, value in by_label.items()}


def send(template: SurveyTemplate, demo: dict[str, User], days: int = 30) -> int:
    due = timezone.localdate() + datetime.timedelta(days=days)
    return surveys.survey_send(template, year=YEAR, due_date=due, by=demo["head_sale"])


def test_yearly_round_aggregation_csat_nps_and_corrective_action(
    template: SurveyTemplate, active_customers: list[Customer], demo: dict[str, User]
) -> None:
    assert send(template, demo) == 5
    assert send(template, demo) == 0  # once a year per customer
    rows = Survey.objects.filter(customer__in=active_customers).order_by("pk")
    for index, survey in enumerate(rows):
        owner = survey.assignee
        assert owner == survey.customer.owner
        given = {label: values[index] for label, values in SCORES.items()}
        surveys.survey_answer(survey, by=owner, answers=answers(survey, **given, 其他意见="好"))
    results = {r.item.label: r for r in surveys.aggregate(template, year=YEAR)}
    assert results["服务质量"].n == 5 and results["服务质量"].mean == Decimal("3.80")
    assert results["服务质量"].csat == Decimal("60.0")
    assert results["套餐价格"].csat == Decimal("80.0")
    assert results["公司评价"].csat == Decimal("100.0") and results["公司评价"].mean == Decimal(
        "4.40"
    )
    assert results["推荐意愿"].nps == Decimal("40.0") and results["推荐意愿"].mean == Decimal(
        "7.40"
    )
    assert "其他意见" not in results
    by_unit = surveys.aggregate_by_unit(template, year=YEAR)
    assert [unit.code for unit in by_unit] == ["SALE"]
    actions = CorrectiveAction.objects.filter(year=YEAR)
    assert [(a.item.label, a.measured, a.target) for a in actions] == [
        ("服务质量", Decimal("60.0"), Decimal("80.0"))
    ]


def test_answers_out_of_scale_are_refused_beside_the_field(
    template: SurveyTemplate, active_customers: list[Customer], demo: dict[str, User]
) -> None:
    send(template, demo)
    survey = Survey.objects.filter(customer=active_customers[0]).get()
    bad = answers(survey, 服务质量="6", 推荐意愿="11", 套餐价格="很好")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        surveys.survey_answer(survey, by=demo["manager1"], answers=bad)
    errors = refused.value.message_dict
    assert len(errors) == 3 and "1" in errors[next(iter(errors))][0]
    assert "整数" in errors[next(iter(errors))][0]
    assert not SurveyAnswer.objects.exists()
    survey.refresh_from_db()
    assert survey.status == "sent"
    with pytest.raises(PermissionDenied):  # another department's account manager
        surveys.survey_answer(survey, by=demo["manager4"], answers=answers(survey, 服务质量="5"))


def test_the_answer_page_shows_errors_and_records(
    template: SurveyTemplate, active_customers: list[Customer], demo: dict[str, User],
    client_for: Callable[..., Any],
) -> None:  # fmt: skip
    send(template, demo)
    survey = Survey.objects.filter(customer=active_customers[0]).get()
    url = reverse("interactions:survey_answer", args=[survey.pk])
    page = client_for("manager1")
    day = timezone.localdate().isoformat()
    refused = page.post(url, {"answered_on": day, **answers(survey, 服务质量="9")})
    assert refused.status_code == 400 and not SurveyAnswer.objects.exists()
    done = page.post(url, {"answered_on": day, **answers(survey, 服务质量="4", 推荐意愿="9")})
    assert done.status_code == 302
    assert SurveyAnswer.objects.filter(survey=survey).count() == 2
    results = page.get(
        reverse("interactions:survey_results") + f"?template={template.pk}&year={YEAR}"
    )
    assert results.status_code == 200 and "服务质量" in results.content.decode()


def test_unanswered_surveys_are_reminded(
    template: SurveyTemplate, active_customers: list[Customer], demo: dict[str, User]
) -> None:
    send(template, demo, days=30)
    due = Survey.objects.filter(customer=active_customers[0]).get().due_date
    ahead = calendar.add_working_days(due, -5)
    told = run_reminders(ahead, ["interactions.survey"])["interactions.survey"]
    assert told == 5  # each customer's account manager, once per survey
    assert Notification.objects.filter(user=demo["manager1"]).count() >= 3


def test_surveys_are_seen_by_the_business_department_only(
    template: SurveyTemplate, active_customers: list[Customer], demo: dict[str, User]
) -> None:
    send(template, demo)
    customer = active_customers[0]
    for reader in ("manager1", "head_sale", "gm", "auditor"):
        assert "survey" in {e.kind for e in timeline.timeline(demo[reader], customer)}, reader
    for outsider in ("compliance", "credit", "manager4", "admin"):
        assert "survey" not in {e.kind for e in timeline.timeline(demo[outsider], customer)}
