"""Opening campaigns: once per month by the periodic job on the first working day of a
review month, by hand for everyone, with a deadline counted in Chinese working days; the
mid-cycle month reviews the high-risk customers only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.customers.services import create_customer
from kehu.reviews import selection, services
from kehu.reviews.models import ReviewCampaign, ReviewSettings, ReviewTask
from kehu.reviews.tests.conftest import mark_high_risk
from tests.record_type_samples import customer_data

D = dt.date


@pytest.mark.django_db
def test_two_runs_in_the_same_month_open_one_campaign_with_one_task_per_active_customer(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    first, second, third = make_active("manager1"), make_active("manager1"), make_active("manager3")
    not_active = create_customer(customer_data(demo["manager1"]))

    # 1 August 2026 is a Saturday: the first working day is Monday the 3rd.
    assert services.open_due_campaign(D(2026, 8, 1)) == {"opened": None}
    opened = services.open_due_campaign(D(2026, 8, 3))
    again = services.open_due_campaign(D(2026, 8, 3))
    later = services.open_due_campaign(D(2026, 8, 4))

    campaign = ReviewCampaign.objects.get()
    assert opened == {"opened": campaign.pk}
    assert again == later == {"opened": None}
    assert campaign.month == D(2026, 8, 1)
    assert campaign.title == "2026-8 customer register review"
    assert campaign.opened_on == D(2026, 8, 3)
    tasks = ReviewTask.objects.filter(campaign=campaign)
    assert sorted(tasks.values_list("customer_id", flat=True)) == sorted(
        [first.pk, second.pk, third.pk]
    )
    assert not tasks.filter(customer=not_active).exists()
    assert {t.customer_id: t.owner.username for t in tasks} == {
        first.pk: "manager1",
        second.pk: "manager1",
        third.pk: "manager3",
    }
    assert tasks.get(customer=third).unit.code == "MKT"
    assert AuditEvent.objects.filter(action="reviews.reviewcampaign.open").count() == 1


@pytest.mark.django_db
def test_no_campaign_outside_the_review_months(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    make_active("manager1")
    assert services.open_due_campaign(D(2026, 9, 1)) == {"opened": None}
    assert not ReviewCampaign.objects.exists()


@pytest.mark.django_db
def test_the_months_are_the_administrators_setting(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    make_active("manager1")
    services.settings_save({"months": "3, 9", "deadline_working_days": 10}, 1)
    assert services.open_due_campaign(D(2026, 8, 3)) == {"opened": None}
    opened = services.open_due_campaign(D(2026, 9, 1))
    campaign = ReviewCampaign.objects.get()
    assert opened == {"opened": campaign.pk}
    # Ten working days after Tuesday 1 September 2026.
    assert campaign.deadline == D(2026, 9, 15)


@pytest.mark.django_db
def test_deadline_in_working_days_skips_the_national_day_holiday(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    make_active("manager1")
    campaign, created = services.campaign_open(
        D(2026, 9, 28), by=demo["compliance"], today=D(2026, 9, 28), everyone=True
    )
    assert created and campaign is not None
    # 29, 30 September; 1-7 October off; 8, 9, 10 (a Saturday worked in lieu), then four
    # weeks of five from the 12th: the twentieth working day is Friday 30 October, not the
    # 26th that weekdays alone would give.
    assert campaign.deadline == D(2026, 10, 30)
    assert campaign.opened_by == demo["compliance"]
    assert campaign.tasks.count() == 1


@pytest.mark.django_db
def test_mid_cycle_month_reviews_high_risk_customers_only(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    ordinary, risky = make_active("manager1"), make_active("manager1")
    mark_high_risk(risky, demo["compliance"])
    services.settings_save({"months": "2,8", "mid_cycle_month": 5}, 1)

    services.open_due_campaign(D(2026, 5, 6))  # 1-5 May are the Labour Day holiday
    campaign = ReviewCampaign.objects.get()
    assert campaign.mid_cycle
    assert list(campaign.tasks.values_list("customer_id", flat=True)) == [risky.pk]
    assert ordinary.pk not in campaign.tasks.values_list("customer_id", flat=True)


@pytest.mark.django_db
def test_an_extra_review_provider_adds_its_customers(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    chosen, other = make_active("manager1"), make_active("manager1")

    def contracts_ending(month: dt.date, config: ReviewSettings) -> object:
        return Customer.objects.filter(pk=chosen.pk)

    selection.register_extra_review(contracts_ending)  # type: ignore[arg-type]
    try:
        campaign, created = services.campaign_open(D(2026, 11, 2), today=D(2026, 11, 2))
    finally:
        selection._PROVIDERS.remove(contracts_ending)  # type: ignore[arg-type]
    assert created and campaign is not None
    assert list(campaign.tasks.values_list("customer_id", flat=True)) == [chosen.pk]
    assert other.pk not in campaign.tasks.values_list("customer_id", flat=True)
