"""REV-4, ongoing watch-list monitoring: importing the watch list again flags every active
customer newly found on it once per entry (on the card, in the customer list and its API
filter), tells its account manager and compliance once, and compliance clears a false
match with a reason, audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kehu.api.services import create_token
from kehu.audit.models import AuditEvent
from kehu.core.models import Notification, User
from kehu.customers.models import Customer
from kehu.customers.services import change_status
from kehu.filing import monitoring, watchlist
from kehu.filing.models import WatchListHit
from kehu.filing.tests.conftest import make_customer

HEAD = "名称,统一社会信用代码,名录,来源,列入日期,备注\n"


def csv_bytes(*rows: str) -> bytes:
    return (HEAD + "\n".join(rows) + "\n").encode()


def active(owner: User, gm: User, **values: object) -> Customer:
    customer = make_customer(owner, **values)
    customer = change_status(customer, "in_filing", "备案", gm)
    return change_status(customer, "active", "备案通过", gm)


def told(user: User, customer: Customer) -> int:
    return Notification.objects.filter(user=user, title__contains=customer.name).count()


@pytest.fixture
def customers(demo: dict[str, User]) -> dict[str, Customer]:
    return {
        "by_code": active(demo["manager1"], demo["gm"]),
        "by_name": active(demo["manager2"], demo["gm"], name="华夏(北京)贸易有限公司"),
        "prospect": make_customer(demo["manager1"]),
        "clean": active(demo["manager1"], demo["gm"]),
    }


@pytest.fixture
def listed(customers: dict[str, Customer]) -> bytes:
    """A list naming the first active customer by credit code, the second by its name
    written differently, and the prospect."""
    return csv_bytes(
        f"另一名称,{customers['by_code'].credit_code},经营异常名录,公示系统,2026-11-01,",
        "华夏（北京）贸易 有限公司,,严重违法失信名单,信用中国,2026-10-01,",
        f"潜在客户,{customers['prospect'].credit_code},经营异常名录,公示系统,2026-11-01,",
    )


@pytest.mark.django_db
def test_reimport_flags_active_customers_once_and_tells_owner_and_compliance(
    demo: dict[str, User], customers: dict[str, Customer], listed: bytes
) -> None:
    result = watchlist.import_file("list.csv", listed)
    assert result.flagged == 2
    hits = WatchListHit.objects.order_by("customer_id")
    assert {(h.customer_id, h.matched_by) for h in hits} == {
        (customers["by_code"].pk, "credit_code"),
        (customers["by_name"].pk, "name"),
    }  # the prospect is checked by its filing's second review, not here
    assert told(demo["manager1"], customers["by_code"]) == 1
    assert told(demo["manager2"], customers["by_name"]) == 1
    assert told(demo["compliance"], customers["by_code"]) == 1
    assert told(demo["compliance"], customers["by_name"]) == 1
    assert told(demo["manager2"], customers["by_code"]) == 0
    event = AuditEvent.objects.get(action="filing.watchlistentry.import")
    assert event.extra["customers_flagged"] == 2
    assert AuditEvent.objects.filter(
        action="customers.customer.watch_list_hit", object_id=str(customers["by_code"].pk)
    ).exists()

    again = watchlist.import_file("list.csv", listed)
    assert again.flagged == 0
    assert WatchListHit.objects.count() == 2
    assert told(demo["manager1"], customers["by_code"]) == 1
    assert told(demo["compliance"], customers["by_name"]) == 1

    # A customer becoming active later is found at the next import; a new entry naming an
    # already flagged customer is a hit of its own.
    prospect = customers["prospect"]
    change_status(
        change_status(prospect, "in_filing", "备案", demo["gm"]), "active", "通过", demo["gm"]
    )
    more = listed + f"别名,{customers['by_code'].credit_code},其他,法院,,\n".encode()
    assert watchlist.import_file("list.csv", more).flagged == 2
    assert WatchListHit.objects.filter(customer=customers["by_code"]).count() == 2
    assert told(demo["manager1"], prospect) == 1


@pytest.mark.django_db
def test_customer_list_and_api_filter_the_flagged(
    demo: dict[str, User],
    customers: dict[str, Customer],
    listed: bytes,
    client_for: Callable[[str], Client],
) -> None:
    watchlist.import_file("list.csv", listed)
    page = client_for("head_sale").get("/customers/", {"watch_list": "open"})
    assert page.status_code == 200
    text = page.content.decode()
    assert customers["by_code"].name in text and customers["by_name"].name in text
    assert customers["clean"].name not in text

    token = create_token(demo["head_sale"], "t")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    listed_ids = {
        row["id"] for row in api.get("/api/v1/customers/?watch_list=open").json()["results"]
    }
    assert listed_ids == {customers["by_code"].pk, customers["by_name"].pk}
    hits = api.get(f"/api/v1/customers/{customers['by_code'].pk}/watch-list-hits/").json()
    assert [h["list_kind"] for h in hits] == ["abnormal"]


@pytest.mark.django_db
def test_card_shows_the_hit_and_compliance_clears_it_with_a_reason(
    demo: dict[str, User],
    customers: dict[str, Customer],
    listed: bytes,
    client_for: Callable[[str], Client],
) -> None:
    watchlist.import_file("list.csv", listed)
    customer = customers["by_name"]
    hit = WatchListHit.objects.get(customer=customer)
    card = client_for("manager2").get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="watch-list-hits"' in card and f'data-hit="{hit.pk}"' in card
    assert "clear-hit" not in card  # the account manager does not clear
    assert (
        client_for("manager2")
        .post(f"/watch-list/hits/{hit.pk}/clear/", {"reason": "x"})
        .status_code
        == 403
    )

    compliance = client_for("compliance")
    assert "clear-hit" in compliance.get(f"/customers/{customer.pk}/").content.decode()
    refused = compliance.post(f"/watch-list/hits/{hit.pk}/clear/", {"reason": ""})
    assert refused.status_code == 400 and refused.context["form"].errors["reason"]
    hit.refresh_from_db()
    assert hit.is_open

    done = compliance.post(
        f"/watch-list/hits/{hit.pk}/clear/", {"reason": "同名不同主体，信用代码不符"}
    )
    assert done.status_code == 302
    hit.refresh_from_db()
    assert not hit.is_open and hit.cleared_by == demo["compliance"]
    assert hit.clear_reason == "同名不同主体，信用代码不符"
    event = AuditEvent.objects.get(action="customers.customer.watch_list_clear")
    assert event.object_id == str(customer.pk) and event.extra["reason"] == hit.clear_reason
    assert (
        'id="watch-list-hits"'
        not in client_for("manager2").get(f"/customers/{customer.pk}/").content.decode()
    )
    page = client_for("head_sale").get("/customers/", {"watch_list": "open"}).content.decode()
    assert customer.name not in page
    ever = client_for("head_sale").get("/customers/", {"watch_list": "any"}).content.decode()
    assert customer.name in ever

    # The home page tells compliance how many flagged customers remain.
    home = compliance.get("/").content.decode()
    assert "/customers/?watch_list=open" in home

    # Importing the same list again does not flag the cleared match anew.
    assert watchlist.import_file("list.csv", listed).flagged == 0
    with pytest.raises(ValidationError):
        monitoring.clear_hit(hit, demo["compliance"], "再次")


@pytest.mark.django_db
def test_clear_through_the_api(
    demo: dict[str, User], customers: dict[str, Customer], listed: bytes
) -> None:
    watchlist.import_file("list.csv", listed)
    hit = WatchListHit.objects.get(customer=customers["by_code"])

    def api(user: User) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user, 't')[1]}")

    url = f"/api/v1/watch-list-hits/{hit.pk}/clear/"
    assert (
        api(demo["manager1"])
        .post(url, {"reason": "同名"}, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        api(demo["compliance"])
        .post(url, {"reason": ""}, content_type="application/json")
        .status_code
        == 400
    )
    cleared = api(demo["compliance"]).post(url, {"reason": "同名"}, content_type="application/json")
    assert cleared.status_code == 200
    assert cleared.json()["cleared_by"] == "compliance"
