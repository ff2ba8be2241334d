"""The customer API (/api/v1/customers/): English field names, the same validation, services
and scope as the pages, `version` for optimistic locking (400 without, 409 when stale), and a
`q` that searches like the list page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.models import Customer, CustomerStatus
from kehu.customers.tests.factories import credit_code, id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

MakeOrg = Callable[..., Customer]
URL = "/api/v1/customers/"
JSON = "application/json"


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_fields_are_named_in_english(api_for: Callable[[str], Client], make_org: MakeOrg) -> None:
    customer = make_org(legal_rep_name="王建国", registered_capital="500万")
    services.create_contact({"customer": customer, "name": "王芳", "mobile": "13811112222"})
    row = api_for("manager1").get(f"{URL}{customer.pk}/").json()
    assert row["kind"] == "organization"
    assert row["name"] == customer.name
    assert row["credit_code"] == customer.credit_code
    assert row["legal_rep_name"] == "王建国"
    assert row["registered_capital"] == "5000000.00"
    assert row["status"] == "prospect"
    assert row["owner_name"] == "张伟" and row["unit_code"] == "SALE"
    assert row["version"] == customer.version
    assert row["contacts"][0]["name"] == "王芳"
    assert {"id_number", "gender", "birth_date", "completeness", "merged_into"} <= set(row)


def test_create_an_organisation_with_chinese_conventions(
    api_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    code = credit_code()
    response = api_for("manager1").post(
        URL,
        {
            "kind": "organization",
            "name": "北京接口创建科技有限公司",
            "credit_code": code.lower(),
            "registered_capital": "1.2亿",
            "founded_on": "2012年12月12日",
            "phone": "010 6234 5678转 12",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["credit_code"] == code
    assert body["registered_capital"] == "120000000.00"
    assert body["founded_on"] == "2012-12-12"
    assert body["phone"] == "010-62345678-12"
    assert body["owner"] == demo["manager1"].pk and body["unit_code"] == "SALE"
    assert body["version"] == 1
    event = AuditEvent.objects.get(action="customers.customer.create", object_id=str(body["id"]))
    assert event.actor_username == "manager1"


def test_create_an_individual_derives_gender_and_birth_date(
    api_for: Callable[[str], Client],
) -> None:
    number = id_number(datetime.date(1988, 8, 8), seq=135)  # odd: a man
    response = api_for("manager1").post(
        URL, {"kind": "individual", "name": "李明", "id_number": number}, content_type=JSON
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # Stored as the number says; shown masked with it (they are part of it).
    stored = Customer.objects.get(pk=body["id"])
    assert (stored.gender, stored.birth_date) == ("male", datetime.date(1988, 8, 8))
    assert (body["gender"], body["birth_date"]) == ("**", "****-**-**")
    refused = api_for("manager1").post(
        URL,
        {"kind": "individual", "name": "李明", "id_number": id_number(), "gender": "female",
         "birth_date": "1900-01-01"},
        content_type=JSON,
    )  # fmt: skip
    assert refused.status_code == 400
    assert set(refused.json()) >= {"birth_date"}


def test_kind_must_be_organization_or_individual(api_for: Callable[[str], Client]) -> None:
    response = api_for("manager1").post(
        URL, {"kind": "company", "name": "北京某某科技有限公司"}, content_type=JSON
    )
    assert response.status_code == 400 and "kind" in response.json()


# --- optimistic locking ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_update_must_send_the_version(
    method: str, api_for: Callable[[str], Client], make_org: MakeOrg
) -> None:
    customer = make_org()
    client = api_for("manager1")
    data: dict[str, Any] = {"kind": "organization", "name": customer.name, "city": "北京"}
    response = getattr(client, method)(f"{URL}{customer.pk}/", data, content_type=JSON)
    assert response.status_code == 400 and "version" in response.json()
    response = getattr(client, method)(
        f"{URL}{customer.pk}/", {**data, "version": "latest"}, content_type=JSON
    )
    assert response.status_code == 400
    assert Customer.objects.get(pk=customer.pk).city == ""

    response = getattr(client, method)(
        f"{URL}{customer.pk}/", {**data, "version": customer.version}, content_type=JSON
    )
    assert response.status_code == 200, response.content
    assert response.json()["city"] == "北京"
    assert response.json()["version"] == customer.version + 1


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_stale_version_is_409_and_says_what_changed(
    method: str, api_for: Callable[[str], Client], make_org: MakeOrg
) -> None:
    customer = make_org()
    services.update_customer(customer, {"city": "上海"}, customer.version)
    response = getattr(api_for("manager1"), method)(
        f"{URL}{customer.pk}/",
        {"kind": "organization", "name": customer.name, "city": "北京",
         "version": customer.version},
        content_type=JSON,
    )  # fmt: skip
    assert response.status_code == 409
    body = response.json()
    assert body["detail"]
    assert [c["field"] for c in body["changes"]] == ["city"]
    assert body["changes"][0]["after"] == "上海"
    assert Customer.objects.get(pk=customer.pk).city == "上海"


def test_a_status_change_also_makes_the_version_stale(
    demo: dict[str, User], api_for: Callable[[str], Client], make_org: MakeOrg
) -> None:
    customer = make_org()
    services.change_status(customer, CustomerStatus.IN_FILING, "备案", demo["manager1"])
    response = api_for("manager1").patch(
        f"{URL}{customer.pk}/", {"city": "北京", "version": customer.version}, content_type=JSON
    )
    assert response.status_code == 409


def test_validation_errors_on_update_name_the_field(
    api_for: Callable[[str], Client], make_org: MakeOrg
) -> None:
    customer = make_org()
    response = api_for("manager1").patch(
        f"{URL}{customer.pk}/",
        {"credit_code": "91110000600037341X", "version": customer.version},
        content_type=JSON,
    )
    assert response.status_code == 400 and set(response.json()) == {"credit_code"}
    assert Customer.objects.get(pk=customer.pk).version == customer.version


def test_customers_that_left_the_register_are_still_read_and_reinstated_by_number(
    demo: dict[str, User], api_for: Callable[[str], Client], make_org: MakeOrg
) -> None:
    customer = make_org()
    for status in (CustomerStatus.IN_FILING, CustomerStatus.ACTIVE, CustomerStatus.SUSPENDED):
        customer = services.change_status(customer, status, "原因", demo["head_sale"])
    client = api_for("manager1")
    assert customer.pk not in ids(client.get(URL))
    detail = client.get(f"{URL}{customer.pk}/")
    assert detail.status_code == 200 and detail.json()["status"] == "suspended"
    response = client.patch(
        f"{URL}{customer.pk}/", {"city": "北京", "version": customer.version}, content_type=JSON
    )
    assert response.status_code == 200, response.content
    assert customer.pk in ids(client.get(f"{URL}?status=suspended"))
    assert customer.pk in ids(client.get(f"{URL}?register=all"))


# --- scope -------------------------------------------------------------------------------


def test_the_api_follows_the_policy(api_for: Callable[[str], Client], make_org: MakeOrg) -> None:
    mine, theirs, mkt = make_org(), make_org(owner="manager2"), make_org(owner="manager3")
    manager1 = api_for("manager1")
    listed = set(ids(manager1.get(f"{URL}?size=500")))
    assert {mine.pk, theirs.pk} <= listed and mkt.pk not in listed
    assert manager1.get(f"{URL}{mkt.pk}/").status_code == 404
    response = manager1.patch(
        f"{URL}{theirs.pk}/", {"city": "北京", "version": theirs.version}, content_type=JSON
    )
    assert response.status_code == 403
    response = manager1.patch(
        f"{URL}{mkt.pk}/", {"city": "北京", "version": mkt.version}, content_type=JSON
    )
    assert response.status_code == 404
    assert set(ids(api_for("auditor").get(f"{URL}?size=500"))) >= {mine.pk, theirs.pk, mkt.pk}
    assert Client().get(URL).status_code in (401, 403)


# --- q: the same search as the page ------------------------------------------------------


@pytest.fixture
def searchable(make_org: MakeOrg, make_person: Callable[..., Customer]) -> dict[str, Customer]:
    huaxia = make_org(name="北京华夏科技有限公司", phone="010-62340001")
    services.create_contact({"customer": huaxia, "name": "欧阳娜娜", "mobile": "13912340001"})
    return {
        "huaxia": huaxia,
        "huaxia_trade": make_org(name="北京华夏贸易有限公司"),
        "hengxin": make_org(name="上海恒信物流有限公司"),
        "person": make_person(name="华晓东"),
    }


@pytest.mark.parametrize(
    "q, expected",
    [
        ("华夏", {"huaxia", "huaxia_trade"}),
        ("华夏科技", {"huaxia"}),
        ("bjhx", {"huaxia", "huaxia_trade"}),
        ("BJHXKJ", {"huaxia"}),
        ("beijinghuaxia", {"huaxia", "huaxia_trade"}),
        ("huaxia maoyi", {"huaxia_trade"}),
        ("恒信", {"hengxin"}),
        ("欧阳", {"huaxia"}),
        ("010-6234 0001", {"huaxia"}),
        ("13912340001", {"huaxia"}),
        ("华晓东", {"person"}),
        ("不存在的名字", set()),
    ],
)
def test_q_searches_like_the_page(
    q: str,
    expected: set[str],
    searchable: dict[str, Customer],
    api_for: Callable[[str], Client],
    client_for: Callable[[str], Client],
) -> None:
    wanted = {searchable[key].pk for key in expected}
    api_rows = set(ids(api_for("manager1").get(URL, {"q": q, "size": "500"})))
    # Followed: a full phone number is moved off the URL (a search id) first.
    response = client_for("manager1").get("/customers/", {"q": q, "size": "200"}, follow=True)
    page = response.content.decode()
    page_rows = {int(pk) for pk in re.findall(r'href="/customers/(\d+)/"', page)}
    assert api_rows == wanted
    assert page_rows == wanted


def test_q_finds_a_credit_code_and_respects_the_scope(
    searchable: dict[str, Customer], api_for: Callable[[str], Client], make_org: MakeOrg
) -> None:
    code = searchable["hengxin"].credit_code
    assert ids(api_for("manager1").get(URL, {"q": str(code).lower()})) == [searchable["hengxin"].pk]
    elsewhere = make_org(owner="manager4", name="北京华夏电子有限公司")
    assert elsewhere.pk not in ids(api_for("manager1").get(URL, {"q": "bjhx"}))
    assert elsewhere.pk in ids(api_for("manager4").get(URL, {"q": "bjhx"}))
