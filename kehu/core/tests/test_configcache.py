"""Settings cached per process are read once, and read again after a change in this process
or once their time is up (a change made by another process)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kehu.audit.context import SYSTEM, acting_as
from kehu.core import policy, services
from kehu.core.models import OrgUnit, SecurityPolicy, User
from kehu.customers.models import ClassificationDimension, ClassificationValue
from kehu.infra import configcache

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_names() -> configcache.ConfigCache[list[str]]:
    calls: list[int] = []

    @configcache.config_cache(OrgUnit, ttl=60)
    def load(kind: str) -> list[str]:
        calls.append(1)
        return sorted(OrgUnit.objects.filter(kind=kind).values_list("code", flat=True))

    load.calls = calls  # type: ignore[attr-defined]
    return load


def test_a_setting_is_read_once_per_key(
    demo: dict[str, User], unit_names: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        first = unit_names("department")
        assert unit_names("department") == first
    with django_assert_num_queries(1):
        unit_names("subsidiary")
    assert "SALE" in first and len(unit_names.calls) == 2


def test_a_change_in_this_process_is_seen_at_once(demo: dict[str, User], unit_names: Any) -> None:
    assert "NEW" not in unit_names("department")
    parent = OrgUnit.objects.get(code="SALE").parent
    OrgUnit.objects.create(code="NEW", name="新部门", kind="department", parent=parent)
    assert "NEW" in unit_names("department")
    OrgUnit.objects.filter(code="NEW").delete()
    assert "NEW" not in unit_names("department")


def test_a_change_elsewhere_is_seen_when_the_time_is_up(
    demo: dict[str, User], unit_names: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = unit_names("department")
    # Another process's change: no signal here.
    OrgUnit.objects.filter(code="SALE").update(kind="subsidiary")
    assert unit_names("department") == before
    now = configcache.time.monotonic()
    monkeypatch.setattr(configcache.time, "monotonic", lambda: now + 61)
    assert "SALE" not in unit_names("department")


def test_the_second_factor_policy_applies_on_the_next_request(demo: dict[str, User]) -> None:
    head = demo["head_sale"]
    assert not policy.requires_second_factor(head)
    with acting_as(SYSTEM):
        services.set_totp_required_roles(["department_head"])
    assert policy.requires_second_factor(head)


def test_the_second_factor_policy_is_never_stale(demo: dict[str, User]) -> None:
    """Another server process changes the policy (here: an update that sends no signal to
    this process): the next request here asks for the second factor all the same."""
    head = demo["head_sale"]
    assert not policy.requires_second_factor(head)
    SecurityPolicy.objects.update(totp_required_roles=["department_head"])
    assert policy.requires_second_factor(head)


def test_the_list_filters_follow_the_classifications(
    client_for: Callable[[str], Client], django_assert_max_num_queries: Any
) -> None:
    client = client_for("head_sale")
    dimension = ClassificationDimension.objects.create(code="grade", name="等级")
    values = [
        ClassificationValue.objects.create(dimension=dimension, code=f"g{n}", name=f"等级{n}")
        for n in range(8)
    ]
    form = client.get("/customers/").context["filterset"].form
    assert [label for pk, label in form.fields["cls_grade"].choices if pk] == [
        v.name for v in values
    ]
    # The filter form costs no query per dimension or value once read.
    client.get("/customers/")
    with django_assert_max_num_queries(8):
        client.get("/customers/")
    values[0].name = "甲级"
    values[0].save()
    form = client.get("/customers/").context["filterset"].form
    assert dict(form.fields["cls_grade"].choices)[values[0].pk] == "甲级"
    dimension.is_active = False
    dimension.save()
    assert "cls_grade" not in client.get("/customers/").context["filterset"].form.fields
