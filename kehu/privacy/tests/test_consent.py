"""PRV-1: consents of individual customers and contacts (purpose, scope, date, channel,
evidence, withdrawal); uses that need consent are refused without it, with a clear message."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kehu.audit.models import AuditEvent
from kehu.customers import services
from kehu.customers.models import Customer
from kehu.documents import samples
from kehu.privacy import consent
from kehu.privacy.models import Consent

pytestmark = pytest.mark.django_db


def test_record_use_and_withdraw_a_consent(
    make_person: Callable[..., Customer], client_for: Callable[[str], Client]
) -> None:
    person = make_person()
    client = client_for("manager1")
    card = client.get(f"/customers/{person.pk}/").content.decode()
    assert 'id="consents"' in card and 'id="add-consent"' in card

    # Without consent, a marketing contact is refused with a clear message; nothing recorded.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the assertion reads English
    refused = client.post(
        f"/privacy/marketing/customers.customer/{person.pk}/", {"note": "新品推介"}
    )
    assert refused.status_code == 403
    assert "has not consented" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="privacy.marketing.contact").exists()

    url = f"/privacy/consents/customers.customer/{person.pk}/new/"
    bad = client.post(
        url,
        {
            "purpose": "marketing",
            "scope": "电话营销",
            "given_on": "2026-01-05",
            "channel": "written",
            "evidence": SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 100),
        },
    )
    assert bad.status_code == 400 and not Consent.objects.exists()
    done = client.post(
        url,
        {
            "purpose": "marketing",
            "scope": "新品电话营销，一年",
            "given_on": "2026年1月5日",
            "channel": "written",
            "evidence": SimpleUploadedFile("同意书.pdf", samples.pdf(), "application/pdf"),
        },
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    given = Consent.objects.get()
    assert given.customer == person and given.evidence_name == "同意书.pdf"
    assert AuditEvent.objects.filter(action="privacy.consent.create").count() == 1
    evidence = client.get(f"/privacy/consents/{given.pk}/evidence/")
    assert evidence.status_code == 200
    assert b"".join(evidence.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]

    assert (
        client.post(
            f"/privacy/marketing/customers.customer/{person.pk}/", {"note": "新品推介"}
        ).status_code
        == 302
    )
    assert AuditEvent.objects.filter(action="privacy.marketing.contact").count() == 1

    # Withdrawal: recorded with how it came in; the use is refused again.
    client.post(f"/privacy/consents/{given.pk}/withdraw/", {"note": "客户来电撤回"})
    given.refresh_from_db()
    assert given.withdrawn_at is not None and given.withdrawal_note == "客户来电撤回"
    assert not consent.has_consent(person, "marketing")
    again = client.post(f"/privacy/marketing/customers.customer/{person.pk}/", {"note": "x"})
    assert again.status_code == 403


def test_contacts_have_consents_and_organisations_do_not(
    make_org: Callable[..., Customer], client_for: Callable[[str], Client]
) -> None:
    org = make_org()
    contact = services.create_contact({"customer": org, "name": "王芳"})
    client = client_for("manager1")
    assert 'id="consents"' not in client.get(f"/customers/{org.pk}/").content.decode()
    assert client.get(f"/privacy/consents/customers.customer/{org.pk}/new/").status_code == 404
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert 'id="consents"' in page
    response = client.post(
        f"/privacy/consents/customers.contact/{contact.pk}/new/",
        {"purpose": "profile", "scope": "画像", "given_on": "2026-01-05", "channel": "email"},
    )
    assert response.status_code == 302
    assert consent.has_consent(contact, "profile")


def test_who_records_consents(
    make_person: Callable[..., Customer], client_for: Callable[[str], Client]
) -> None:
    person = make_person()
    url = f"/privacy/consents/customers.customer/{person.pk}/new/"
    assert client_for("manager2").get(url).status_code == 403  # sees, may not change
    assert client_for("head_sale").get(url).status_code == 200
    assert client_for("manager4").get(url).status_code == 404
    card = client_for("manager2").get(f"/customers/{person.pk}/").content.decode()
    assert 'id="consents"' in card and 'id="add-consent"' not in card


def test_consents_in_the_api(
    make_person: Callable[..., Customer], api_for: Callable[[str], Client]
) -> None:
    person = make_person()
    api = api_for("manager1")
    new = {
        "object_type": "customers.customer",
        "object_id": person.pk,
        "purpose": "processing",
        "scope": "业务往来",
        "given_on": "2026年2月1日",
        "channel": "electronic",
    }
    created = api.post("/api/v1/consents/", new, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["purpose"] == "processing"
    listed = api.get(f"/api/v1/consents/?object_type=customers.customer&object_id={person.pk}")
    assert [c["id"] for c in listed.json()] == [created.json()["id"]]
    refused = api_for("manager2").post("/api/v1/consents/", new, content_type="application/json")
    assert refused.status_code == 403
