"""Fixtures of the customer tests: customers made through the real services (nothing of ours
is mocked). API clients: `api_for` in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kehu.core.models import User
from kehu.customers import services
from kehu.customers.models import Customer
from kehu.customers.tests.factories import org_data, person_data


@pytest.fixture
def make_org(demo: dict[str, User]) -> Callable[..., Customer]:
    """make_org(owner="manager1", **fields) → a saved organisation customer."""

    def make(owner: str = "manager1", **overrides: Any) -> Customer:
        return services.create_customer(org_data(demo[owner], **overrides))

    return make


@pytest.fixture
def make_person(demo: dict[str, User]) -> Callable[..., Customer]:
    def make(owner: str = "manager1", **overrides: Any) -> Customer:
        return services.create_customer(person_data(demo[owner], **overrides))

    return make
