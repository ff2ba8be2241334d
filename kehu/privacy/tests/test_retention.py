"""PRV-3: configurable retention after the relationship ends; the daily job anonymises what
is due (individual customers, contacts of ended customers) and reports it."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.core.models import Notification, User
from kehu.customers import services
from kehu.customers.models import Contact, Customer, StatusChange
from kehu.ops.schedule import SCHEDULE
from kehu.privacy import requests, retention
from kehu.privacy.models import RetentionSettings

pytestmark = pytest.mark.django_db


def end_relationship(customer: Customer, by: User, years_ago: int) -> None:
    for to in ("in_filing", "active", "past"):
        customer = services.change_status(customer, to, "测试", by)
    when = timezone.now() - datetime.timedelta(days=365 * years_ago + 2)
    StatusChange.objects.filter(customer=customer).update(changed_at=when)


def test_the_job_anonymises_what_is_due_and_reports_it(
    make_person: Callable[..., Customer],
    make_org: Callable[..., Customer],
    demo: dict[str, User],
) -> None:
    head = demo["head_sale"]
    old, recent, current = make_person(), make_person(), make_person()
    org = make_org()
    contact = services.create_contact({"customer": org, "name": "王芳", "mobile": "13911112222"})
    end_relationship(old, head, 4)
    end_relationship(recent, head, 1)
    end_relationship(org, head, 4)
    RetentionSettings.objects.update_or_create(
        pk=1, defaults={"individual_years": 3, "contact_years": 3}
    )

    report = retention.run()
    assert report.customers == [old.pk] and report.contacts == [contact.pk]
    assert Customer.objects.get(pk=old.pk).name.startswith(requests.ANONYMOUS)
    assert Customer.objects.get(pk=recent.pk).name == recent.name
    assert Customer.objects.get(pk=current.pk).name == current.name
    assert Contact.objects.get(pk=contact.pk).mobile == ""
    event = AuditEvent.objects.get(action="privacy.retention.run")
    assert event.extra["customers"] == 1 and event.extra["contacts"] == 1
    assert Notification.objects.filter(user=demo["compliance"]).exists()
    # A second run finds nothing more; a shorter period then catches the recent one.
    assert retention.run().as_dict() == {
        "customers": 0,
        "contacts": 0,
        "restricted": 0,
        "tier_expired": 0,
    }
    RetentionSettings.objects.filter(pk=1).update(individual_years=1)
    assert retention.run().customers == [recent.pk]


def test_the_job_is_scheduled_daily() -> None:
    job = next(j for j in SCHEDULE if j.name == "privacy-retention")
    assert job.every == datetime.timedelta(days=1)


def test_administrators_set_the_periods(client_for: Callable[[str], Client]) -> None:
    assert client_for("manager1").get("/privacy/retention/").status_code == 403
    admin = client_for("admin")
    assert admin.get("/privacy/retention/").status_code == 200
    response = admin.post("/privacy/retention/", {"individual_years": 5, "contact_years": 2})
    assert response.status_code == 302
    assert RetentionSettings.current().individual_years == 5
    assert AuditEvent.objects.filter(action="privacy.retentionsettings.update").exists()
