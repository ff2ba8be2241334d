"""Fixtures of the review tests: English messages, a private files folder, active customers
of the demo account managers, and a campaign opened on a fixed day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone, translation

from kehu.core.models import User
from kehu.core.storage import storage
from kehu.customers.models import Customer
from kehu.customers.services import change_status, create_customer
from kehu.filing.models import Filing, Stage
from kehu.reviews import services
from kehu.reviews.models import ReviewCampaign
from tests.record_type_samples import customer_data

# A Monday in a review month; 20 working days later is Monday 31 August 2026.
AUGUST_OPENING = dt.date(2026, 8, 3)


@pytest.fixture(autouse=True)
def files_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "files"
    with override_settings(KEHU_FILES_DIR=folder):
        storage()._inner = None
        yield folder
    storage()._inner = None


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.date], None]:
    def set_today(day: dt.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)

    return set_today


@pytest.fixture
def make_active(demo: dict[str, User]) -> Callable[..., Customer]:
    """An active customer of the named account manager, in the manager's department."""

    def make(owner: str = "manager1") -> Customer:
        customer = create_customer(customer_data(demo[owner]))
        customer = change_status(customer, "in_filing", "备案", demo["gm"])
        return change_status(customer, "active", "备案通过", demo["gm"])

    return make


def mark_high_risk(customer: Customer, by: User) -> None:
    Filing.objects.create(
        customer=customer, unit=customer.unit, opened_by=by, high_risk=True, stage=Stage.APPROVED
    )


def open_august(by: User | None = None) -> ReviewCampaign:
    campaign, _created = services.campaign_open(AUGUST_OPENING, by=by, today=AUGUST_OPENING)
    assert campaign is not None
    return campaign
