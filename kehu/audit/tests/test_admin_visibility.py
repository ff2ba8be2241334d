"""The audit log shows each reader only what they may read (SEC-1): the system administrator,
who reads no customer, sees events about customers without their name, credit code, address
or changes — on the page, in the export and in the API alike — and cannot find them by
searching for a name. The auditor sees every event in full."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl
import pytest
from django.test import Client

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.tests.factories import org_data

pytestmark = pytest.mark.django_db

ADDRESS = "北京市朝阳区保密路8号"


@pytest.fixture
def customer_event(demo: dict[str, User]) -> AuditEvent:
    customer = services.create_customer(org_data(demo["manager1"], registered_address=ADDRESS))
    return AuditEvent.objects.get(action="customers.customer.create", object_id=str(customer.pk))


def secrets_of(event: AuditEvent) -> list[str]:
    credit_code = event.changes["credit_code"][1]
    return [event.object_repr, credit_code, ADDRESS]


def sheet_text(content: bytes) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)


def test_the_administrator_sees_no_customer_data_in_the_audit_log(
    customer_event: AuditEvent,
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:
    hidden = secrets_of(customer_event)
    admin = client_for("admin")
    page = admin.get("/audit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "customers.customer.create" in html  # the event itself is listed
    for value in hidden:
        assert value not in html, value
    export = admin.get("/audit/export.xlsx")
    assert export.status_code == 200
    text = sheet_text(export.content)
    assert "customers.customer.create" in text
    for value in hidden:
        assert value not in text, value
    api = api_for("admin")
    listed = api.get("/api/v1/audit-events/").content.decode()
    detail = api.get(f"/api/v1/audit-events/{customer_event.seq}/").content.decode()
    for body in (listed, detail):
        for value in hidden:
            assert value not in body, value
    # Searching by name or id does not tell which events are about the customer.
    name = customer_event.object_repr
    for params in ({"object": name}, {"object_id": customer_event.object_id}):
        assert "customers.customer.create" not in admin.get("/audit/", params).content.decode()
        found = api.get("/api/v1/audit-events/", params).json()["results"]
        assert all(row["object_type"] != "customers.customer" for row in found)
    # What the administrator reads (users) still shows in full.
    assert "manager1" in html


def test_the_auditor_sees_every_event_in_full(
    customer_event: AuditEvent,
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:
    hidden = secrets_of(customer_event)
    html = client_for("auditor").get("/audit/").content.decode()
    text = sheet_text(client_for("auditor").get("/audit/export.xlsx").content)
    body = api_for("auditor").get("/api/v1/audit-events/").content.decode()
    for value in hidden:
        assert value in html and value in text, value
    assert customer_event.object_repr in body
