"""The purpose of use of personal data: declared once per session, carried by every read
event; an API request names it in a header or is known by its token's name."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from django.test import Client

from kehu.audit.models import AuditEvent
from kehu.customers import services
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db


def reads(obj: Customer) -> list[AuditEvent]:
    label = obj._meta.label_lower
    return list(
        AuditEvent.objects.filter(action=f"{label}.read", object_id=str(obj.pk)).order_by("pk")
    )


def declarations(username: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action="privacy.purpose.declare", actor_username=username
        ).order_by("pk")
    )


def test_the_first_personal_page_asks_for_the_purpose_then_opens_and_records_it(
    make_person: Callable[..., Customer], client_for: Callable[..., Client]
) -> None:
    person = make_person()
    client = client_for("manager1", declared=False)
    card = f"/customers/{person.pk}/"
    response = client.get(card)
    assert response.status_code == 302
    assert response["Location"] == f"/privacy/purpose/?next={quote(card, safe='')}"
    assert reads(person) == []  # nothing was shown, nothing recorded
    page = client.get(response["Location"])
    assert page.status_code == 200 and b'name="purpose"' in page.content
    done = client.post("/privacy/purpose/", {"purpose": "contact", "note": "", "next": card})
    assert done.status_code == 302 and done["Location"] == card
    (declared,) = declarations("manager1")
    assert declared.extra == {"choice": "contact", "note": ""}
    opened = client.get(card)
    assert opened.status_code == 200
    assert "使用目的" in opened.content.decode() and "联系客户" in opened.content.decode()
    (event,) = reads(person)
    assert event.extra["purpose"] == "contact"
    assert event.extra["purpose_declared_at"]


def test_a_second_page_does_not_ask_again_and_a_change_applies_to_later_reads(
    make_person: Callable[..., Customer],
    make_org: Callable[..., Customer],
    client_for: Callable[..., Client],
) -> None:
    first, second = make_person(), make_person(name="李四", id_number="110101199003074477")
    contact = services.create_contact({"customer": make_org(), "name": "王芳"})
    client = client_for("manager1", declared=False)
    client.post("/privacy/purpose/", {"purpose": "verification"})
    assert client.get(f"/customers/{first.pk}/").status_code == 200
    assert client.get(f"/customers/{second.pk}/edit/").status_code == 200
    assert client.get(f"/contacts/{contact.pk}/").status_code == 200
    changed = client.post(
        "/privacy/purpose/", {"purpose": "other", "note": "年度核对", "next": "/customers/"}
    )
    assert changed.status_code == 302 and changed["Location"] == "/customers/"
    assert client.get(f"/customers/{first.pk}/").status_code == 200
    assert [e.extra["purpose"] for e in reads(first)] == ["verification", "other"]
    assert reads(first)[1].extra["purpose_note"] == "年度核对"
    assert [e.extra["purpose"] for e in reads(second)] == ["verification"]
    assert len(declarations("manager1")) == 2


def test_other_needs_a_note_and_bad_choices_change_nothing(
    client_for: Callable[..., Client],
) -> None:
    client = client_for("manager1", declared=False)
    assert client.post("/privacy/purpose/", {"purpose": "other", "note": " "}).status_code == 400
    assert client.post("/privacy/purpose/", {"purpose": "curiosity"}).status_code == 400
    assert declarations("manager1") == []


def test_organisation_cards_and_lists_do_not_ask_and_lists_record_undeclared(
    make_person: Callable[..., Customer],
    make_org: Callable[..., Customer],
    client_for: Callable[..., Client],
) -> None:
    org, person = make_org(), make_person()
    client = client_for("manager1", declared=False)
    assert client.get(f"/customers/{org.pk}/").status_code == 200
    assert client.get("/customers/").status_code == 200
    listed = AuditEvent.objects.filter(action="customers.customer.read", object_id="").get()
    assert person.pk in listed.extra["ids"] and listed.extra["purpose"] == "undeclared"


def test_the_auditor_declares_a_purpose_too(
    make_person: Callable[..., Customer], client_for: Callable[..., Client]
) -> None:
    person = make_person()
    client = client_for("auditor", declared=False)
    assert client.get(f"/customers/{person.pk}/").status_code == 302
    assert client.post("/privacy/purpose/", {"purpose": "review"}).status_code == 302
    assert client.get(f"/customers/{person.pk}/").status_code == 200
    assert reads(person)[0].extra["purpose"] == "review"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_next_refuses_outside_urls(client_for: Callable[..., Client], target: str) -> None:
    client = client_for("manager1", declared=False)
    response = client.post("/privacy/purpose/", {"purpose": "review", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"
    shown = client.get("/privacy/purpose/", {"next": target}).content.decode()
    assert '<input type="hidden" name="next" value="/">' in shown


def test_api_reads_carry_the_headers_purpose_or_the_tokens_name(
    make_person: Callable[..., Customer], api_for: Callable[[str], Client]
) -> None:
    person = make_person()
    api = api_for("manager1")
    url = f"/api/v1/customers/{person.pk}/"
    assert api.get(url, headers={"X-Kehu-Purpose": "settlement"}).status_code == 200
    assert api.get(url).status_code == 200
    assert api.get(url, headers={"X-Kehu-Purpose": "other:月结对账"}).status_code == 200
    refused = api.get(url, headers={"X-Kehu-Purpose": "curiosity"})
    assert refused.status_code == 400 and "purpose" in refused.json()
    first, second, third = reads(person)
    assert first.extra["purpose"] == "settlement"
    assert second.extra["purpose"] == "api" and second.extra["purpose_note"] == "API: test"
    assert (third.extra["purpose"], third.extra["purpose_note"]) == ("other", "月结对账")


def test_the_auditor_filters_the_audit_log_by_purpose(
    make_person: Callable[..., Customer],
    client_for: Callable[..., Client],
    api_for: Callable[[str], Client],
) -> None:
    person = make_person()
    client = client_for("manager1", declared=False)
    client.post("/privacy/purpose/", {"purpose": "settlement"})
    client.get(f"/customers/{person.pk}/")
    client_for("manager2").get(f"/customers/{person.pk}/")  # declared "review"
    found = api_for("auditor").get("/api/v1/audit-events/", {"purpose": "settlement"}).json()
    assert [(row["actor_username"], row["action"]) for row in found["results"]] == [
        ("manager1", "customers.customer.read")
    ]
    page = client_for("auditor").get("/audit/", {"purpose": "settlement"})
    assert page.status_code == 200 and 'name="purpose"' in page.content.decode()
