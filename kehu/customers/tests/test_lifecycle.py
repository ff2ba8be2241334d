"""The lifecycle (CUS-8): prospect → in filing → active → suspended → past → closed, each step
with a reason, recorded and audited; leaving the active register removes a customer from the
default lists (page and API) but keeps its data, and it can be reinstated; who may do which
step."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.models import Customer, CustomerStatus, StatusChange
from kehu.generic.services import StaleEditError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

S = CustomerStatus
MakeOrg = Callable[..., Customer]

# A path through every allowed step, and back.
PATH = [S.IN_FILING, S.PROSPECT, S.IN_FILING, S.ACTIVE, S.SUSPENDED, S.ACTIVE, S.PAST, S.ACTIVE,
        S.SUSPENDED, S.PAST, S.CLOSED, S.PAST]  # fmt: skip


def move(customer: Customer, *statuses: str, by: User) -> Customer:
    for status in statuses:
        customer = services.change_status(customer, status, f"理由：{status}", by)
    return customer


def test_every_allowed_step_is_recorded_and_audited(
    demo: dict[str, User], make_org: MakeOrg
) -> None:
    customer = make_org()
    version = customer.version
    previous = S.PROSPECT
    for status in PATH:
        customer = services.change_status(customer, status, f"理由 {status}", demo["head_sale"])
        assert customer.status == status
        version += 1
        assert customer.version == version
        step = StatusChange.objects.filter(customer=customer).first()
        assert step is not None
        assert (step.from_status, step.to_status, step.reason) == (
            previous,
            status,
            f"理由 {status}",
        )
        assert step.changed_by == demo["head_sale"]
        previous = status
    assert StatusChange.objects.filter(customer=customer).count() == len(PATH)
    audited = AuditEvent.objects.filter(
        action="customers.customer.status", object_id=str(customer.pk)
    ).order_by("seq")
    assert [e.changes["status"][1] for e in audited] == PATH
    assert audited.last().extra["reason"] == f"理由 {S.PAST}"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "path, target",
    [
        ([], S.ACTIVE),  # a prospect is not active before filing
        ([], S.SUSPENDED),
        ([], S.PAST),
        ([S.IN_FILING], S.CLOSED),
        ([S.IN_FILING, S.ACTIVE], S.CLOSED),  # suspend or end the relation first
        ([S.IN_FILING, S.ACTIVE], S.PROSPECT),
        ([S.IN_FILING, S.ACTIVE], S.IN_FILING),
        ([S.CLOSED], S.ACTIVE),
        ([S.CLOSED], S.PROSPECT),
        ([S.IN_FILING], S.IN_FILING),
    ],
)
def test_refused_steps_change_nothing(
    path: list[str], target: str, demo: dict[str, User], make_org: MakeOrg
) -> None:
    customer = move(make_org(), *path, by=demo["head_sale"])
    before = (StatusChange.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError):
        services.change_status(customer, target, "试一试", demo["head_sale"])
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.status, fresh.version) == (customer.status, customer.version)
    assert (StatusChange.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reason_is_required(reason: str | None, demo: dict[str, User], make_org: MakeOrg) -> None:
    customer = make_org()
    with pytest.raises(ValidationError) as raised:
        services.change_status(customer, S.IN_FILING, reason, demo["manager1"])  # type: ignore[arg-type]
    assert "reason" in raised.value.message_dict
    assert Customer.objects.get(pk=customer.pk).status == S.PROSPECT
    assert not StatusChange.objects.filter(customer=customer).exists()


def test_a_stale_step_is_refused(demo: dict[str, User], make_org: MakeOrg) -> None:
    customer = make_org()
    opened = customer.version
    services.update_customer(customer, {"city": "北京"}, opened)
    with pytest.raises(StaleEditError):
        services.change_status(customer, S.IN_FILING, "备案", demo["manager1"], opened)
    assert Customer.objects.get(pk=customer.pk).status == S.PROSPECT


# --- the active register -----------------------------------------------------------------


def listed(client: Client, url: str) -> set[int]:
    return {
        int(pk) for pk in re.findall(r'href="/customers/(\d+)/"', client.get(url).content.decode())
    }


def api_listed(client: Client, query: str = "") -> set[int]:
    response = client.get(f"/api/v1/customers/?size=200{query}")
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("leave_to", [[S.SUSPENDED], [S.PAST], [S.SUSPENDED, S.PAST]])
def test_suspended_and_past_leave_the_active_lists_keep_their_data_and_come_back(
    leave_to: list[str],
    demo: dict[str, User],
    make_org: MakeOrg,
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:
    customer = move(make_org(legal_rep_name="赵六"), S.IN_FILING, S.ACTIVE, by=demo["head_sale"])
    services.create_contact({"customer": customer, "name": "钱七", "mobile": "13700001111"})
    page, api = client_for("manager1"), api_for("manager1")
    assert customer.pk in listed(page, "/customers/?size=200")
    assert customer.pk in api_listed(api)

    customer = move(customer, *leave_to, by=demo["manager1"])
    assert customer.pk not in listed(page, "/customers/?size=200")
    assert customer.pk not in api_listed(api)
    # Still there, with all its data, for those who look for it.
    assert customer.pk in listed(page, "/customers/?register=inactive&size=200")
    assert customer.pk in listed(page, f"/customers/?status={customer.status}&size=200")
    # As the filter form sends it: the register select (still "active") and a status.
    chosen = f"register=active&status={customer.status}"
    assert customer.pk in listed(page, f"/customers/?{chosen}&size=200")
    assert customer.pk in api_listed(api, f"&{chosen}")
    assert customer.pk in api_listed(api, "&register=inactive")
    card = page.get(f"/customers/{customer.pk}/").content.decode()
    for kept in (customer.name, str(customer.credit_code), "赵六", "钱七"):
        assert kept in card
    assert str(customer.get_status_display()) in card
    detail = api.get(f"/api/v1/customers/{customer.pk}/").json()
    assert detail["status"] == customer.status and detail["contacts"][0]["name"] == "钱七"

    # Reinstated: back in the active register.
    customer = services.change_status(customer, S.ACTIVE, "恢复合作", demo["manager1"])
    assert customer.pk in listed(page, "/customers/?size=200")
    assert customer.pk in api_listed(api)


def test_closed_customers_can_go_back_to_past(demo: dict[str, User], make_org: MakeOrg) -> None:
    customer = move(make_org(), S.CLOSED, by=demo["head_sale"])
    assert not customer.in_active_register
    customer = move(customer, S.PAST, S.ACTIVE, by=demo["head_sale"])
    assert customer.in_active_register


# --- who may do which step ---------------------------------------------------------------


def post_step(client: Client, customer: Customer, to: str, reason: str = "原因") -> int:
    fresh = Customer.objects.get(pk=customer.pk)
    response = client.post(
        f"/customers/{customer.pk}/status/",
        {"to_status": to, "reason": reason, "version": fresh.version},
    )
    return response.status_code


def status_of(customer: Customer) -> str:
    return Customer.objects.get(pk=customer.pk).status


def test_filing_steps_are_not_taken_by_hand(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    """Entering filing, approval and rejection belong to the filing case (FIL-6): the card
    offers none of them, and posting one anyway changes nothing."""
    customer = make_org()  # manager1's
    manager1 = client_for("manager1")
    card = manager1.get(f"/customers/{customer.pk}/").content.decode()
    assert S.IN_FILING not in re.findall(r'data-to="(\w+)"', card)
    assert post_step(manager1, customer, S.IN_FILING) == 302  # back to the card, with the message
    assert status_of(customer) == S.PROSPECT
    services.change_status(customer, S.IN_FILING, "备案", None)  # as opening a filing does
    for approver in ("head_sale", "gm"):
        client = client_for(approver)
        card = client.get(f"/customers/{customer.pk}/").content.decode()
        assert not {S.ACTIVE, S.REJECTED} & set(re.findall(r'data-to="(\w+)"', card))
        assert post_step(client, customer, S.ACTIVE) == 302
        assert status_of(customer) == S.IN_FILING


def test_account_managers_move_their_own_active_customers(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    services.change_status(customer, S.IN_FILING, "备案", None)
    services.change_status(customer, S.ACTIVE, "备案通过", None)
    assert post_step(client_for("manager2"), customer, S.SUSPENDED) == 403
    assert post_step(client_for("manager1"), customer, S.SUSPENDED) == 302
    assert status_of(customer) == S.SUSPENDED
    step = StatusChange.objects.filter(customer=customer).order_by("-pk").first()
    assert step is not None and step.changed_by is not None
    assert step.changed_by.username == "manager1"


@pytest.mark.parametrize(
    "user, code", [("manager1", 403), ("head_sale", 302), ("gm", 302), ("auditor", 403)]
)
def test_closing_needs_the_close_permission(
    user: str, code: int, make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    assert post_step(client_for(user), customer, S.CLOSED) == code
    assert status_of(customer) == (S.CLOSED if code == 302 else S.PROSPECT)


def test_others_cannot_reach_the_step(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    assert post_step(client_for("manager3"), customer, S.IN_FILING) == 404
    assert post_step(client_for("archivist"), customer, S.IN_FILING) == 404
    assert post_step(client_for("auditor"), customer, S.IN_FILING) == 403
    assert client_for("manager1").get(f"/customers/{customer.pk}/status/").status_code == 405
    assert status_of(customer) == S.PROSPECT


def test_the_page_refuses_a_step_without_reason_or_from_a_stale_card(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    client = client_for("manager1")
    response = client.post(
        f"/customers/{customer.pk}/status/", {"to_status": S.IN_FILING, "reason": " "}
    )
    assert response.status_code == 302
    assert status_of(customer) == S.PROSPECT
    opened = customer.version
    services.update_customer(customer, {"city": "北京"}, opened)
    response = client.post(
        f"/customers/{customer.pk}/status/",
        {"to_status": S.IN_FILING, "reason": "备案", "version": opened},
        follow=True,
    )
    assert status_of(customer) == S.PROSPECT
    messages = [str(m) for m in response.context["messages"]]
    assert messages, "the refusal is explained"
    assert not StatusChange.objects.filter(customer=customer).exists()
