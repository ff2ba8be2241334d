"""The API's customer list is represented by `FastListSerializer` (kehu.api.representation):
it must give exactly what CustomerSerializer gives for each customer."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehu.api.representation import FastListSerializer, list_plan
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.models import ClassificationDimension, ClassificationValue, Customer
from kehu.customers.serializers import CustomerSerializer
from kehu.generic import registry
from kehu.infra.compiled_sql import forget_compiled_statements

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]


def _varied(
    make_org: Callable[..., Customer], make_person: Callable[..., Customer]
) -> list[Customer]:
    rich = make_org(
        legal_rep_name="王建国",
        registered_capital="1.2亿",
        founded_on="2012年12月12日",
        email="info@example.cn",
    )
    services.create_contact({"customer": rich, "name": "王芳", "mobile": "13811112222"})
    services.create_contact(
        {"customer": rich, "name": "李强", "mobile": "13922223333", "influence": 60}
    )
    dimension = ClassificationDimension.objects.create(code="size", name="规模")
    value = ClassificationValue.objects.create(dimension=dimension, code="big", name="大")
    rich.classifications.add(value)
    bare = make_org()
    person = make_person()
    return [rich, bare, person]


def test_the_fast_list_equals_the_serializer(
    make_org: Callable[..., Customer], make_person: Callable[..., Customer]
) -> None:
    made = _varied(make_org, make_person)
    rows = list(registry.get("customers").api_base_queryset().filter(pk__in=[c.pk for c in made]))
    fast = CustomerSerializer(rows, many=True)
    assert isinstance(fast, FastListSerializer)
    # Planned from values(), masks (MaskedFieldsMixin) and the archive number included.
    assert list_plan(CustomerSerializer) is not None
    expected = [dict(CustomerSerializer(row).data) for row in rows]
    assert [dict(r) for r in fast.data] == expected
    # In the serializer's order, too (the JSON an API client reads).
    assert [list(r) for r in fast.data] == [list(row) for row in expected]
    rich = next(row for row in expected if row["id"] == made[0].pk)
    assert len(rich["contacts"]) == 2 and rich["classifications"]
    assert sorted(c["mobile"] for c in rich["contacts"]) == ["138****2222", "139****3333"]
    person = next(row for row in expected if row["id"] == made[2].pk)
    assert person["phone"] and "****" in person["phone"]
    assert person["id_number"] and "************" in person["id_number"]


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_the_fast_list_gives_times_in_the_current_time_zone(
    make_org: Callable[..., Customer], make_person: Callable[..., Customer], zone: str
) -> None:
    made = _varied(make_org, make_person)
    rows = list(registry.get("customers").api_base_queryset().filter(pk__in=[c.pk for c in made]))
    with timezone.override(ZoneInfo(zone)):
        fast = [dict(r) for r in CustomerSerializer(rows, many=True).data]
        expected = [dict(CustomerSerializer(row).data) for row in rows]
    assert fast == expected
    created = fast[0]["created_at"]
    assert created.endswith("Z") if zone == "UTC" else created.endswith(("-05:00", "-04:00"))


def test_api_list_rows_equal_the_detail(
    api_for: Callable[[str], Client],
    make_org: Callable[..., Customer],
    make_person: Callable[..., Customer],
    demo: dict[str, User],
) -> None:
    made = _varied(make_org, make_person)
    client = api_for("manager1")
    listed = client.get("/api/v1/customers/?size=200").json()["results"]
    by_id = {row["id"]: row for row in listed}
    for customer in made:
        detail = client.get(f"/api/v1/customers/{customer.pk}/").json()
        assert by_id[customer.pk] == detail


def test_a_serializer_without_its_own_representation_is_planned_from_values() -> None:
    from kehu.core.models import OrgUnit
    from kehu.core.serializers import OrgUnitSerializer

    class UnitList(FastListSerializer):
        pass

    class UnitSerializer(OrgUnitSerializer):
        class Meta(OrgUnitSerializer.Meta):
            list_serializer_class = UnitList

    rows = list(OrgUnit.objects.order_by("path"))
    assert len(rows) > 3
    assert list_plan(UnitSerializer) is not None
    fast = UnitSerializer(rows, many=True)
    assert isinstance(fast, UnitList)
    assert [dict(r) for r in fast.data] == [dict(UnitSerializer(row).data) for row in rows]


def test_a_pages_ids_are_one_parameter(
    api_for: Callable[[str], Client],
    make_org: Callable[..., Customer],
    make_person: Callable[..., Customer],
) -> None:
    """The rows, contacts and classifications of an API page are read by the page's ids sent
    as one parameter (kehu.infra.lookups.InIds), not an `IN` list of a placeholder each."""
    _varied(make_org, make_person)
    client = api_for("manager1")
    client.get("/api/v1/customers/")
    with CaptureQueriesContext(connection) as captured:
        assert len(client.get("/api/v1/customers/").json()["results"]) >= 3
    by_ids = [q["sql"] for q in captured if "json_each" in q["sql"] or "ANY(" in q["sql"]]
    assert len(by_ids) == 2  # contacts, classification links (the page has the customers)
    # The page's customers are read once, with every column the rows show.
    customer_reads = [q["sql"] for q in captured if 'FROM "customers_customer"' in q["sql"]]
    assert len(customer_reads) == 1 and '"legal_rep_name"' in customer_reads[0]
    assert not [q["sql"] for q in captured if re.search(r" IN \(\d+, \d+", q["sql"])]


def test_related_rows_are_read_afresh_for_each_page(
    api_for: Callable[[str], Client],
    make_org: Callable[..., Customer],
    make_person: Callable[..., Customer],
) -> None:
    """A page's contacts and classification links are read by SQL compiled once per
    connection (representation._by_ids): each page gets its own customers' rows, as they are
    now, whatever page compiled it."""
    made = _varied(make_org, make_person)
    client = api_for("manager1")

    def every_page(size: int) -> dict[int, dict[str, Any]]:
        rows, url = {}, f"/api/v1/customers/?size={size}"
        while url:
            body = client.get(url).json()
            rows.update({row["id"]: row for row in body["results"]})
            url = body["next"]
        return rows

    # Compiled by this test's first page (one customer), used by every other page.
    forget_compiled_statements(connections[DEFAULT_DB_ALIAS])
    before = every_page(size=1)
    bare = made[1]
    assert before[bare.pk]["contacts"] == [] and before[bare.pk]["classifications"] == []
    services.create_contact({"customer": bare, "name": "赵敏", "mobile": "13733334444"})
    value = ClassificationValue.objects.get(code="big")
    bare.classifications.add(value)
    for size in (1, 2, 200):
        rows = every_page(size)
        assert [c["name"] for c in rows[bare.pk]["contacts"]] == ["赵敏"]
        assert rows[bare.pk]["contacts"][0]["mobile"] == "137****4444"
        assert rows[bare.pk]["classifications"] == [value.pk]
        for customer in made:
            assert rows[customer.pk] == client.get(f"/api/v1/customers/{customer.pk}/").json()
