"""A customer of manager1 with a masked legal representative's phone, a contact with an
e-mail address and an expired business licence; links made through the real services."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kehu.core.models import User
from kehu.customers import services as customer_services
from kehu.customers.models import Contact, Customer
from kehu.customers.tests.factories import org_data
from kehu.documents.models import DocumentType
from kehu.documents.services import document_upload

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
LEGAL_REP_PHONE = "13812345678"


def pdf(name: str = "营业执照.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def customer(demo: dict[str, User]) -> Customer:
    made = customer_services.create_customer(
        org_data(
            demo["manager1"],
            registered_address="北京市海淀区旧地址1号",
            legal_rep_name="赵六",
            legal_rep_phone=LEGAL_REP_PHONE,
        )
    )
    licence = DocumentType.objects.get(code="business_licence")
    document_upload(
        made,
        licence,
        pdf("旧执照.pdf"),
        demo["manager1"],
        issued_on=datetime.date(2016, 1, 1),
        expires_on=datetime.date(2020, 12, 31),
    )
    return made


@pytest.fixture
def contact(customer: Customer) -> Contact:
    return customer_services.create_contact(
        {
            "customer": customer,
            "name": "王五",
            "email": "wangwu@example.cn",
            "mobile": "13900001111",
            "is_primary": True,
        }
    )


@pytest.fixture
def other_customer(demo: dict[str, User]) -> Any:
    return customer_services.create_customer(org_data(demo["manager1"], name="别家有限公司"))
