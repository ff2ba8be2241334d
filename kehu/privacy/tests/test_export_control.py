"""SEC-4: exporting needs the permission; every file names its exporter and time in its
first row and in its document properties; each export is an audit event."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["manager1", "archivist", "finance", "admin"])
def test_exporting_customers_needs_the_permission(
    username: str, client_for: Callable[[str], Client]
) -> None:
    client = client_for(username)
    assert client.get("/customers/export.xlsx").status_code == 403
    assert not AuditEvent.objects.filter(action="customers.customer.export").exists()


@pytest.mark.parametrize(
    "url, action",
    [
        ("/customers/export.xlsx", "customers.customer.export"),
        ("/audit/export.xlsx", "audit.auditevent.export"),
    ],
)
def test_the_file_names_its_exporter_and_time(
    url: str,
    action: str,
    make_org: Callable[..., Customer],
    demo: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    make_org()
    before = timezone.now().replace(microsecond=0, tzinfo=None)
    response = client_for("auditor").get(url)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    exporter = str(demo["auditor"])
    assert workbook.properties.creator == exporter
    assert workbook.properties.title
    assert exporter in (workbook.properties.description or "")
    created = workbook.properties.created
    assert created is not None and created >= before - datetime.timedelta(minutes=1)
    sheet = workbook.active
    assert sheet is not None
    first = str(next(sheet.iter_rows(values_only=True))[0])
    assert exporter in first and timezone.localtime().strftime("%Y-%m-%d") in first
    event = AuditEvent.objects.filter(action=action).latest("seq")
    assert event.actor_username == "auditor" and "rows" in event.extra
