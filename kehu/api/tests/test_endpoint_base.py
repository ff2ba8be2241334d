"""The one base of the API's views: every route under /api/v1/ is served by it, a declared
permission is checked for every method it names (HEAD as GET), and an object outside the
user's scope is one 404 with one message."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kehu.api.base import AuditedAPIView, Endpoint
from kehu.core.access import NOT_FOUND
from kehu.core.models import User
from kehu.customers import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

# Served by drf-spectacular and DRF's router, not by a Kehu endpoint.
MACHINERY = {"api:schema", "api:docs", "api:api-root"}


def _api_views() -> Iterator[tuple[str, type[Any]]]:
    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, Any]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and namespace == "api":
                name = f"api:{pattern.name}" if pattern.name else prefix + str(pattern.pattern)
                yield name, pattern.callback

    for name, callback in walk(get_resolver().url_patterns, "", ""):
        if name not in MACHINERY and not name.startswith("api:api-root"):
            yield name, getattr(callback, "cls", None) or callback


def test_every_api_route_is_served_by_the_base() -> None:
    views = dict(_api_views())
    assert len(views) > 40
    outside = [name for name, view in views.items() if not issubclass(view, AuditedAPIView)]
    assert outside == []
    hand_written = {
        name: view for name, view in views.items() if not hasattr(view, "get_extra_actions")
    }
    assert "api:tasks" in hand_written and "api/v1/loans/" in hand_written
    assert [name for name, view in hand_written.items() if not issubclass(view, Endpoint)] == []


def test_no_endpoint_is_defined_in_the_machinery() -> None:
    endpoints = {view for _name, view in _api_views() if issubclass(view, Endpoint)}
    token_endpoints = {view for view in endpoints if view.__module__ == "kehu.api.token_api"}
    assert {view.__module__.split(".")[1] for view in endpoints - token_endpoints} == {
        "archives", "customers", "documents", "filing", "interactions", "privacy", "workflow",
    }  # fmt: skip


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_declared_permission_is_checked_for_the_methods_it_names(
    client_for: Callable[..., Client], method: str
) -> None:
    # archives.transfer.view: the archivist holds it, an account manager does not.
    assert getattr(client_for("manager1"), method)("/api/v1/transfers/").status_code == 403
    assert getattr(client_for("archivist"), method)("/api/v1/transfers/").status_code == 200


def test_a_method_without_a_declared_permission_is_not_refused_by_it(
    client_for: Callable[..., Client],
) -> None:
    # Loans: anyone lists the loans they may see; requesting one needs archives.loan.add.
    auditor = client_for("auditor")
    assert auditor.get("/api/v1/loans/").status_code == 200
    assert auditor.post("/api/v1/loans/", {}, content_type="application/json").status_code == 403


def test_an_object_outside_the_scope_is_the_same_404_as_a_missing_one(
    client_for: Callable[..., Client], demo: dict[str, User]
) -> None:
    shanghai = demo["manager4"]
    data = {"kind": "organization", "name": "上海范围测试有限公司", "owner": shanghai}
    other_unit = services.create_customer({**data, "unit": shanghai.unit})
    manager = client_for("manager1")
    hidden = manager.get(f"/api/v1/customers/{other_unit.pk}/completeness/")
    missing = manager.get("/api/v1/customers/999999/completeness/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": str(NOT_FOUND)}
