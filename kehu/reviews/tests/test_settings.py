"""The administrator's review settings: months, mid-cycle month, deadline and staleness
periods, checked beside each field, saved with a version and audited; nobody else edits them.
The home page counts an account manager's open reviews."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kehu.audit.models import AuditEvent
from kehu.core.home import stats_for
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.reviews.models import ReviewSettings
from kehu.reviews.tests.conftest import open_august

VALID = {
    "months": "2, 8",
    "mid_cycle_month": "5",
    "deadline_working_days": "15",
    "stale_months": "12",
    "stale_months_high_risk": "6",
    "_version": "1",
}


@pytest.mark.django_db
def test_the_administrator_sets_the_months_and_periods(
    demo: dict[str, User], client_for: Callable[..., Client]
) -> None:
    admin = client_for("admin")
    assert ReviewSettings.current().month_numbers() == [2, 8]  # the default, nothing stored
    assert not ReviewSettings.objects.exists()

    refused = admin.post("/reviews/settings/", {**VALID, "months": "2,13"})
    assert refused.status_code == 400
    assert refused.context["form"].errors["months"] == [
        "请输入 1 至 12 的月份，以逗号分隔，例如 2,8。"
    ]
    assert not ReviewSettings.objects.exists()

    assert admin.post("/reviews/settings/", VALID).status_code == 302
    saved = ReviewSettings.objects.get()
    assert saved.months == "2,8" and saved.mid_cycle_month == 5
    assert saved.deadline_working_days == 15
    assert AuditEvent.objects.filter(action="reviews.reviewsettings.update").exists()

    stale = admin.post("/reviews/settings/", {**VALID, "months": "3,9"})  # version 1 again
    assert stale.status_code == 400
    assert ReviewSettings.objects.get().months == "2,8"

    assert client_for("compliance").get("/reviews/settings/").status_code == 403
    assert client_for("manager1").post("/reviews/settings/", VALID).status_code == 403


@pytest.mark.django_db
def test_home_counts_the_open_reviews_of_the_account_manager(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    make_active("manager1"), make_active("manager1"), make_active("manager3")
    open_august()
    figures = {str(label): value for label, value, _url in stats_for(demo["manager1"])}
    assert figures["Customers to review"] == 2
    head = {str(label) for label, _value, _url in stats_for(demo["head_sale"])}
    assert "Customers to review" not in head
