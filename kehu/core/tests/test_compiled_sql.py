"""Statements compiled once per connection (kehu.infra.compiled_sql): kept by the connection
object of one thread, never seen by another thread's, dropped on request."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client

from kehu.customers.services import create_customer
from kehu.customers.tests.factories import org_data
from kehu.infra.compiled_sql import compiled_statements, forget_compiled_statements


def test_one_connection_keeps_one_set_of_statements() -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    forget_compiled_statements(connection)
    statements = compiled_statements(connection)
    assert statements == {}
    statements["key"] = "SELECT 1"
    assert compiled_statements(connection) is statements
    forget_compiled_statements(connection)
    assert compiled_statements(connection) == {}


def test_another_threads_connection_does_not_see_them() -> None:
    compiled_statements(connections[DEFAULT_DB_ALIAS])["key"] = "SELECT 1"
    seen: list[dict[Hashable, Any]] = []

    def other_thread() -> None:
        other = connections[DEFAULT_DB_ALIAS]
        seen.append(dict(compiled_statements(other)))
        connections.close_all()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen == [{}]
    forget_compiled_statements(connections[DEFAULT_DB_ALIAS])


@pytest.mark.django_db
def test_an_api_page_compiles_its_related_reads_once(
    api_for: Callable[[str], Client], demo: dict[str, Any]
) -> None:
    for _ in range(2):
        create_customer(org_data(demo["manager1"]))
    client = api_for("manager1")
    connection = connections[DEFAULT_DB_ALIAS]
    forget_compiled_statements(connection)
    assert len(client.get("/api/v1/customers/?size=1").json()["results"]) == 1
    compiled = dict(compiled_statements(connection))
    assert len(compiled) == 2  # the contacts and the classification links
    body = client.get("/api/v1/customers/?size=2").json()
    assert len(body["results"]) == 2
    for key, entry in compiled.items():
        assert compiled_statements(connection)[key] is entry
