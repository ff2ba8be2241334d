"""Fixtures of the filing tests: a private files folder per test, English messages, and
customers to file."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def ready_customer(owner: User, **values: object) -> Customer:
    """A customer whose dossier holds everything the default checklist asks for."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from kehu.documents import samples
    from kehu.documents import services as document_services
    from kehu.documents.models import DocumentType

    data: dict[str, object] = {
        "industry": "C",
        "legal_rep_name": "赵六",
        "registered_address": "北京市海淀区科技路1号",
        "operating_address": "北京市朝阳区商务大厦8层",
        "registered_capital": "500万",
        "business_scope": "技术开发、技术服务",
        "founded_on": datetime.date(2015, 3, 1),
    }
    data.update(values)
    customer = make_customer(owner, **data)
    customer_services.create_contact(
        {"customer": customer, "name": "李四", "mobile": "13800138000", "is_primary": True}
    )
    customer_services.create_bank_account(
        {"customer": customer, "account_name": customer.name, "bank_name": "中国银行",
         "account_number": "6216 6100 0000 1234 567"}
    )  # fmt: skip
    expires = datetime.date.today() + datetime.timedelta(days=800)
    for code in ("business_licence", "legal_rep_id", "bank_account_proof"):
        upload = SimpleUploadedFile(f"{code}.pdf", samples.pdf(code))
        document_services.document_upload(
            customer, DocumentType.objects.get(code=code), upload, owner,
            expires_on=expires if code == "business_licence" else None,
        )  # fmt: skip
    return Customer.objects.get(pk=customer.pk)


def passing_checks(filing: Any, step_key: str) -> list[dict[str, str]]:
    """A review's verdicts: every item it checks found in order."""
    from kehu.filing.selectors import review_items

    items, _initial = review_items(filing, step_key)
    return [{"key": key, "label": label, "result": "ok"} for key, label in items]
