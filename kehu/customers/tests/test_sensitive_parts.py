"""Masked values that other outputs would rebuild (the birth date and gender are digits 7–14
and 17 of the ID number), a person's phone masked in one place and plain in another, and
reads of personal data without an audit event: each tried as the attack, through pages and
the API, by users who may see the customer but not reveal its masked values."""

from __future__ import annotations

import datetime
import io
import json
import re
from collections.abc import Callable
from typing import Any

import openpyxl
import pypdf
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.audit.services import record
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.models import Customer
from kehu.customers.tests.factories import form_data, id_number

JSON = "application/json"
BIRTH = datetime.date(1988, 8, 8)
# The legal representative's mobile, also his mobile as a contact.
REP_MOBILE = "13912345678"
# An ID number's mask that keeps digits after the birth date (the gender digit 17).
ID_MASK_WITH_TAIL = re.compile(r"\*{8,}[0-9Xx]")


def _text(response: Any) -> str:
    """What a response shows a reader: HTML or JSON as text, a workbook's cells, a PDF's
    text."""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in kind:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join(str(v) for v in row if v is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if kind == "application/pdf":
        return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)
    text = body.decode()
    return json.dumps(json.loads(text), ensure_ascii=False) if "json" in kind else text


@pytest.fixture
def person(make_person: Callable[..., Customer], demo: dict[str, User]) -> Customer:
    """An individual of manager1 (SALE) with a known birth date (a man: digit 17 is odd),
    edited once, and an event written as the audit log held them before they were masked."""
    customer = make_person(id_number=id_number(BIRTH, seq=135), name="赵先生")
    customer = services.update_customer(customer, {"occupation": "工程师"}, customer.version)
    record(
        "customers.customer.update",
        customer,
        changes={"birth_date": [None, BIRTH.isoformat()], "gender": ["", "male"]},
    )
    return customer


@pytest.fixture
def organisation(make_org: Callable[..., Customer]) -> Customer:
    """An organisation whose legal representative is also its contact, with his mobile."""
    org = make_org(legal_rep_name="钱总", legal_rep_phone=REP_MOBILE)
    services.create_contact({"customer": org, "name": "钱总", "mobile": REP_MOBILE})
    old = Customer.objects.get(pk=org.pk)
    record(  # as the audit log held it before the phone was declared sensitive
        "customers.customer.update", old, changes={"legal_rep_phone": ["", REP_MOBILE]}
    )
    return org


def _outputs(client: Client, api: Client, customer: Customer) -> dict[str, str]:
    """Every output naming the customer that the user may open (refusals are outputs too)."""
    pk = customer.pk
    urls = {
        "card": (client, f"/customers/{pk}/"),
        "edit form": (client, f"/customers/{pk}/edit/"),
        "list": (client, "/customers/"),
        "search": (client, f"/customers/?q={customer.name}"),
        "export": (client, "/customers/export.xlsx"),
        "audit page": (client, f"/audit/?object_id={pk}"),
        "audit export": (client, "/audit/export.xlsx"),
        "proposal form": (client, f"/customers/{pk}/propose/"),
        "api detail": (api, f"/api/v1/customers/{pk}/"),
        "api list": (api, "/api/v1/customers/?size=100"),
        "api search": (api, f"/api/v1/customers/?q={customer.name}"),
        "api audit": (api, f"/api/v1/audit-events/?object_id={pk}"),
        "api contacts": (api, f"/api/v1/contacts/?customer={pk}"),
    }
    return {name: _text(c.get(url)) for name, (c, url) in urls.items()}


@pytest.mark.parametrize("username", ["credit", "gm", "admin"])
def test_nothing_shown_without_reveal_rebuilds_an_id_number(
    person: Customer,
    demo: dict[str, User],
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
    username: str,
) -> None:
    """The credit manager reads every customer of BJ, the general manager also exports
    them, the administrator reads the audit log; none may reveal. The attack: reading the birth
    date (digits 7–14, the whole masked part) from the card, the API detail or list, the
    card's history or the audit log."""
    from kehu.filing import services as filing
    from kehu.filing.models import Filing

    filing.open_filing(person, by=demo["manager1"])
    client, api = client_for(username), api_for(username)
    outputs = _outputs(client, api, person)
    form = client.get(f"/filings/{Filing.objects.get(customer=person).pk}/form.pdf")
    outputs["filing form"] = _text(form)
    number = person.id_number
    for name, text in outputs.items():
        assert number[6:14] not in text, name
        assert BIRTH.isoformat() not in text and "1988年8月8日" not in text, name
        assert not ID_MASK_WITH_TAIL.search(text), name
        assert number not in text, name
    if username == "gm":  # the export is a workbook listing the person, masked
        assert person.name in outputs["export"] and "110108************" in outputs["export"]
    if username in ("credit", "gm"):
        assert "110108************" in outputs["card"]
        detail = json.loads(outputs["api detail"])
        assert (detail["gender"], detail["birth_date"]) == ("**", "****-**-**")
        shown = json.loads(outputs["api list"])["results"]
        mine = next(row for row in shown if row["id"] == person.pk)
        assert (mine["gender"], mine["birth_date"]) == ("**", "****-**-**")
    # The audit log shows the old event's plain values masked, on the page and the API.
    events = json.loads(outputs["api audit"])
    if username == "admin":
        changes = [e["changes"] for e in events["results"] if "gender" in e["changes"]]
        # The administrator sees customer events without their changes (the audit log shows
        # in full only what its reader may read); whatever is shown stays masked.
        assert all(c["gender"][1] == "**" for c in changes)
    # Going forward the chain does not hold them in plain text.
    created = AuditEvent.objects.get(action="customers.customer.create", object_id=person.pk)
    assert created.changes["birth_date"] == [None, "****-**-**"]
    assert created.changes["gender"] == [None, "**"]


def test_guessing_the_birth_date_through_an_edit_tells_nothing(
    person: Customer,
    demo: dict[str, User],
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:
    """manager3 (MKT) holds a grant to change manager1's customer, not to reveal. The attack:
    sending birth dates until the message names the right one, or a right one passes."""
    from kehu.privacy import grants

    grants.access_grant_create(
        person,
        user=demo["manager3"],
        until=timezone.now() + datetime.timedelta(days=7),
        by=demo["head_sale"],
        reason="代班",
        actions=["change"],
    )
    api = api_for("manager3")
    answers = []
    for guess in (BIRTH.isoformat(), "1970-01-01"):
        version = Customer.objects.get(pk=person.pk).version
        response = api.patch(
            f"/api/v1/customers/{person.pk}/",
            {"birth_date": guess, "gender": "female", "version": version},
            content_type=JSON,
        )
        body = response.json()
        answers.append((response.status_code, body["birth_date"], body["gender"]))
        assert BIRTH.isoformat() not in response.content.decode()
    assert answers[0] == answers[1] == (200, "****-**-**", "**")
    page = client_for("manager3")
    current = Customer.objects.get(pk=person.pk)
    edit = page.get(f"/customers/{person.pk}/edit/").content.decode()
    assert BIRTH.isoformat() not in edit and "****-**-**" in edit
    data = form_data(current) | {"birth_date": "1970-01-01", "gender": "female"}
    data |= {"id_number": "110108************", "phone": "139****" + current.phone[-4:]}
    posted = page.post(f"/customers/{person.pk}/edit/", data)
    assert posted.status_code == 302, posted.content.decode()
    stored = Customer.objects.get(pk=person.pk)
    assert (stored.birth_date, stored.gender, stored.id_number) == (
        BIRTH,
        "male",
        person.id_number,
    )


def test_a_proposal_does_not_tell_whether_it_matches_a_masked_value(
    person: Customer, api_for: Callable[[str], Client]
) -> None:
    """The attack: proposing the right phone answered "does not differ" (400), a wrong one 201."""
    api = api_for("credit")
    answers = []
    for guess in (person.phone, "13900000000"):
        response = api.post(
            f"/api/v1/customers/{person.pk}/change-requests/",
            {"changes": {"phone": guess}, "reason": "客户来电"},
            content_type=JSON,
        )
        body = response.json()
        answers.append((response.status_code, sorted(body.get("changes", {}))))
        assert person.phone not in response.content.decode()
    assert answers[0] == answers[1] == (201, ["phone"])


def test_the_legal_representatives_mobile_is_masked_as_his_contact_mobile_is(
    organisation: Customer,
    demo: dict[str, User],
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:
    """The attack: reading it in full on the card, its history or the API, where the same
    number on his contact row is masked."""
    outputs = _outputs(client_for("credit"), api_for("credit"), organisation)
    audit_outputs = _outputs(client_for("admin"), api_for("admin"), organisation)
    for name, text in [*outputs.items(), *audit_outputs.items()]:
        assert REP_MOBILE not in text, name
    assert "139****5678" in outputs["card"]
    assert json.loads(outputs["api detail"])["legal_rep_phone"] == "139****5678"
    # Stored encrypted, found by its full value, revealed by those who may, with a reason.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT legal_rep_phone FROM customers_customer WHERE id = %s", [organisation.pk]
        )
        assert cursor.fetchone()[0].startswith(("kehu1:", "kehu2:"))
    found = api_for("manager1").get(f"/api/v1/customers/?q={REP_MOBILE}").json()["results"]
    assert [c["id"] for c in found] == [organisation.pk]
    revealed = api_for("manager1").post(
        "/api/v1/reveal/",
        {
            "object_type": "customers.customer",
            "object_id": organisation.pk,
            "field": "legal_rep_phone",
            "purpose": "verification",
            "reason": "核对法人电话",
        },
        content_type=JSON,
    )
    assert revealed.status_code == 200 and revealed.json()["value"] == REP_MOBILE
    refused = api_for("credit").post(
        "/api/v1/reveal/",
        {
            "object_type": "customers.customer",
            "object_id": organisation.pk,
            "field": "legal_rep_phone",
            "purpose": "verification",
            "reason": "好奇",
        },
        content_type=JSON,
    )
    assert refused.status_code == 403


def test_revealing_the_id_number_reveals_its_birth_date_and_gender_in_one_event(
    person: Customer, client_for: Callable[[str], Client], api_for: Callable[[str], Client]
) -> None:
    given = {"purpose": "verification", "reason": "核对身份"}
    response = api_for("manager1").post(
        "/api/v1/reveal/",
        {"object_type": "customers.customer", "object_id": person.pk, "field": "id_number"} | given,
        content_type=JSON,
    )
    assert response.status_code == 200
    assert response.json() == {
        "value": person.id_number,
        "revealed_with": {"birth_date": BIRTH.isoformat(), "gender": "male"},
    }
    event = AuditEvent.objects.filter(action="customers.customer.reveal").get()
    assert event.extra["fields"] == ["id_number", "birth_date", "gender"]
    page = client_for("manager1").post(
        f"/privacy/reveal/customers.customer/{person.pk}/id_number/", given
    )
    assert BIRTH.isoformat() in page.content.decode()
    card = client_for("manager1").get(f"/customers/{person.pk}/").content.decode()
    # One eye link, beside the ID number: the birth date and gender come with it.
    assert card.count('data-reveal="') == card.count('data-reveal="id_number"') + card.count(
        'data-reveal="phone"'
    )


def _reads(customer: Customer) -> list[AuditEvent]:
    return [
        e
        for e in AuditEvent.objects.filter(action="customers.customer.read").order_by("seq")
        if e.object_id == str(customer.pk) or customer.pk in e.extra.get("ids", [])
    ]


def test_edit_forms_and_lists_of_personal_data_are_reads(
    person: Customer,
    make_person: Callable[..., Customer],
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:
    """manager1 may reveal his customers' values. The gap: only the card and the API detail
    recorded a read; the edit form, the list and the API list showed the same person's data
    without an event."""
    other = make_person()
    manager, api = client_for("manager1"), api_for("manager1")
    assert manager.get(f"/customers/{person.pk}/edit/").status_code == 200
    assert [e.extra["via"] for e in _reads(person)] == ["form"]
    assert manager.get("/customers/").status_code == 200
    assert api.get("/api/v1/customers/?size=100").status_code == 200
    events = _reads(person)
    assert [e.extra["via"] for e in events] == ["form", "list", "api"]
    # One event per page, naming every person on it; organisations are not personal data.
    assert {person.pk, other.pk} <= set(events[1].extra["ids"]) == set(events[2].extra["ids"])
    kinds = set(Customer.objects.filter(pk__in=events[2].extra["ids"]).values_list("kind"))
    assert kinds == {("individual",)}
    assert events[2].actor_username == "manager1"


def test_contacts_shown_inside_a_customer_are_reads(
    organisation: Customer, client_for: Callable[[str], Client], api_for: Callable[[str], Client]
) -> None:
    """A contact's own page records a read, and so does the same contact shown on the
    organisation's card, in its API detail and in the API list."""
    contact = organisation.contacts.get()
    client_for("manager1").get(f"/customers/{organisation.pk}/")
    api = api_for("manager1")
    api.get(f"/api/v1/customers/{organisation.pk}/")
    api.get("/api/v1/customers/?size=100")
    reads = AuditEvent.objects.filter(action="customers.contact.read").order_by("seq")
    assert [(e.extra["via"], contact.pk in e.extra["ids"]) for e in reads] == [
        ("card", True),
        ("api", True),
        ("api", True),
    ]
