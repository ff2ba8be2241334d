"""AUD-1: reads of personal data are audit events — an individual's card (page and API), a
contact's page, reveals (test_field_protection), downloads (documents) and exports."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kehu.audit.models import AuditEvent
from kehu.audit.selectors import history_for
from kehu.customers import services
from kehu.customers.models import Contact, Customer

pytestmark = pytest.mark.django_db


def reads(obj: object) -> list[AuditEvent]:
    label = obj._meta.label_lower  # type: ignore[attr-defined]
    return list(
        AuditEvent.objects.filter(action=f"{label}.read", object_id=str(obj.pk))  # type: ignore[attr-defined]
    )


def test_an_individuals_card_is_a_recorded_read(
    make_person: Callable[..., Customer],
    make_org: Callable[..., Customer],
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:
    person, org = make_person(), make_org()
    client = client_for("manager2")
    assert client.get(f"/customers/{person.pk}/").status_code == 200
    (event,) = reads(person)
    assert event.actor_username == "manager2" and event.extra["via"] == "page"
    assert client.get(f"/customers/{org.pk}/").status_code == 200
    assert reads(org) == []  # an organisation's card is not personal data
    assert api_for("auditor").get(f"/api/v1/customers/{person.pk}/").status_code == 200
    assert [e.extra["via"] for e in reads(person)] == ["api", "page"]
    # The card's history keeps to changes; reads are on the audit page.
    assert not [e for e in history_for(person) if e.action.endswith(".read")]
    assert client.get(f"/customers/{person.pk}/").status_code == 200
    # A refused look records nothing.
    assert client_for("manager4").get(f"/customers/{person.pk}/").status_code == 404
    assert len(reads(person)) == 3


def test_a_contacts_page_is_a_recorded_read(
    make_org: Callable[..., Customer], client_for: Callable[[str], Client]
) -> None:
    contact = services.create_contact({"customer": make_org(), "name": "王芳"})
    assert client_for("head_sale").get(f"/contacts/{contact.pk}/").status_code == 200
    (event,) = reads(Contact.objects.get(pk=contact.pk))
    assert event.actor_username == "head_sale"
