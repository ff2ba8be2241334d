"""The audit page finds events as people name them: an action by its words in Chinese or
English, a user by full name, a customer by its whole trail (contacts, accounts, documents,
filings included) — and the administrator still finds nothing about customers that way."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kehu.audit.context import acting_as, actor_for
from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.models import Customer, CustomerKind
from kehu.customers.tests.factories import org_data, person_data
from kehu.privacy.services import reveal

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(demo: dict[str, User]) -> dict[str, Customer]:
    """Two customers of manager1, one with a contact and an account, and the auditor's
    reveal of the person's ID number."""
    owner = demo["manager1"]
    with acting_as(actor_for(owner)):
        company = services.create_customer(org_data(owner))
        other = services.create_customer(org_data(owner))
        services.create_contact(
            {"customer": company, "name": "联系人甲", "mobile": "13800138000", "role": "finance"}
        )
        services.create_bank_account(
            {
                "customer": company,
                "account_name": company.name,
                "bank_name": "工商银行",
                "account_number": "6222020200112233445",
            }
        )
        person = services.create_customer(person_data(owner))
    assert person.kind == CustomerKind.INDIVIDUAL
    with acting_as(actor_for(demo["auditor"])):
        reveal(demo["auditor"], person, "id_number", purpose="audit", reason="抽查")
    return {"company": company, "other": other, "person": person}


def actions_found(client: Client, **params: str) -> list[tuple[str, str]]:
    """(action, object type) of every event the audit page lists for `params`."""
    response = client.get("/audit/", params)
    assert response.status_code == 200
    return [(e.action, e.object_type) for e in response.context["page"].rows]


def test_an_action_is_found_by_its_words_in_either_language(
    trail: dict[str, Customer], client_for: Callable[[str], Client]
) -> None:
    auditor = client_for("auditor")
    for words in ("reveal", "查看明文", "脱敏信息", "Reveal", "customer.reveal"):
        found = actions_found(auditor, action=words)
        assert ("customers.customer.reveal", "customers.customer") in found, words
        assert all(action.endswith(".reveal") for action, _type in found), words
    # Several words narrow it down: the object type's name and the verb's.
    contacts = actions_found(auditor, action="联系人 新建")
    assert contacts and set(contacts) == {("customers.contact.create", "customers.contact")}
    assert actions_found(auditor, action="no-such-action-word") == []


def test_a_user_is_found_by_full_name_or_login_name(
    trail: dict[str, Customer], client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    auditor = client_for("auditor")
    manager = demo["manager1"]
    assert manager.full_name
    for text in (manager.full_name, manager.full_name[1:], "MANAGER1"):
        response = auditor.get("/audit/", {"user": text})
        rows = response.context["page"].rows
        assert rows, text
        assert {e.actor_username for e in rows} == {"manager1"}, text
    assert not auditor.get("/audit/", {"user": "无此人"}).context["page"].rows


def test_a_customer_trail_holds_its_contacts_and_accounts_and_no_other_customer(
    trail: dict[str, Customer], client_for: Callable[[str], Client]
) -> None:
    company = trail["company"]
    found = actions_found(client_for("auditor"), customer=str(company.pk))
    assert ("customers.customer.create", "customers.customer") in found
    assert ("customers.contact.create", "customers.contact") in found
    assert ("customers.bankaccount.create", "customers.bankaccount") in found
    events = AuditEvent.objects.filter(object_type="customers.customer")
    other_ids = {str(trail["other"].pk), str(trail["person"].pk)}
    shown = client_for("auditor").get("/audit/", {"customer": company.pk}).context["page"].rows
    assert not any(e.object_id in other_ids for e in shown if e.object_type.startswith("cust"))
    assert events.filter(object_id__in=other_ids).exists()  # they exist, just not shown


def test_the_administrator_finds_no_customer_trail(
    trail: dict[str, Customer], client_for: Callable[[str], Client]
) -> None:
    admin = client_for("admin")
    assert actions_found(admin, customer=str(trail["company"].pk)) == []
    # Searching by action still lists the events, without what the administrator may not read.
    response = admin.get("/audit/", {"action": "联系人"})
    rows = response.context["page"].rows
    assert rows and all(e.object_repr == "" for e in rows)


def test_the_card_links_to_the_customer_trail_only_for_those_who_read_it(
    trail: dict[str, Customer], client_for: Callable[[str], Client]
) -> None:
    url = f"/customers/{trail['company'].pk}/"
    link = f'href="/audit/?customer={trail["company"].pk}"'
    assert link in client_for("auditor").get(url).content.decode()
    assert link not in client_for("manager1").get(url).content.decode()
