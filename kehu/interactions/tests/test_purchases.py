"""Purchases: the amount checked against quantity × price, the CSV import (all lines or
none, each line once), and the card's short profile."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.interactions import purchases
from kehu.interactions.models import Purchase

pytestmark = pytest.mark.django_db
HEADER = "客户编号,日期,产品或服务,数量,单价,金额,订单号\n"


def test_amount_must_match(make_customer: Callable[..., Customer], demo: dict[str, User]) -> None:
    customer = make_customer("manager1")
    base = {
        "customer": customer,
        "submitted_by": demo["manager1"],
        "purchased_on": datetime.date(2026, 11, 2),
        "product": "彩盒",
        "quantity": Decimal("100"),
        "unit_price": Decimal("2.50"),
    }
    made = purchases.purchase_create(base)
    assert made.amount == Decimal("250.00")
    with pytest.raises(ValidationError) as refused:
        purchases.purchase_create(base | {"amount": Decimal("300")})
    assert "amount" in refused.value.message_dict


def test_import_all_or_nothing_and_once(
    make_customer: Callable[..., Customer], demo: dict[str, User]
) -> None:
    mine = make_customer("manager1")
    theirs = make_customer("manager4")
    good = f"{mine.pk},2026-11-02,彩盒,100,2.5,250,PO-1\n{mine.pk},2026-11-03,说明书,50,1,,PO-1\n"
    bad = good + f"{theirs.pk},2026-11-04,彩盒,1,1,1,PO-2\n{mine.pk},11/05,彩盒,x,1,1,PO-3\n"
    with pytest.raises(ValidationError) as refused:
        purchases.purchases_import((HEADER + bad).encode(), by=demo["manager1"])
    problems = refused.value.message_dict["file"]
    assert any("Line 4" in p for p in problems) and any("Line 5" in p for p in problems)
    assert not Purchase.objects.exists()
    result = purchases.purchases_import(("\ufeff" + HEADER + good).encode(), by=demo["manager1"])
    assert (result.created, result.skipped) == (2, 0)
    again = purchases.purchases_import((HEADER + good).encode(), by=demo["manager1"])
    assert (again.created, again.skipped) == (0, 2)
    profile = purchases.profile(mine)
    assert profile["favourites"][0] == "彩盒" and profile["amount_12m"] == Decimal("300.00")


def test_import_page_and_card_profile(
    make_customer: Callable[..., Customer], client_for: Callable[..., Any]
) -> None:
    mine = make_customer("manager1")
    page = client_for("manager1")
    upload = SimpleUploadedFile(
        "p.csv", (HEADER + f"{mine.pk},2026-11-02,彩盒,10,2,20,PO-9\n").encode(), "text/csv"
    )
    response = page.post(reverse("interactions:purchase_import"), {"file": upload})
    assert response.status_code == 302
    card = page.get(reverse("generic:customers_detail", args=[mine.pk])).content.decode()
    assert 'id="customer-profile"' in card and "彩盒" in card


def test_profile_says_how_often_and_the_trend(make_customer: Callable[..., Customer]) -> None:
    customer = make_customer("manager1")
    today = timezone.localdate()
    assert purchases.profile(customer)["trend"] is None  # nothing to compare with
    for days, amount in ((400, "200"), (30, "120"), (10, "180")):
        Purchase.objects.create(
            customer=customer, purchased_on=today - datetime.timedelta(days=days),
            product="彩盒", quantity=1, unit_price=amount, amount=amount,
        )  # fmt: skip
    profile = purchases.profile(customer)
    # Hand-computed: 300 in the last twelve months against 200 before: +50.0 %; 2 a year.
    assert profile["amount_12m"] == Decimal("300") and profile["trend"] == Decimal("50.0")
    assert profile["per_month"] == Decimal("0.2")
