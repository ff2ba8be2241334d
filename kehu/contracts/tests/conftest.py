"""Fixtures of the contract tests: a private files folder, English messages unless a test
asks for Chinese, customers and contracts made through the services."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation

from kehu.audit.context import acting_as, actor_for
from kehu.contracts import services
from kehu.contracts.models import Contract
from kehu.core.models import User
from kehu.customers.models import Customer


def _reset_default_storage() -> None:
    from kehu.core.storage import storage

    storage()._inner = None


@pytest.fixture(autouse=True)
def files_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "files"
    with override_settings(KEHU_FILES_DIR=folder):
        _reset_default_storage()
        yield folder
    _reset_default_storage()


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def make_customer(demo: dict[str, User]) -> Callable[..., Customer]:
    from kehu.customers.services import create_customer
    from tests.record_type_samples import customer_data

    def make(owner: str = "manager1") -> Customer:
        return create_customer(customer_data(demo[owner]))

    return make


def contract_data(customer: Customer, handler: User, **extra: Any) -> dict[str, Any]:
    return {
        "customer": customer,
        "title": "年度供货合同",
        "contract_type": "sales",
        "signing_unit": "北京华夏贸易有限公司",
        "signatory": "王强",
        "handler": handler,
        "amount": Decimal("120000.00"),
        "currency": "CNY",
        "effective_on": datetime.date(2026, 3, 1),
        "ends_on": datetime.date(2027, 2, 28),
        **extra,
    }


@pytest.fixture
def make_contract(demo: dict[str, User]) -> Callable[..., Contract]:
    def make(customer: Customer, by: str = "manager1", **extra: Any) -> Contract:
        with acting_as(actor_for(demo[by])):
            return services.contract_create(contract_data(customer, demo[by], **extra))

    return make
