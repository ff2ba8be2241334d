"""Fixtures of the interaction tests: English messages (unless a test asks for Chinese),
customers of the demo's account managers and acting as a demo user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.utils import translation

from kehu.audit.context import acting_as, actor_for
from kehu.core.models import User
from kehu.customers.models import Contact, Customer


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


@pytest.fixture
def as_user(demo: dict[str, User]) -> Callable[[str], AbstractContextManager[Any]]:
    def enter(username: str) -> AbstractContextManager[Any]:
        return acting_as(actor_for(demo[username]))

    return enter


def add_contact(customer: Customer, name: str = "王经理") -> Contact:
    return Contact.objects.create(customer=customer, name=name, title="采购经理")
