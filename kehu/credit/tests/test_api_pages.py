"""The credit check API, the receivables API, and the pages: register, a customer's credit
file with the override form, the card's panel and the customer list's hold flag."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kehu.core.models import User
from kehu.credit import services
from kehu.credit.models import CreditAccount, HoldOverride, LimitKind, Receivable
from kehu.customers.models import Customer

FUTURE = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def held_customer(make_customer: Callable[..., Customer], credit: User) -> Customer:
    customer = make_customer()
    services.limit_grant(customer, kind=LimitKind.NEW, limit_amount=Decimal("1000"), by=credit)
    from kehu.credit import receivables

    receivables.invoices_upsert(
        [(1, {"customer": str(customer.pk), "number": f"H-{customer.pk}", "date": "2026-01-01",
              "due_date": FUTURE, "amount": "5000"})],
        source="t",
    )  # fmt: skip
    return customer


@pytest.mark.django_db
def test_credit_check_api(
    demo: dict[str, User], api_for: Callable[[str], Client], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    services.limit_grant(
        customer, kind=LimitKind.NEW, limit_amount=Decimal("500000"), by=demo["credit"]
    )
    manager = api_for("manager1")
    answer = post(manager, "/api/v1/credit/check", {"customer": customer.pk, "amount": "12.5万"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["allowed"] and body["status"] == "allowed" and body["available"] == "500000.00"

    too_much = post(manager, "/api/v1/credit/check", {"customer": customer.pk, "amount": "600000"})
    assert too_much.json()["status"] == "held"
    assert too_much.json()["reasons"][0]["code"] == "amount"

    for amount in ("-5", "0", "abc", "99999999999"):
        refused = post(manager, "/api/v1/credit/check", {"customer": customer.pk, "amount": amount})
        assert refused.status_code == 400 and "amount" in refused.json()
    # Another department's account manager does not see the customer at all.
    assert post(api_for("manager4"), "/api/v1/credit/check",
                {"customer": customer.pk, "amount": "1"}).status_code == 404  # fmt: skip
    # An archivist holds no credit permission.
    assert post(api_for("archivist"), "/api/v1/credit/check",
                {"customer": customer.pk, "amount": "1"}).status_code == 403  # fmt: skip

    held = held_customer(make_customer, demo["credit"])
    body = post(manager, "/api/v1/credit/check", {"customer": held.pk, "amount": "1"}).json()
    assert not body["allowed"] and [r["code"] for r in body["reasons"]] == ["over_limit"]
    account = api_for("manager1").get(f"/api/v1/credit/accounts/{held.pk}/").json()
    assert account["held"] and account["exposure"] == "5000.00"
    assert account["ageing"]["current"] == "5000.00"


@pytest.mark.django_db
def test_receivables_api_upserts_by_number(
    demo: dict[str, User], api_for: Callable[[str], Client], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    item = {"customer": str(customer.pk), "invoice_number": "API-1", "invoice_date": "2026-05-01",
            "due_date": FUTURE, "amount": "1000.00", "paid": "0"}  # fmt: skip
    finance = api_for("finance")
    first = post(finance, "/api/v1/credit/receivables/", {"items": [item]})
    assert first.status_code == 200 and first.json() == {"new": 1, "updated": 0, "unchanged": 0}
    again = post(finance, "/api/v1/credit/receivables/", {"items": [item]})
    assert again.json() == {"new": 0, "updated": 0, "unchanged": 1}
    paid = post(finance, "/api/v1/credit/receivables/", {"items": [{**item, "paid": "400"}]})
    assert paid.json()["updated"] == 1
    assert Receivable.objects.get(invoice_number="API-1").open_amount == Decimal("600.00")
    bad = post(finance, "/api/v1/credit/receivables/", {"items": [{**item, "amount": "-1"}]})
    assert bad.status_code == 400 and bad.json()["items"][0]["errors"]["amount"]
    assert post(api_for("manager1"), "/api/v1/credit/receivables/",
                {"items": [item]}).status_code == 403  # fmt: skip
    orders = post(finance, "/api/v1/credit/orders/", {"items": [
        {"customer": str(customer.pk), "order_number": "SO-API", "order_date": "2026-05-01",
         "amount": "300"}]})  # fmt: skip
    assert orders.status_code == 200 and orders.json()["new"] == 1
    assert CreditAccount.objects.get(customer=customer).exposure == Decimal("900.00")


@pytest.mark.django_db
def test_pages_show_the_hold_and_take_an_override(
    demo: dict[str, User],
    client_for: Callable[..., Client],
    make_customer: Callable[..., Customer],
) -> None:
    held = held_customer(make_customer, demo["credit"])
    manager = client_for("manager1")
    card = manager.get(f"/customers/{held.pk}/")
    assert card.status_code == 200
    text = card.content.decode()
    assert 'id="customer-credit-hold"' in text and 'id="credit-panel"' in text
    listing = manager.get("/customers/", {"q": held.name}).content.decode()
    assert "data-flag" in listing and "信用冻结" in listing

    page = manager.get(f"/credit/customers/{held.pk}/")
    assert page.status_code == 200 and b'id="credit-hold"' in page.content
    assert b"override-form" not in page.content  # account managers cannot override
    assert manager.post(f"/credit/customers/{held.pk}/override/", {}).status_code == 403

    credit = client_for("credit")
    register = credit.get("/credit/", {"held": "1"})
    assert register.status_code == 200 and f'data-customer="{held.pk}"'.encode() in register.content
    export = credit.get("/credit/register.xlsx", {"held": "1"})
    assert export.status_code == 200 and export.content[:2] == b"PK"

    refused = credit.post(f"/credit/customers/{held.pk}/override/", {"reason": "", "until": ""})
    assert refused.status_code == 400 and not HoldOverride.objects.exists()
    text = refused.content.decode()
    assert "请填写豁免原因。" in text and "请填写豁免截止日期。" in text
    until = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    done = credit.post(
        f"/credit/customers/{held.pk}/override/", {"reason": "回款承诺", "until": until}
    )
    assert done.status_code == 302 and HoldOverride.objects.count() == 1
    override = HoldOverride.objects.get()
    assert credit.post(f"/credit/overrides/{override.pk}/end/").status_code == 302
    override.refresh_from_db()
    assert override.ended_at is not None


@pytest.mark.django_db
def test_import_page(demo: dict[str, User], client_for: Callable[..., Client],
                     make_customer: Callable[..., Customer]) -> None:  # fmt: skip
    from django.core.files.uploadedfile import SimpleUploadedFile

    customer = make_customer()
    content = f"客户编号,发票号,开票日期,到期日,金额\n{customer.pk},P-1,2026-05-01,{FUTURE},100\n"
    finance = client_for("finance")
    upload = SimpleUploadedFile("ar.csv", content.encode(), content_type="text/csv")
    done = finance.post("/credit/import/", {"kind": "invoices", "file": upload})
    assert done.status_code == 302 and Receivable.objects.filter(invoice_number="P-1").exists()
    bad = SimpleUploadedFile("ar.csv", content.replace("100", "-100").encode())
    answer = finance.post("/credit/import/", {"kind": "invoices", "file": bad})
    assert answer.status_code == 400 and b"row-error" in answer.content
    assert client_for("manager1").get("/credit/import/").status_code == 403


@pytest.mark.django_db
def test_customer_api_shows_the_hold_flag(
    demo: dict[str, User], api_for: Callable[[str], Client], make_customer: Callable[..., Customer]
) -> None:
    held = held_customer(make_customer, demo["credit"])
    clear = make_customer()
    manager = api_for("manager1")
    listed = manager.get("/api/v1/customers/", {"q": held.name}).json()["results"]
    flags = {row["id"]: row["flags"] for row in listed}
    assert flags[held.pk] == ["credit_hold"]
    assert manager.get(f"/api/v1/customers/{clear.pk}/").json()["flags"] == []
    detail = manager.get(f"/api/v1/customers/{held.pk}/").json()
    assert detail["flags"] == ["credit_hold"]
    # Read-only: a client cannot lift the hold through the customer.
    lifted = manager.patch(
        f"/api/v1/customers/{held.pk}/",
        {"flags": [], "version": detail["version"]},
        content_type="application/json",
    )
    assert lifted.status_code == 200 and lifted.json()["flags"] == ["credit_hold"]
    assert CreditAccount.objects.get(customer=held).held
    # Only what the flag says: no limits, exposure or investigation fields.
    assert not {"held", "hold_reasons", "limit_amount", "rating"} & set(detail)
    # Another department's account manager does not see the customer or its flag.
    assert api_for("manager4").get(f"/api/v1/customers/{held.pk}/").status_code == 404
    other = api_for("manager4").get("/api/v1/customers/", {"q": held.name}).json()["results"]
    assert all(row["id"] != held.pk for row in other)
