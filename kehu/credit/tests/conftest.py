"""Fixtures of the credit tests: English messages and customers of the demo's account
managers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import translation

from kehu.core.models import User
from kehu.customers.models import Customer


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


@pytest.fixture(autouse=True)
def files_dir(tmp_path: Any) -> Iterator[Any]:
    """Files (statements of account) go to a folder of the test's own."""
    from django.test import override_settings

    from kehu.core.storage import storage

    with override_settings(KEHU_FILES_DIR=tmp_path / "files"):
        storage()._inner = None
        yield tmp_path / "files"
    storage()._inner = None
