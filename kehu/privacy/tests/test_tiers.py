"""Sensitivity tiers (一般 / 重要 / 核心): defaults per declared field, CORE values revealed only
by a narrower set (pages and API), an administrator's moves in force at once (display,
exports), CORE document types, and the settings page (administrator only, audited)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import pytest
from django.test import Client
from openpyxl import load_workbook

from kehu.audit.models import AuditEvent
from kehu.core import masking
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.models import Contact, Customer
from kehu.documents import services as documents
from kehu.documents.models import DocumentType, DocumentVersion
from kehu.documents.tests.conftest import files_dir, pdf_bytes, upload_file  # noqa: F401
from kehu.privacy import tiers

pytestmark = pytest.mark.django_db

ID = "110105198001011238"
PHONE = "13812345678"
MOBILE = "13900001111"


@pytest.fixture
def person(make_person: Callable[..., Customer]) -> Customer:
    return make_person(id_number=ID, phone=PHONE, gender="male", birth_date="1980-01-01")


@pytest.fixture
def contact(make_org: Callable[..., Customer]) -> Contact:
    customer = make_org()
    return services.create_contact({"customer": customer, "name": "王芳", "mobile": MOBILE})


def _reveal_page(client: Client, obj: Customer | Contact, field: str) -> int:
    url = f"/privacy/reveal/{obj._meta.label_lower}/{obj.pk}/{field}/"
    return client.post(url, {"purpose": "contact", "reason": "核对"}).status_code


def _reveal_api(client: Client, obj: Customer | Contact, field: str) -> int:
    body = {
        "object_type": obj._meta.label_lower,
        "object_id": obj.pk,
        "field": field,
        "purpose": "contact",
        "reason": "核对",
    }
    return client.post("/api/v1/reveal/", body, content_type="application/json").status_code


def test_declared_fields_have_their_default_tiers() -> None:
    expected = {
        "customers.customer.id_number": masking.CORE,
        "customers.customer.legal_rep_id_number": masking.CORE,
        "customers.bankaccount.account_number": masking.CORE,
        "customers.customer.phone": masking.IMPORTANT,
        "customers.customer.legal_rep_phone": masking.IMPORTANT,
        "customers.contact.mobile": masking.IMPORTANT,
        "customers.customer.birth_date": masking.IMPORTANT,
        "customers.customer.gender": masking.IMPORTANT,
        # Kept out of the audit trail in clear; read only as kehu.interactions.personal says.
        "interactions.interaction.personal_note": masking.IMPORTANT,
    }
    found = {key: masking.tier_of(label, s.field) for key, label, s in tiers.declared_keys()}
    assert found == expected
    assert masking.tier_of("customers.customer", "name") == masking.GENERAL
    assert tiers.document_tier("legal_rep_id") == masking.CORE
    assert tiers.document_tier("bank_account_proof") == masking.CORE
    assert tiers.document_tier("business_licence") == masking.GENERAL


def test_a_core_value_is_not_revealed_by_who_may_reveal_important_ones(
    person: Customer,
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:
    # The department head may reveal the phone (IMPORTANT) of his department's customer …
    assert _reveal_page(client_for("head_sale"), person, "phone") == 200
    assert _reveal_api(api_for("head_sale"), person, "phone") == 200
    # … but not its ID number (CORE), on the page or through the API, nor sees the link.
    assert _reveal_page(client_for("head_sale"), person, "id_number") == 403
    assert _reveal_api(api_for("head_sale"), person, "id_number") == 403
    card = client_for("head_sale").get(f"/customers/{person.pk}/").content.decode()
    assert f"/privacy/reveal/customers.customer/{person.pk}/phone/" in card
    assert f"/privacy/reveal/customers.customer/{person.pk}/id_number/" not in card
    revealed = AuditEvent.objects.filter(action="customers.customer.reveal")
    assert [e.extra["field"] for e in revealed] == ["phone", "phone"]
    # Compliance, the auditor and the customer's own account manager may.
    assert _reveal_api(api_for("compliance"), person, "id_number") == 200
    assert _reveal_api(api_for("auditor"), person, "id_number") == 200
    assert _reveal_page(client_for("manager1"), person, "id_number") == 200


def test_a_field_made_general_is_shown_in_full_at_once(
    contact: Contact, client_for: Callable[[str], Client], api_for: Callable[[str], Client]
) -> None:
    reader = api_for("credit")
    assert reader.get(f"/api/v1/contacts/{contact.pk}/").json()["mobile"] == "139****1111"
    tiers.save({"customers.contact.mobile": masking.GENERAL}, {}, {})
    assert reader.get(f"/api/v1/contacts/{contact.pk}/").json()["mobile"] == MOBILE
    listed = reader.get("/api/v1/contacts/").json()["results"]
    assert [c["mobile"] for c in listed if c["id"] == contact.pk] == [MOBILE]
    card = client_for("credit").get(f"/customers/{contact.customer_id}/").content.decode()
    assert MOBILE in card


def test_a_field_made_core_is_masked_and_left_out_of_the_export(
    contact: Contact, client_for: Callable[[str], Client], api_for: Callable[[str], Client]
) -> None:
    head = client_for("head_sale")
    assert _reveal_page(head, contact, "mobile") == 200
    tiers.save({"customers.contact.mobile": masking.CORE}, {}, {})
    assert _reveal_page(head, contact, "mobile") == 403
    assert _reveal_api(api_for("head_sale"), contact, "mobile") == 403
    assert api_for("head_sale").get(f"/api/v1/contacts/{contact.pk}/").json()["mobile"] == (
        "139****1111"
    )
    response = head.get("/contacts/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    values = [str(v) for row in rows for v in row]
    assert "王芳" in values
    assert not any("1111" in v for v in values)
    assert str(Contact._meta.get_field("mobile").verbose_name) not in [str(v) for v in rows[1]]
    # Who may reveal CORE values still finds the (masked) column.
    content = client_for("auditor").get("/contacts/export.xlsx").content
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    values = [str(v) for row in sheet.iter_rows(values_only=True) for v in row]
    assert "139****1111" in values and MOBILE not in values


def _core_version(customer: Customer, owner: User) -> DocumentVersion:
    doc_type = DocumentType.objects.get(code="legal_rep_id")
    return documents.document_upload(
        customer,
        doc_type,
        upload_file("id.pdf", pdf_bytes("ID card")),
        owner,
        issued_on=datetime.date(2020, 1, 1),
        expires_on=datetime.date(2040, 1, 1),
    )


def test_a_core_document_is_opened_only_with_the_core_permission(
    make_org: Callable[..., Customer],
    demo: dict[str, User],
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:
    version = _core_version(make_org(), demo["manager1"])
    page = f"/documents/versions/{version.pk}/download/"
    preview = f"/documents/versions/{version.pk}/preview/"
    api = f"/api/v1/document-versions/{version.pk}/download/"
    for reader in ("head_sale", "credit"):
        assert client_for(reader).get(page).status_code == 403
        assert client_for(reader).get(preview).status_code == 403
        assert api_for(reader).get(api).status_code == 403
    assert AuditEvent.objects.filter(action__startswith="documents.documentversion.d").count() == 0
    assert client_for("manager1").get(page).status_code == 200
    assert api_for("auditor").get(api).status_code == 200
    # Made GENERAL by the administrator, any reader opens it.
    tiers.save({}, {"legal_rep_id": masking.GENERAL}, {})
    assert client_for("credit").get(page).status_code == 200


def test_the_settings_page_is_the_administrators_and_audited(
    client_for: Callable[[str], Client],
) -> None:
    for other in ("auditor", "compliance", "head_sale", "manager1"):
        assert client_for(other).get("/privacy/tiers/").status_code == 403
    admin = client_for("admin")
    page = admin.get("/privacy/tiers/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].initial for name in form.fields}
    data["field__customers__contact__mobile"] = masking.CORE
    data["core_years"] = 10
    assert admin.post("/privacy/tiers/", {**data, "document__legal_rep_id": "x"}).status_code == 400
    assert masking.tier_of("customers.contact", "mobile") == masking.IMPORTANT
    assert admin.post("/privacy/tiers/", data).status_code == 302
    assert masking.tier_of("customers.contact", "mobile") == masking.CORE
    event = AuditEvent.objects.get(action="privacy.sensitivitytiers.update")
    assert event.changes == {
        "customers.contact.mobile": [masking.IMPORTANT, masking.CORE],
        "core_years": [3, 10],
    }
    assert "/privacy/tiers/" in admin.get("/").content.decode()


def test_a_core_value_is_not_found_by_its_full_value_without_the_core_permission(
    person: Customer, demo: dict[str, User]
) -> None:
    from kehu.customers import search

    everyone = Customer.objects.all()
    assert list(search.filter_text(everyone, ID, demo["compliance"])) == [person]
    assert list(search.filter_text(everyone, ID, demo["head_sale"])) == []
    # The phone (IMPORTANT) is still found by the department head, who may reveal it.
    assert list(search.filter_text(everyone, PHONE, demo["head_sale"])) == [person]
