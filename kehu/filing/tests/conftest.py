"""Fixtures of the filing tests: a private files folder per test, English messages, and
customers to file."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from kehu.core.models import User
from kehu.customers import services as customer_services
from kehu.customers.identifiers import make_credit_code
from kehu.customers.models import Customer, CustomerKind

_n = itertools.count(1)


@pytest.fixture(autouse=True)
def files_dir(tmp_path: Path) -> Iterator[Path]:
    from kehu.core.storage import storage

    folder = tmp_path / "files"
    with override_settings(KEHU_FILES_DIR=folder):
        storage()._inner = None
        yield folder
    storage()._inner = None


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    from django.utils import translation

    with translation.override("en"):
        yield


def make_customer(owner: User, **values: object) -> Customer:
    n = next(_n)
    data: dict[str, object] = {
        "kind": CustomerKind.ORGANIZATION,
        "name": f"北京备案测试第{n}有限公司",
        "owner": owner,
        "unit": owner.unit,
        "credit_code": make_credit_code(f"91110108MA{n + 7000:07d}"),
        "phone": "010-62345678",
    }
    data.update(values)
    return customer_services.create_customer(data)
