"""The customer list and API stop counting at the record type's count_limit and say so."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client

from kehu.audit.context import SYSTEM, acting_as
from kehu.core.models import User
from kehu.customers import demo as customer_demo
from kehu.customers import services
from kehu.customers.models import Customer
from kehu.customers.search import pinyin_of
from kehu.customers.tests.factories import person_data, queries_of
from kehu.generic import listing, registry
from kehu.generic.listing import _encode, count_rows

pytestmark = pytest.mark.django_db


def add_customers(owner: User, count: int, seed: int) -> None:
    """`count` demo customers (without contacts) owned by `owner`, in their department."""
    with acting_as(SYSTEM):
        for data in customer_demo.generate(count, seed=seed):
            for key in ("dept", "account", "status", "contacts"):
                data.pop(key, None)
            services.create_customer({**data, "owner": owner, "unit": owner.unit})


@pytest.fixture
def six_customers(demo: dict[str, User]) -> None:
    add_customers(demo["manager1"], 6, seed=3)


def test_count_rows_stops_at_the_limit(demo: dict[str, User]) -> None:
    users = User.objects.all()
    total = users.count()
    assert count_rows(users) == (total, False)
    assert count_rows(users, total) == (total, False)
    assert count_rows(users, total - 1) == (total - 1, True)


def test_list_and_api_say_there_are_more(
    six_customers: None,
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = client_for("manager1")
    response = client.get("/customers/")
    assert response.context["page"].total == 6
    assert not response.context["page"].total_capped
    assert "count_capped" not in client.get("/api/v1/customers/").json()

    customers = registry.get("customers")
    monkeypatch.setattr(customers.listing, "count_limit", 4)
    # A first page that holds every row is its own count, whatever the limit.
    response = client.get("/customers/")
    page = response.context["page"]
    assert (page.total, page.total_capped, len(page.rows)) == (6, False, 6)
    body = client.get("/api/v1/customers/").json()
    assert (body["count"], "count_capped" in body, len(body["results"])) == (6, False, 6)
    # Pages that do not hold every row count up to the limit and say there are more.
    monkeypatch.setattr(listing, "PAGE_SIZES", (2, *listing.PAGE_SIZES))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the assertion reads English
    response = client.get(
        "/customers/", {"sort": "name_pinyin", "size": "2", "after": _encode(["", 0])}
    )
    page = response.context["page"]
    assert (page.total, page.total_capped, len(page.rows)) == (4, True, 2)
    row_count = response.content.decode().split('id="row-count">')[1].split("<")[0]
    assert "4+" in row_count
    api = api_for("manager1")
    body = api.get("/api/v1/customers/?size=2").json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (4, True, 2)
    following = api.get(body["next"]).json()
    assert (following["count"], following["count_capped"]) == (4, True)
    # A page larger than the limit counts its size: never "4+" above five rows.
    body = api.get("/api/v1/customers/?size=5").json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (5, True, 5)
    response = client.get("/customers/", {"sort": "name_pinyin", "after": _encode(["", 0])})
    page = response.context["page"]
    assert (page.total, page.total_capped, len(page.rows)) == (6, False, 6)
    # A search stops counting at search_count_limit.
    monkeypatch.setattr(customers.listing, "count_limit", 100)
    monkeypatch.setattr(customers.listing, "search_count_limit", 3)
    everything = api.get("/api/v1/customers/?size=2").json()
    assert (everything["count"], "count_capped" in everything) == (6, False)
    names = [c.name for c in Customer.objects.all()]
    letter = next(ch for ch in "aeiuon" if all(ch in pinyin_of(n)[0] for n in names))
    body = api.get(f"/api/v1/customers/?size=2&q={letter}").json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (3, True, 2)


def test_list_pages_ask_no_query_per_row(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    """The list reads only its columns' fields (`LIST_FIELDS`): a column needing another
    field would load it row by row. Pages, a search and the export of 3 and of 10
    customers, organisations and individuals, ask the same number of queries (a page showing
    individuals records one read event, whatever their number)."""
    owner = demo["manager1"]
    manager, auditor = client_for("manager1"), client_for("auditor")  # auditors export
    pages = [
        (manager, "/customers/"),
        (manager, "/customers/?sort=-updated_at"),
        (manager, "/customers/?q=有限"),
        (auditor, "/customers/export.xlsx"),
    ]

    def queries() -> list[int]:
        return [queries_of(client, url) for client, url in pages]

    add_customers(owner, 2, seed=11)
    services.create_customer(person_data(owner))
    few = queries()
    add_customers(owner, 7, seed=12)
    kinds = set(Customer.objects.filter(owner=owner).values_list("kind", flat=True))
    assert kinds == {"organization", "individual"}
    assert queries() == few


def test_department_counts_by_city_and_owner_have_their_indexes() -> None:
    """Migration 0006: PostgreSQL counts a department's customers of one city or manager
    along (unit, status, city | owner); SQLite is better off without (it would sort).
    Migration 0007: SQLite counts an account manager's along (owner, status, unit)."""
    from django.db import connection

    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "customers_customer")
    columns = {name: info["columns"] for name, info in indexes.items() if info["index"]}
    if connection.vendor == "postgresql":
        # Introspection lists the included id after the key columns.
        assert columns["customer_unit_city"] == ["unit_id", "status", "city", "id"]
        assert columns["customer_unit_owner"] == ["unit_id", "status", "owner_id", "id"]
        assert "customer_owner_unit" not in columns
    else:
        assert not {"customer_unit_city", "customer_unit_owner"} & set(columns)
        assert columns["customer_owner_unit"] == ["owner_id", "status", "unit_id"]
