"""The request list asks the database for what the user may see (not the newest 500 rows
filtered afterwards); retention settings and the retention job each change data and write
their record in one transaction."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from kehu.core.models import OrgUnit, User
from kehu.customers import services
from kehu.customers.models import Contact, Customer
from kehu.privacy import retention
from kehu.privacy.models import DeletionLedger, RetentionSettings, SubjectRequest
from kehu.privacy.tests.test_retention import end_relationship
from kehu.privacy.tests.test_subject_requests import register
from kehu.workflow.models import Case

pytestmark = pytest.mark.django_db


def test_a_request_is_listed_however_many_newer_ones_others_made(
    make_person: Callable[..., Customer],
    demo: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    mine = register(client_for("manager1"), make_person(), "access")
    other = make_person(owner="manager4")
    unit = OrgUnit.objects.get(code="SH-SALE")
    kind = ContentType.objects.get_for_model(SubjectRequest)
    newer = SubjectRequest.objects.bulk_create(
        SubjectRequest(
            kind="access", customer=other, subject_type="customers.customer",
            subject_id=str(other.pk), received_on=datetime.date(2026, 12, 1),
            details="另一部门", received_by=demo["manager4"],
        )
        for _ in range(501)
    )  # fmt: skip
    cases = Case.objects.bulk_create(
        Case(
            number=f"PR-T-{n}", process="privacy.subject_request", title="另一部门",
            subject_type=kind, subject_id=row.pk, unit=unit, opened_by=demo["manager4"],
        )
        for n, row in enumerate(newer)
    )  # fmt: skip
    for row, case in zip(newer, cases, strict=True):
        row.case = case
    SubjectRequest.objects.bulk_update(newer, ["case"])

    page = client_for("manager1").get("/privacy/requests/").content.decode()
    assert f"/privacy/requests/{mine.pk}/" in page
    assert f"/privacy/requests/{newer[-1].pk}/" not in page
    assert (
        f"/privacy/requests/{newer[-1].pk}/"
        in client_for("manager4").get("/privacy/requests/").content.decode()
    )


def test_retention_settings_are_saved_with_their_audit_event_or_not_at_all(
    client_for: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_audit(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit unavailable")

    before = RetentionSettings.current().individual_years
    monkeypatch.setattr("kehu.privacy.views.record", broken_audit)
    monkeypatch.setattr("kehu.privacy.retention.record", broken_audit)
    with pytest.raises(RuntimeError):
        client_for("admin").post("/privacy/retention/", {"individual_years": 9, "contact_years": 2})
    assert RetentionSettings.current().individual_years == before


def test_an_anonymisation_without_its_ledger_entry_is_undone(
    make_org: Callable[..., Customer], demo: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    org = make_org()
    contact = services.create_contact({"customer": org, "name": "王芳", "mobile": "13911112222"})
    end_relationship(org, demo["head_sale"], 4)
    RetentionSettings.objects.update_or_create(
        pk=1, defaults={"individual_years": 3, "contact_years": 3}
    )

    def broken_ledger(**kwargs: Any) -> None:
        raise RuntimeError("ledger write failed")

    monkeypatch.setattr(DeletionLedger.objects, "create", broken_ledger)
    with pytest.raises(RuntimeError):
        retention.run()
    assert Contact.objects.get(pk=contact.pk).mobile == "13911112222"
    monkeypatch.undo()
    assert retention.run().contacts == [contact.pk]
    assert DeletionLedger.objects.filter(subject_id=str(contact.pk)).count() == 1
