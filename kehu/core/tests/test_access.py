"""What a view asks the policy through kehu.core.access: objects out of the user's scope are
as absent as those that do not exist, and a declared permission refuses before the view runs."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory
from django.views import View

from kehu.core import access
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.customers.services import create_customer
from kehu.customers.tests.factories import org_data


def fresh(demo: dict[str, User], name: str) -> User:
    return User.objects.get(pk=demo[name].pk)  # no per-request caches


@pytest.fixture
def customer(demo: dict[str, User]) -> Customer:
    """manager1's customer in SALE: manager2 (same department) sees it but may not change it,
    manager4 (Shanghai) does not see it."""
    return create_customer(org_data(demo["manager1"]))


def _request(user: User, method: str = "get") -> HttpRequest:
    request = getattr(RequestFactory(), method)("/")
    request.user = user
    return request


# --- get_visible_or_404 -------------------------------------------------------------------


@pytest.mark.django_db
def test_an_object_in_scope_is_returned(demo: dict[str, User], customer: Customer) -> None:
    manager2 = fresh(demo, "manager2")
    assert access.get_visible_or_404(manager2, Customer, customer.pk) == customer
    rows = Customer.objects.select_related("unit")
    assert access.get_visible_or_404(manager2, rows, customer.pk) == customer


@pytest.mark.django_db
def test_out_of_scope_answers_like_a_missing_object(
    demo: dict[str, User], customer: Customer
) -> None:
    outsider = fresh(demo, "manager4")
    with pytest.raises(Http404) as hidden:
        access.get_visible_or_404(outsider, Customer, customer.pk)
    with pytest.raises(Http404) as missing:
        access.get_visible_or_404(outsider, Customer, customer.pk + 1000)
    assert str(hidden.value) == str(missing.value) == str(access.NOT_FOUND)


@pytest.mark.django_db
def test_the_action_decides_the_scope(demo: dict[str, User], customer: Customer) -> None:
    colleague = fresh(demo, "manager2")  # sees the department's customers, changes their own
    assert access.get_visible_or_404(colleague, Customer, customer.pk, "view") == customer
    with pytest.raises(Http404):
        access.get_visible_or_404(colleague, Customer, customer.pk, "change")
    owner = fresh(demo, "manager1")
    assert access.get_visible_or_404(owner, Customer, customer.pk, "change") == customer


@pytest.mark.django_db
def test_get_from_visible_rows(demo: dict[str, User], customer: Customer) -> None:
    """Rows a selector already limited by a rule of its own: no second scope, the same 404."""
    only_it = Customer.objects.filter(pk=customer.pk)
    assert access.get_from_visible_or_404(only_it, customer.pk) == customer
    with pytest.raises(Http404) as missing:
        access.get_from_visible_or_404(only_it.none(), customer.pk)
    assert str(missing.value) == str(access.NOT_FOUND)


# --- require / requires -------------------------------------------------------------------


@pytest.mark.django_db
def test_require_checks_the_object(demo: dict[str, User], customer: Customer) -> None:
    access.require(fresh(demo, "manager1"), "customers.customer.change", customer)
    with pytest.raises(PermissionDenied) as refused:
        access.require(fresh(demo, "manager2"), "customers.customer.change", customer)
    assert str(refused.value) == str(access.DENIED)


@pytest.mark.django_db
def test_requires_refuses_before_the_view_runs(demo: dict[str, User]) -> None:
    ran: list[str] = []

    @access.requires("documents.documenttype.change")
    def integrity(request: HttpRequest) -> HttpResponse:
        ran.append(request.user.get_username())
        return HttpResponse("ok")

    assert integrity.required_permission == "documents.documenttype.change"  # type: ignore[attr-defined]
    assert integrity.__name__ == "integrity"
    with pytest.raises(PermissionDenied) as refused:
        integrity(_request(fresh(demo, "manager1")))
    assert str(refused.value) == str(access.DENIED)
    assert ran == []
    assert integrity(_request(fresh(demo, "admin"))).status_code == 200
    assert ran == ["admin"]


@pytest.mark.django_db
def test_requires_through_the_url_answers_403(demo: dict[str, User], client_for: Any) -> None:
    """A declared page (the integrity report) refuses with 403 and admits the holder."""
    assert client_for("manager1").get("/documents/integrity/").status_code == 403
    assert client_for("admin").get("/documents/integrity/").status_code == 200


# --- PermissionRequiredMixin --------------------------------------------------------------


class _Report(access.PermissionRequiredMixin, View):
    required_permission = "documents.documenttype.change"
    ran: list[str] = []

    def get(self, request: HttpRequest) -> HttpResponse:
        self.ran.append(request.user.get_username())
        return HttpResponse("ok")


class _Open(access.PermissionRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")


@pytest.mark.django_db
def test_the_mixin_refuses_before_the_handler(demo: dict[str, User]) -> None:
    _Report.ran.clear()
    view = _Report.as_view()
    with pytest.raises(PermissionDenied) as refused:
        view(_request(fresh(demo, "manager1")))
    assert str(refused.value) == str(access.DENIED)
    assert _Report.ran == []
    assert view(_request(fresh(demo, "admin"))).status_code == 200
    assert _Report.ran == ["admin"]


@pytest.mark.django_db
def test_the_mixin_without_a_permission_lets_through(demo: dict[str, User]) -> None:
    assert _Open.as_view()(_request(fresh(demo, "manager1"))).status_code == 200
