"""The security policy's second-factor roles and the unread notifications, read once per
request in one statement: still fresh on every request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehu.core.grants import grant_access
from kehu.core.models import AccessGrant, Notification, Role, SecurityPolicy, User
from kehu.customers.models import Customer
from kehu.customers.services import create_customer
from kehu.customers.tests.factories import org_data


def reads_of(queries: CaptureQueriesContext, table: str) -> list[str]:
    return [q["sql"] for q in queries if table in q["sql"]]


def granted_to_manager4(demo: dict[str, User]) -> tuple[Customer, AccessGrant]:
    """A customer of manager1's that manager4 (another subsidiary) may see by a grant only."""
    customer = create_customer(org_data(demo["manager1"]))
    grant = grant_access(
        user=demo["manager4"],
        obj=customer,
        until=timezone.now() + dt.timedelta(hours=2),
        by=demo["head_sale"],
        reason="核对",
    )
    return customer, grant


@pytest.mark.django_db
def test_a_page_reads_policy_and_unread_count_in_one_statement(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    SecurityPolicy.current()  # saved, as after the first request
    manager = demo["manager1"]
    for title in ("复核提醒", "补充材料"):
        Notification.objects.create(user=manager, title=title)
    Notification.objects.create(user=manager, title="已读", read_at=timezone.now())
    Notification.objects.create(user=demo["manager2"], title="别人的")
    client = client_for("manager1")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert response.context["unread_notifications"] == 2
    assert 'id="unread-count">2<' in response.content.decode()
    policy_reads = reads_of(queries, "core_securitypolicy")
    assert len(policy_reads) == 1
    assert reads_of(queries, "core_notification") == policy_reads
    # Marked read (POST, then the redirect's page): the next request counts again.
    client.post("/notifications/")
    assert client.get("/").context["unread_notifications"] == 0


@pytest.mark.django_db
def test_a_role_newly_required_to_pass_a_second_factor_is_asked_at_once(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    client = client_for("manager1")
    assert client.get("/").status_code == 200
    policy = SecurityPolicy.current()
    policy.totp_required_roles = [Role.ACCOUNT_MANAGER]
    policy.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/second-factor/")
    # Another role's user is not asked.
    assert client_for("head_sale").get("/").status_code == 200


@pytest.mark.django_db
def test_without_a_saved_policy_the_default_one_is_created(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    SecurityPolicy.objects.all().delete()
    assert client_for("manager1").get("/").status_code == 200
    expected = list(settings.KEHU_TOTP_REQUIRED_ROLES)
    assert SecurityPolicy.objects.get(pk=1).totp_required_roles == expected


@pytest.mark.django_db
def test_the_users_roles_and_grants_come_with_the_facts(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    """The same statement reads the user's role assignments and running access grants for
    the policy: no query of their own, and a grant counts only while it runs."""
    customer, grant = granted_to_manager4(demo)
    url = f"/customers/{customer.pk}/"
    client = client_for("manager4")  # another subsidiary: sees the customer by the grant only
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    facts = [q["sql"] for q in queries if "UNION ALL" in q["sql"]]
    assert len(facts) == 1 and "core_roleassignment" in facts[0]
    assert not reads_of(queries, 'FROM "core_roleassignment"')
    assert not reads_of(queries, '"core_accessgrant"."object_type" AS "object_type"')
    assert "客户经理" in response.content.decode()  # the role, in the user menu
    AccessGrant.objects.filter(pk=grant.pk).update(until=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(url).status_code == 404
    AccessGrant.objects.filter(pk=grant.pk).update(
        until=timezone.now() + dt.timedelta(hours=1), revoked_at=timezone.now()
    )
    assert client.get(url).status_code == 404
    # The department head sees it by role.
    assert client_for("head_sale").get(url).status_code == 200


@pytest.mark.django_db
def test_an_api_request_reads_roles_and_grants_with_the_facts(
    demo: dict[str, User], api_for: Callable[[str], Client]
) -> None:
    """A token's user gets the same facts statement as a page: the policy asks no query of its
    own for roles and grants, and a grant counts only while it runs."""
    customer, grant = granted_to_manager4(demo)
    api = api_for("manager4")
    url = f"/api/v1/customers/{customer.pk}/"
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200 and response.json()["name"] == customer.name
    facts = [q["sql"] for q in queries if "UNION ALL" in q["sql"]]
    assert len(facts) == 1 and "core_accessgrant" in facts[0]
    assert not reads_of(queries, '"core_roleassignment"."role" AS "role"')
    assert not reads_of(queries, '"core_accessgrant"."object_type" AS "object_type"')
    listed = api.get("/api/v1/customers/").json()
    assert [row["id"] for row in listed["results"]] == [customer.pk]
    AccessGrant.objects.filter(pk=grant.pk).update(revoked_at=timezone.now())
    assert api.get(url).status_code == 404
    assert api.get("/api/v1/customers/").json()["results"] == []
    assert api_for("head_sale").get(url).status_code == 200  # by role
