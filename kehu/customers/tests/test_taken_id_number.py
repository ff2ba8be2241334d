""" "Already registered" must not confirm a masked ID number: who may view a customer but not
reveal its ID number (manager2 on manager1's customers) learns only that a customer with this
number exists and which department to ask — never its name or number — and each such hit is
audited and counted against the sensitive-search allowance, on the page form and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.customers.tests.factories import id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

TARGET = "目标某人"
HIT = "customers.customer.sensitive_duplicate"
JSON = "application/json"


@pytest.fixture
def target(make_person: Callable[..., Customer]) -> Customer:
    return make_person(owner="manager1", name=TARGET, id_number=id_number())


def api_try(client: Client, number: str) -> Any:
    return client.post(
        "/api/v1/customers/",
        {"kind": "individual", "name": "试探某人", "id_number": number},
        content_type=JSON,
    )


def page_try(client: Client, user: User, number: str) -> Any:
    return client.post(
        "/customers/add/",
        {
            "kind": "individual",
            "name": "试探某人",
            "owner": user.pk,
            "unit": user.unit_id,
            "capital_currency": "CNY",
            "id_number": number,
        },
    )


def _names_nothing(text: str, other: Customer) -> None:
    assert other.unit.name in text, text
    assert TARGET not in text and f"/customers/{other.pk}/" not in text
    assert f"no. {other.pk}" not in text and f"编号 {other.pk}" not in text


def test_the_api_does_not_confirm_a_number_its_caller_may_not_reveal(
    api_for: Callable[[str], Client], target: Customer, settings: Any
) -> None:
    settings.KEHU_SENSITIVE_SEARCHES_PER_MINUTE = 2
    client = api_for("manager2")
    before = AuditEvent.objects.count()
    response = api_try(client, target.id_number)
    assert response.status_code == 400, response.content
    _names_nothing(str(response.json()), target)
    event = AuditEvent.objects.get(pk__gt=before, action=HIT)
    assert event.actor_username == "manager2" and event.object_id == str(target.pk)
    assert event.extra["field"] == "id_number" and event.extra["named"] is False
    assert target.id_number not in str(event.extra)
    # The allowance is the sensitive search's: a search and a hit use it up.
    assert client.get("/api/v1/customers/", {"q": target.id_number}).status_code == 200
    refused = api_try(client, target.id_number)
    assert refused.status_code == 400
    assert "一分钟" in str(refused.json()) and TARGET not in str(refused.json())
    assert AuditEvent.objects.filter(pk__gt=before, action=HIT).count() == 1
    assert not Customer.objects.filter(name="试探某人").exists()


def test_the_page_form_does_not_confirm_it_either(
    client_for: Callable[[str], Client], demo: dict[str, User], target: Customer
) -> None:
    before = AuditEvent.objects.count()
    response = page_try(client_for("manager2"), demo["manager2"], target.id_number)
    assert response.status_code == 400
    _names_nothing(" ".join(response.context["form"].errors["id_number"]), target)
    assert AuditEvent.objects.filter(pk__gt=before, action=HIT, actor_username="manager2").exists()
    assert not Customer.objects.filter(name="试探某人").exists()


def test_who_may_reveal_the_number_is_told_whose_it_is(
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
    demo: dict[str, User],
    target: Customer,
) -> None:
    response = api_try(api_for("manager1"), target.id_number)
    assert response.status_code == 400 and TARGET in str(response.json())
    page = page_try(client_for("manager1"), demo["manager1"], target.id_number)
    assert TARGET in " ".join(page.context["form"].errors["id_number"])
    hits = AuditEvent.objects.filter(action=HIT, actor_username="manager1")
    assert [event.extra["named"] for event in hits] == [True, True]


def test_a_filing_for_a_new_customer_through_the_api_is_audited_too(
    api_for: Callable[[str], Client], target: Customer
) -> None:
    """The API's "new customer + filing" saves in one transaction: the hit is checked and
    recorded before it."""
    client = api_for("manager2")
    before = AuditEvent.objects.count()
    response = client.post(
        "/api/v1/filings/",
        {"new_customer": {"kind": "individual", "name": "试探某人", "id_number": target.id_number}},
        content_type=JSON,
    )
    assert response.status_code == 400, response.content
    _names_nothing(str(response.json()), target)
    assert AuditEvent.objects.filter(pk__gt=before, action=HIT, actor_username="manager2").exists()
