"""Entering a missing year's holiday moves the due dates of folders on loan and of dossier
hand-overs, as it moves workflow deadlines, in the calendar change's audited transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from kehu.archives import loans, transfers
from kehu.archives.models import Dossier, Loan, Transfer
from kehu.archives.tests.test_loans import complete
from kehu.audit.models import AuditEvent
from kehu.core.calendar_changes import create_day
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.workflow.tests.test_engine import fixed_today  # noqa: F401

D = dt.date
NEW_YEAR_2027 = {"date": D(2027, 1, 1), "is_working": False, "name": "元旦"}


def issued_loan(demo: dict[str, User], dossier: Dossier, kind: str = "physical") -> Loan:
    loan = loans.request_loan(dossier=dossier, borrower=demo["manager1"], purpose="审计", kind=kind)
    complete(loan, "approve", demo["archivist"], "approved")
    complete(loan, "issue", demo["archivist"], "issued")
    loan.refresh_from_db()
    return loan


@pytest.mark.django_db
def test_entering_new_years_day_2027_moves_open_loans_due_dates(
    demo: dict[str, User],
    make_active: Callable[..., Customer],
    fixed_today: Callable[[dt.date], None],  # noqa: F811
    api_for: Callable[[str], Any],
) -> None:
    confidential = Dossier.objects.get(customer=make_active("manager1"))
    Dossier.objects.filter(pk=confidential.pk).update(confidentiality="confidential")
    confidential.refresh_from_db()
    ordinary = Dossier.objects.get(customer=make_active("manager1"))

    fixed_today(D(2026, 12, 28))  # Monday; five working days: 29, 30, 31 Dec, 1 and 4 Jan
    five_days = issued_loan(demo, confidential)
    assert five_days.due_date == D(2027, 1, 4)  # no 2027 schedule yet: a weekday counts
    fixed_today(D(2026, 12, 18))  # two weeks later is Friday 1 January 2027
    two_weeks = issued_loan(demo, ordinary)
    assert two_weeks.due_date == D(2027, 1, 1)
    viewing = issued_loan(demo, ordinary, kind="electronic")

    response = api_for("admin").post(
        "/api/v1/calendar-days/",
        {"date": "2027-01-01", "is_working": False, "name": "元旦"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    five_days.refresh_from_db()
    two_weeks.refresh_from_db()
    assert five_days.due_date == D(2027, 1, 5)  # still five working days
    assert two_weeks.due_date == D(2027, 1, 4)  # the next working day after the holiday
    assert two_weeks.version == viewing.version + 1
    viewing.refresh_from_db()
    assert viewing.due_date == D(2027, 1, 1)  # its access grant ends it: left as it is
    event = AuditEvent.objects.get(action="core.calendar.recompute")
    assert event.extra["deadlines_moved"] == 2
    assert {m.get("loan") for m in event.extra["moved"]} == {five_days.pk, two_weeks.pk}

    # Returned loans keep theirs; changing the entry back moves the open ones back.
    loans.check_return(two_weeks, by=demo["archivist"], complete=True, undamaged=True, note="")
    edit = api_for("admin").put(
        f"/api/v1/calendar-days/{response.json()['id']}/",
        {"date": "2027-01-01", "is_working": True, "name": "元旦", "version": 1},
        content_type="application/json",
    )
    assert edit.status_code == 200, edit.content
    five_days.refresh_from_db()
    two_weeks.refresh_from_db()
    assert five_days.due_date == D(2027, 1, 4)
    assert two_weeks.due_date == D(2027, 1, 4)


@pytest.mark.django_db
def test_entering_new_years_day_2027_moves_a_hand_over_date(
    demo: dict[str, User],
    make_active: Callable[..., Customer],
    fixed_today: Callable[[dt.date], None],  # noqa: F811
) -> None:
    dossier = Dossier.objects.get(customer=make_active())
    numbered = timezone.make_aware(dt.datetime(2024, 6, 1))
    Dossier.objects.filter(pk=dossier.pk).update(numbered_at=numbered)
    fixed_today(D(2026, 12, 1))
    assert transfers.propose_transfers()["proposed"] == 1
    transfers.transfer_confirm(Transfer.objects.get(), by=demo["credit"])  # on to the archive room
    transfer = Transfer.objects.get(status="proposed")
    assert transfer.due_date == D(2027, 1, 1)  # within a month
    version = transfer.version

    create_day(dict(NEW_YEAR_2027))
    transfer.refresh_from_db()
    assert transfer.due_date == D(2027, 1, 4)
    event = AuditEvent.objects.get(action="core.calendar.recompute")
    assert event.extra["moved"] == [
        {"transfer": transfer.pk, "from": "2027-01-01", "to": "2027-01-04"}
    ]
    assert transfer.version == version + 1
