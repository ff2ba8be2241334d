"""Who may assign which role (SEC-1), tried as the administrator would: giving itself the
auditor role to read and reveal every customer. Nobody assigns roles to themselves; an
administrator assigns roles only in the units it administers (a group-wide role only from
the group); and the administrator's role is never combined with one that reads customers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kehu.core import policy, services
from kehu.core.models import OrgUnit, Role, RoleAssignment, User
from kehu.customers import services as customers
from kehu.customers.tests.factories import org_data

pytestmark = pytest.mark.django_db


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def assign(client: Client, target: User, role: str, code: str) -> list[str]:
    response = client.post(
        reverse("core:grant_role", args=[target.pk]), {"role": role, "unit": unit(code).pk}
    )
    assert response.status_code == 302
    return [str(m) for m in response.wsgi_request._messages]  # type: ignore[attr-defined]


def test_the_administrator_cannot_make_itself_the_auditor(
    client_for: Callable[[str], Client],
    demo: dict[str, User],
) -> None:
    customers.create_customer(org_data(demo["manager1"]))
    admin = demo["admin"]
    shown = assign(client_for("admin"), admin, Role.AUDITOR, "GRP")
    assert any("自己" in m or "themselves" in m for m in shown), shown
    assert not RoleAssignment.objects.filter(user=admin, role=Role.AUDITOR).exists()
    fresh = User.objects.get(pk=admin.pk)
    assert not policy.has_perm(fresh, "customers.customer.view")
    assert client_for("admin").get("/customers/").status_code == 403
    with pytest.raises(ValidationError):
        services.grant_role(admin, Role.DEPARTMENT_HEAD, unit("SALE"), by=admin)


def test_administrators_do_not_hand_each_other_customer_roles(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    colleague = User.objects.create_user(username="admin2", password="x", unit=unit("GRP"))
    services.grant_role(colleague, Role.SYSTEM_ADMIN, unit("GRP"))
    assign(client_for("admin"), colleague, Role.AUDITOR, "GRP")
    assert not RoleAssignment.objects.filter(user=colleague, role=Role.AUDITOR).exists()
    # Nor the other way round: a reader of customers is not made an administrator.
    assign(client_for("admin"), demo["auditor"], Role.SYSTEM_ADMIN, "GRP")
    assert not RoleAssignment.objects.filter(user=demo["auditor"], role=Role.SYSTEM_ADMIN).exists()
    # Ordinary assignments still work.
    assign(client_for("admin"), demo["finance"], Role.DEPARTMENT_HEAD, "MKT")
    assert RoleAssignment.objects.filter(user=demo["finance"], role=Role.DEPARTMENT_HEAD).exists()


def test_a_subsidiary_administrator_assigns_roles_only_below_itself(
    demo: dict[str, User],
) -> None:
    local_admin = User.objects.create_user(username="bj_admin", password="x", unit=unit("BJ"))
    services.grant_role(local_admin, Role.SYSTEM_ADMIN, unit("BJ"))
    fresh = User.objects.get(pk=local_admin.pk)
    with pytest.raises(ValidationError):
        services.grant_role(demo["finance"], Role.AUDITOR, unit("GRP"), by=fresh)
    with pytest.raises(ValidationError):
        services.grant_role(demo["finance"], Role.DEPARTMENT_HEAD, unit("SH-SALE"), by=fresh)
    services.grant_role(demo["finance"], Role.DEPARTMENT_HEAD, unit("SALE"), by=fresh)
    assert RoleAssignment.objects.filter(user=demo["finance"], unit=unit("SALE")).exists()
