"""Time-limited access grants: the policy honours them until they end by themselves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.core import policy
from kehu.core.grants import grant_access, revoke_access
from kehu.core.models import User
from kehu.customers.models import Customer, CustomerKind
from kehu.customers.services import create_customer


@pytest.fixture
def customer(demo: dict[str, User]) -> Customer:
    manager = demo["manager1"]
    return create_customer(
        {
            "kind": CustomerKind.ORGANIZATION,
            "name": "成都授权测试有限公司",
            "owner": manager,
            "unit": manager.unit,
        }
    )


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no per-request caches


@pytest.mark.django_db
def test_grant_opens_one_customer_until_it_ends(
    demo: dict[str, User], customer: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    outsider = demo["manager4"]  # another subsidiary's account manager
    assert not policy.has_perm(fresh(outsider), "customers.customer.view", customer)
    now = timezone.now()
    grant_access(
        user=outsider,
        obj=customer,
        until=now + dt.timedelta(hours=2),
        by=demo["head_sale"],
        reason="协助核对资料",
    )
    user = fresh(outsider)
    assert policy.has_perm(user, "customers.customer.view", customer)
    assert not policy.has_perm(user, "customers.customer.change", customer)
    visible = policy.scope(fresh(outsider), Customer.objects.all())
    assert customer in visible
    # The contacts of the customer are covered by the grant on the customer.
    assert policy.has_perm(fresh(outsider), "customers.contact.view")
    # Three hours later the grant has ended by itself.
    later = now + dt.timedelta(hours=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert not policy.has_perm(fresh(outsider), "customers.customer.view", customer)
    assert customer not in policy.scope(fresh(outsider), Customer.objects.all())
    assert AuditEvent.objects.filter(action="core.accessgrant.grant").count() == 1


@pytest.mark.django_db
def test_revoked_grant_stops_at_once_and_bad_grants_are_refused(
    demo: dict[str, User], customer: Customer
) -> None:
    outsider = demo["manager4"]
    grant = grant_access(
        user=outsider,
        obj=customer,
        until=timezone.now() + dt.timedelta(days=1),
        by=demo["gm"],
        reason="审计抽查",
    )
    revoke_access(grant, by=demo["gm"], reason="已完成")
    assert not policy.has_perm(fresh(outsider), "customers.customer.view", customer)
    with pytest.raises(ValidationError) as error:
        grant_access(
            user=outsider,
            obj=customer,
            until=timezone.now() - dt.timedelta(hours=1),
            by=demo["gm"],
            reason="",
        )
    assert set(error.value.message_dict) == {"until", "reason"}
