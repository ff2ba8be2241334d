"""Fixtures of the archive tests: a private files folder, English messages, helpers to make
customers and take them through their lifecycle."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation

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


def new_customer(owner: User) -> Customer:
    from kehu.customers.services import create_customer
    from tests.record_type_samples import customer_data

    return create_customer(customer_data(owner))


def activate(customer: Customer, by: User) -> Customer:
    from kehu.customers.services import change_status

    customer = change_status(customer, "in_filing", "备案", by)
    return change_status(customer, "active", "备案通过", by)


@pytest.fixture
def make_active(demo: dict[str, User]) -> Callable[..., Customer]:
    def make(owner: str = "manager1") -> Customer:
        return activate(new_customer(demo[owner]), demo["gm"])

    return make


@pytest.fixture
def make_customer(demo: dict[str, User]) -> Callable[..., Any]:
    def make(owner: str = "manager1") -> Customer:
        return new_customer(demo[owner])

    return make
