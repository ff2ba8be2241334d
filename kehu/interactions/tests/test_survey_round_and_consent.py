"""The automatic yearly survey round (every active customer at least once a year, from the
template's month on) and the consent gate of research on a person customer: surveys and
research need their recorded consent to research, refused with a clear message otherwise."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from kehu.audit.context import SYSTEM, acting_as
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.customers.services import change_status
from kehu.customers.tests.conftest import make_person  # noqa: F401  (fixture)
from kehu.interactions import research, surveys
from kehu.interactions.models import CustomerResearch, Survey, SurveyTemplate
from kehu.interactions.tasks import PERIODIC
from kehu.interactions.tests.test_surveys import (  # noqa: F401  (fixtures)
    YEAR,
    active_customers,
    answers,
    template,
)
from kehu.privacy import consent

pytestmark = pytest.mark.django_db


def activate(customer: Customer, gm: User) -> Customer:
    customer = change_status(customer, "in_filing", "备案", gm)
    return change_status(customer, "active", "备案通过", gm)


def consent_to_research(person: Customer, by: User) -> None:
    consent.record_consent(
        person,
        {"purpose": "research", "scope": "满意度调查与客户调研", "channel": "written",
         "given_on": timezone.localdate() - datetime.timedelta(days=1)},
        by, None,
    )  # fmt: skip


@pytest.fixture
def person(make_person: Callable[..., Customer], demo: dict[str, User]) -> Customer:  # noqa: F811
    return activate(make_person("manager1"), demo["gm"])


def test_yearly_round_surveys_every_active_customer_once_a_year(
    template: SurveyTemplate,  # noqa: F811
    active_customers: list[Customer],  # noqa: F811
    person: Customer,
    demo: dict[str, User],
) -> None:
    assert "interactions-yearly-surveys" in {p.name for p in PERIODIC}
    template.round_month = 3
    template.save()
    with acting_as(SYSTEM):
        assert surveys.yearly_round(datetime.date(YEAR, 2, 28)) == 0  # before its month
        sent = surveys.yearly_round(datetime.date(YEAR, 3, 2))
        # The five organisations; the person has not consented to research.
        assert sent == 5
        assert surveys.yearly_round(datetime.date(YEAR, 3, 3)) == 0  # once a year
        consent_to_research(person, demo["manager1"])
        assert surveys.yearly_round(datetime.date(YEAR, 6, 1)) == 1  # the person, now
        assert surveys.yearly_round(datetime.date(YEAR + 1, 3, 2)) == 6  # the next year
    survey = Survey.objects.get(customer=person, year=YEAR)
    assert survey.assignee == person.owner and survey.due_date > datetime.date(YEAR, 6, 1)
    template.round_month = None
    template.save()
    with acting_as(SYSTEM):
        assert surveys.yearly_round(datetime.date(YEAR + 2, 12, 1)) == 0  # sent by hand only


def test_surveys_of_a_person_need_consent(
    template: SurveyTemplate,  # noqa: F811
    person: Customer,
    demo: dict[str, User],
) -> None:
    data = {"template": template, "customer": person, "year": YEAR, "respondent": "本人",
            "due_date": timezone.localdate() + datetime.timedelta(days=10),
            "submitted_by": demo["manager1"]}  # fmt: skip
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        surveys.survey_create(data)
    message = refused.value.message_dict["customer"][0]
    assert person.name in message and "同意" in message
    assert not Survey.objects.exists()
    consent_to_research(person, demo["manager1"])
    survey = surveys.survey_create(data)
    # Consent withdrawn before the answers: nothing is recorded.
    given = consent.consents_of(person).get(purpose="research")
    consent.consent_withdraw(given, demo["manager1"], "客户撤回")
    with pytest.raises(ValidationError):
        surveys.survey_answer(survey, by=demo["manager1"], answers=answers(survey, 服务质量="5"))
    survey.refresh_from_db()
    assert survey.status == "sent" and not survey.answers.exists()


def test_research_on_a_person_needs_consent_and_organisations_do_not(
    person: Customer,
    make_customer: Callable[..., Customer],
    demo: dict[str, User],
) -> None:
    data = {"customer": person, "researched_on": timezone.localdate(),
            "submitted_by": demo["manager1"], "demand_analysis": "需求稳定"}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        research.research_create(data)
    assert "consent" in refused.value.message_dict["customer"][0]
    assert not CustomerResearch.objects.exists()
    consent_to_research(person, demo["manager1"])
    assert research.research_create(data).pk
    organisation = make_customer("manager1")
    assert research.research_create({**data, "customer": organisation}).pk
