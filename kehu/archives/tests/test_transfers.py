"""ARC-5: dossiers older than last year are proposed for transfer by the daily job,
department → credit management office → (within a month) archive room; each hand-over is
confirmed by the receiver and recorded; a late hand-over is flagged."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from kehu.api.services import create_token
from kehu.archives import transfers
from kehu.archives.models import Dossier, Transfer
from kehu.audit.models import AuditEvent
from kehu.core.models import Notification, User
from kehu.customers.models import Customer
from kehu.ops.reminders import run_reminders


@pytest.fixture
def old_and_new(make_active: Callable[..., Customer]) -> tuple[Dossier, Dossier]:
    old = Dossier.objects.get(customer=make_active())
    new = Dossier.objects.get(customer=make_active())
    today = timezone.localdate()
    two_years_ago = timezone.make_aware(datetime.datetime(today.year - 2, 6, 1))
    last_year = timezone.make_aware(datetime.datetime(today.year - 1, 12, 31, 12))
    Dossier.objects.filter(pk=old.pk).update(numbered_at=two_years_ago)
    Dossier.objects.filter(pk=new.pk).update(numbered_at=last_year)
    return old, new


@pytest.mark.django_db
def test_older_dossiers_move_with_confirmations(
    demo: dict[str, User], old_and_new: tuple[Dossier, Dossier], client_for: Callable[[str], Client]
) -> None:
    old, new = old_and_new
    assert transfers.propose_transfers()["proposed"] == 1
    assert transfers.propose_transfers()["proposed"] == 0  # once
    first = Transfer.objects.get()
    assert (first.dossier, first.from_stage, first.to_stage) == (old, "department", "credit_office")
    assert Notification.objects.filter(
        user=demo["credit"], title__contains=old.archive_number
    ).exists()
    with pytest.raises(ValidationError):  # only the receiving office confirms
        transfers.transfer_confirm(first, by=demo["archivist"])
    response = client_for("credit").post(
        "/archives/transfers/", {"transfer": first.pk, "note": "已核实"}
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.stage == "credit_office"
    second = Transfer.objects.get(status="proposed")
    assert second.to_stage == "archive_room"
    assert second.due_date == transfers.hand_over_by(timezone.localdate())
    # Late: flagged once.
    late = second.due_date + datetime.timedelta(days=1)
    assert run_reminders(late, ["archives.transfer"])["archives.transfer"] >= 1
    assert run_reminders(late, ["archives.transfer"]) == {"archives.transfer": 0}
    second.refresh_from_db()
    assert second.overdue_notified_on == late
    token = create_token(demo["archivist"], "t")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    done = api.post(f"/api/v1/transfers/{second.pk}/confirm/", {}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    old.refresh_from_db()
    assert old.stage == "archive_room"
    assert AuditEvent.objects.filter(action="archives.transfer.confirm").count() == 2
    assert AuditEvent.objects.filter(action="archives.dossier.stage").count() == 2
    new.refresh_from_db()
    assert new.stage == "department"
    page = client_for("head_sale").get("/archives/transfers/")
    assert page.status_code == 200 and old.archive_number in page.content.decode()
    assert client_for("manager1").get("/archives/transfers/").status_code == 403
