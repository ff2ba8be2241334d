"""The customer action endpoints: lifecycle, completeness, duplicates, merge, change requests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kehu.api.services import create_token
from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.identifiers import make_credit_code
from kehu.customers.models import ChangeRequest, Customer, CustomerStatus, StatusChange

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]


def api(user: User) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user, 'test')[1]}")


def customer_of(user: User, name: str, code: str = "", **extra: Any) -> Customer:
    data = {"kind": "organization", "name": name, "owner": user, "unit": user.unit, **extra}
    if code:
        data["credit_code"] = make_credit_code(code)
    return services.create_customer(data)


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def test_status_change_through_the_api(demo: dict[str, User]) -> None:
    manager = demo["manager1"]
    customer = customer_of(manager, "北京接口测试科技有限公司")
    url = f"/api/v1/customers/{customer.pk}/status/"

    # Entering filing and approval belong to the filing case (FIL-6), not to this endpoint.
    refused = post(api(manager), url, {"to_status": "in_filing", "reason": "资料齐全"})
    assert refused.status_code == 400 and "/api/v1/filings/" in refused.content.decode()
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.PROSPECT
    make_active(customer, demo)

    assert post(api(manager), url, {"to_status": "suspended"}).status_code == 400  # no reason
    stale = post(api(manager), url, {"to_status": "suspended", "reason": "暂停", "version": 1})
    assert stale.status_code == 409
    response = post(api(manager), url, {"to_status": "suspended", "reason": "暂停合作"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == CustomerStatus.SUSPENDED
    assert StatusChange.objects.filter(customer=customer, reason="暂停合作").exists()
    # Closing is for the department head, not the account manager.
    assert post(api(manager), url, {"to_status": "closed", "reason": "终止"}).status_code == 403
    # A transition that does not exist from here is a 400, not a silent change.
    wrong = post(api(demo["head_sale"]), url, {"to_status": "prospect", "reason": "x"})
    assert wrong.status_code == 400
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.SUSPENDED


def make_active(customer: Customer, demo: dict[str, User]) -> None:
    """As an approved filing does (kehu/filing tests cover the filing itself)."""
    services.change_status(customer, CustomerStatus.IN_FILING, "备案", demo["manager1"])
    services.change_status(customer, CustomerStatus.ACTIVE, "备案通过", demo["gm"])


def test_other_managers_and_other_departments_cannot_change_status(demo: dict[str, User]) -> None:
    customer = customer_of(demo["manager1"], "北京别人家的客户有限公司")
    make_active(customer, demo)
    url = f"/api/v1/customers/{customer.pk}/status/"
    data = {"to_status": "suspended", "reason": "试试"}
    assert post(api(demo["manager2"]), url, data).status_code == 403  # same department
    assert post(api(demo["manager3"]), url, data).status_code == 404  # cannot even see it
    assert post(api(demo["auditor"]), url, data).status_code == 403
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.ACTIVE


def test_completeness_and_duplicates(demo: dict[str, User]) -> None:
    manager = demo["manager1"]
    first = customer_of(manager, "北京重名测试有限公司", phone="010-62345678")
    second = customer_of(manager, "重名测试（北京）股份有限公司")
    body = api(manager).get(f"/api/v1/customers/{first.pk}/completeness/").json()
    assert 0 < body["percent"] < 100
    assert "credit_code" in {m["item"] for m in body["missing"]}
    flags = api(manager).get(f"/api/v1/customers/{second.pk}/duplicates/").json()
    assert [f["customer"] for f in flags] == [first.pk]
    assert flags[0]["reason"] == "similar_name"


def test_merge_through_the_api(demo: dict[str, User]) -> None:
    manager = demo["manager1"]
    keep = customer_of(manager, "北京合并保留科技有限公司")
    gone = customer_of(
        manager, "北京合并保留科技股份有限公司", code="91110108MA0000777", phone="13812345678"
    )
    url = f"/api/v1/customers/{keep.pk}/merge/"
    assert post(api(manager), url, {"other": gone.pk, "reason": "重复"}).status_code == 403
    response = post(api(demo["head_sale"]), url, {"other": gone.pk, "reason": "重复登记"})
    assert response.status_code == 200, response.content
    assert response.json()["credit_code"] == gone.credit_code
    assert response.json()["phone"] == "13812345678"
    gone.refresh_from_db()
    assert gone.merged_into_id == keep.pk
    assert gone.status == CustomerStatus.CLOSED
    assert AuditEvent.objects.filter(action="customers.customer.merge", object_id=str(keep.pk))


def test_change_request_through_the_api(demo: dict[str, User]) -> None:
    customer = customer_of(demo["manager1"], "北京变更接口测试有限公司", phone="010-62345678")
    url = f"/api/v1/customers/{customer.pk}/change-requests/"
    proposal = {"changes": {"phone": "010-87654321"}, "reason": "客户来函告知新电话"}
    assert post(api(demo["auditor"]), url, proposal).status_code == 403
    bad = post(api(demo["manager2"]), url, {**proposal, "changes": {"status": "active"}})
    assert bad.status_code == 400
    response = post(api(demo["manager2"]), url, proposal)
    assert response.status_code == 201, response.content
    change_id = response.json()["id"]
    listed = api(demo["manager1"]).get(url).json()
    assert [c["id"] for c in listed] == [change_id]

    decision = f"/api/v1/change-requests/{change_id}/decision/"
    own = post(api(demo["manager2"]), decision, {"accept": True})
    assert own.status_code == 403  # the proposer holds no decide permission on others' customers
    accepted = post(api(demo["manager1"]), decision, {"accept": True, "note": "已核对"})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    customer.refresh_from_db()
    assert customer.phone == "010-87654321"
    again = post(api(demo["head_sale"]), decision, {"accept": False, "note": "x"})
    assert again.status_code == 400
    assert ChangeRequest.objects.get(pk=change_id).status == "accepted"


def test_schema_lists_the_customer_actions(demo: dict[str, User]) -> None:
    response = api(demo["admin"]).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/customers/{id}/status/",
        "/api/v1/customers/{id}/merge/",
        "/api/v1/customers/{id}/change-requests/",
        "/api/v1/change-requests/{id}/decision/",
    ):
        assert path in paths
