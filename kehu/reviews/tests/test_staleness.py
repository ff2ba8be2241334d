"""Staleness: an active customer not verified within the administrator's period (six months
for a high-risk one, twelve otherwise) is flagged on the list (filter and badge), on the card
and in the home page's figure of the user's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone, translation

from kehu.core.home import stats_for
from kehu.core.models import User
from kehu.customers import freshness
from kehu.customers.models import Customer
from kehu.reviews import services
from kehu.reviews.freshness import months_before
from kehu.reviews.selectors import stale_customers
from kehu.reviews.tests.conftest import mark_high_risk


def verified_days_ago(customer: Customer, days: int) -> None:
    when = timezone.now() - dt.timedelta(days=days)
    Customer.objects.filter(pk=customer.pk).update(last_verified_at=when)


@pytest.fixture
def ages(demo: dict[str, User], make_active: Callable[..., Customer]) -> dict[str, Customer]:
    """Seven months unverified: stale only when high-risk; thirteen months: stale anyway."""
    customers = {
        "ordinary_7": make_active("manager1"),
        "risky_7": make_active("manager1"),
        "ordinary_13": make_active("manager3"),
        "fresh": make_active("manager1"),
    }
    mark_high_risk(customers["risky_7"], demo["compliance"])
    verified_days_ago(customers["ordinary_7"], 213)
    verified_days_ago(customers["risky_7"], 213)
    verified_days_ago(customers["ordinary_13"], 400)
    return customers


@pytest.mark.django_db
def test_the_period_follows_the_risk(demo: dict[str, User], ages: dict[str, Customer]) -> None:
    stale = set(Customer.objects.filter(freshness.stale_q()).values_list("pk", flat=True))
    assert stale == {ages["risky_7"].pk, ages["ordinary_13"].pk}
    services.settings_save({"months": "2,8", "stale_months": 6, "stale_months_high_risk": 3}, 1)
    stale = set(Customer.objects.filter(freshness.stale_q()).values_list("pk", flat=True))
    assert stale == {ages["ordinary_7"].pk, ages["risky_7"].pk, ages["ordinary_13"].pk}


def test_months_before_keeps_the_day_or_the_months_end() -> None:
    assert months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 3, 15), 12) == dt.date(2025, 3, 15)
    assert months_before(dt.date(2026, 1, 10), -1) == dt.date(2026, 2, 10)


@pytest.mark.django_db
def test_list_filter_badge_card_and_home(
    demo: dict[str, User], ages: dict[str, Customer], client_for: Callable[..., Client]
) -> None:
    manager = client_for("manager1")
    listed = manager.get("/customers/?stale=true").content.decode()
    assert ages["risky_7"].name in listed
    assert ages["ordinary_7"].name not in listed and ages["fresh"].name not in listed
    assert ages["ordinary_13"].name not in listed  # another department's
    assert 'class="badge bg-orange-lt me-1" data-flag' in listed
    unfiltered = manager.get("/customers/").content.decode()
    assert unfiltered.count('<span class="badge bg-orange-lt me-1" data-flag>') == 1

    card = manager.get(f"/customers/{ages['risky_7'].pk}/").content.decode()
    assert 'id="card-stale"' in card and 'id="review-panel"' in card
    fresh_card = manager.get(f"/customers/{ages['fresh'].pk}/").content.decode()
    assert 'id="card-stale"' not in fresh_card

    assert stale_customers(demo["manager1"]).count() == 1
    assert stale_customers(demo["compliance"]).count() == 2
    with translation.override("en"):  # the pages above left Chinese active
        home = {str(label): value for label, value, _url in stats_for(demo["manager1"])}
    assert home["Stale customers"] == 1

    # Verifying (the card's existing action) takes the flag off.
    manager.post(f"/customers/{ages['risky_7'].pk}/verify/")
    assert stale_customers(demo["manager1"]).count() == 0
