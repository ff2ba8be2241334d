"""Prepared statements on PostgreSQL (kehu/infra/prepared.py): the reads by key a page repeats
are prepared once per connection; lists, counts and searches never are (a generic plan
would ignore how selective their filters are)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client

from kehu.core.models import User
from kehu.core.tests.cluster_keys import TEST_KEYS
from kehu.customers.models import Customer
from kehu.customers.services import create_customer
from kehu.customers.tests.factories import org_data
from kehu.infra.prepared import prepared_statements

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def prepared() -> list[str]:
    """The statements this connection has prepared (PostgreSQL's own view of them)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@on_postgres
@pytest.mark.django_db
def test_only_statements_inside_the_block_are_prepared(demo: dict[str, User]) -> None:
    manager = demo["manager1"]
    before = prepared()
    assert User.objects.filter(username="manager2").exists()
    assert prepared() == before
    with prepared_statements():
        assert User.objects.get(pk=manager.pk).username == "manager1"
        # Values of every kind go as server-side parameters.
        assert User.objects.filter(username="manager1", is_active=True).count() == 1
    new = [s for s in prepared() if s not in before]
    assert len(new) == 2
    assert all("$1" in s and "core_user" in s for s in new)
    with prepared_statements():  # the same statement again: no new one
        assert User.objects.get(pk=demo["manager2"].pk).username == "manager2"
    assert len(prepared()) == len(before) + 2


@on_postgres
@pytest.mark.django_db
def test_the_card_is_read_with_prepared_statements_the_list_without(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    customer = create_customer(org_data(demo["manager1"], name="北京预备语句科技有限公司"))
    client = client_for("head_sale")
    assert client.get("/customers/?q=预备语句").status_code == 200
    after_list = prepared()
    # The session, the user, and the request's facts with the roles are read by key on
    # every page ...
    assert any('FROM "django_session"' in s for s in after_list)
    assert any("UNION ALL" in s and "core_roleassignment" in s for s in after_list)
    # ... but the list's page and count stay unprepared.
    assert not any('FROM "customers_customer"' in s for s in after_list)
    response = client.get(f"/customers/{customer.pk}/")
    assert response.status_code == 200
    assert "北京预备语句科技有限公司" in response.content.decode()
    card = [s for s in prepared() if s not in after_list]
    assert any('FROM "customers_customer"' in s for s in card)
    assert any('FROM "customers_contact"' in s for s in card)
    # Another customer's card reuses the statements: nothing new is prepared.
    other = create_customer(org_data(demo["manager1"]))
    before_other = prepared()
    assert client.get(f"/customers/{other.pk}/").status_code == 200
    assert sorted(prepared()) == sorted(before_other)
    assert Customer.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_prepared_reads_give_the_same_rows(demo: dict[str, User]) -> None:
    """On either database the block changes no result (SQLite ignores it)."""
    customer = create_customer(org_data(demo["manager1"], phone="13912345678"))
    plain = Customer.objects.select_related("owner", "unit").get(pk=customer.pk)
    with prepared_statements():
        again = Customer.objects.select_related("owner", "unit").get(pk=customer.pk)
        by_name = list(Customer.objects.filter(name=customer.name).values_list("pk", flat=True))
    assert (again.name, again.phone, again.owner.username, again.unit.code) == (
        plain.name,
        "13912345678",
        "manager1",
        plain.unit.code,
    )
    assert again.created_at == plain.created_at
    assert by_name == [customer.pk]


@pytest.mark.parametrize(
    ("url", "setting", "engine"),
    [
        ("postgres://u@db:5432/kehu", None, "kehu.infra.postgresql"),
        ("postgres://u@db:5432/kehu", "0", "django.db.backends.postgresql"),
        ("sqlite:////tmp/kehu-x.sqlite3", None, "django.db.backends.sqlite3"),
    ],
)
def test_the_engine_follows_the_setting(url: str, setting: str | None, engine: str) -> None:
    env = {**os.environ, "KEHU_DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "kehu.settings"}
    env.update(TEST_KEYS)  # PostgreSQL is cluster mode: its keys must be given
    env.pop("KEHU_DB_PREPARED_STATEMENTS", None)
    if setting is not None:
        env["KEHU_DB_PREPARED_STATEMENTS"] = setting
    printed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from kehu import settings; print(settings.DATABASES['default']['ENGINE'])",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert printed == engine
