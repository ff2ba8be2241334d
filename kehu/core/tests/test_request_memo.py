"""Answers kept on the objects they are about (kehu.core.request_memo) live as long as those
objects: every check of one request shares them, and the next request asks again."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from kehu.core import policy, services
from kehu.core.models import User
from kehu.core.request_memo import ACCESS, FACTS, HELD_ROLES, REBIND, RequestMemo
from kehu.customers.services import create_customer
from kehu.customers.tests.factories import person_data

pytestmark = pytest.mark.django_db


class Holder:
    pass


def test_a_memo_is_kept_on_its_holder_only() -> None:
    memo: RequestMemo[list[str]] = RequestMemo("_kehu_test_memo")
    first, second = Holder(), Holder()
    assert memo.get(first) is None
    kept = memo.set(first, ["a"])
    assert memo.get(first) is kept
    assert memo.get(second) is None
    assert memo.pop(first) == ["a"]
    assert memo.get(first) is None
    assert memo.pop(first) is None


def test_a_false_answer_is_kept_as_an_answer() -> None:
    memo: RequestMemo[bool] = RequestMemo("_kehu_test_flag")
    holder = Holder()
    memo.set(holder, False)
    assert memo.get(holder) is False


def test_the_roles_kept_on_one_user_object_are_not_another_ones(demo: dict[str, User]) -> None:
    head = User.objects.get(pk=demo["head_sale"].pk)
    assert policy.has_perm(head, "core.user.view")
    assert HELD_ROLES.get(head)
    services.revoke_role(head.role_assignments.get())
    # The object that asked keeps its answer; the same user read again asks again.
    assert policy.has_perm(head, "core.user.view")
    again = User.objects.get(pk=head.pk)
    assert HELD_ROLES.get(again) is None
    assert not policy.has_perm(again, "core.user.view")


def test_a_second_request_does_not_see_the_first_requests_memos(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    client = client_for("head_sale")
    url = reverse("generic:users_list")
    first = client.get(url)
    assert first.status_code == 200
    first_user = first.wsgi_request.user
    assert [held.role for held in HELD_ROLES.get(first_user) or []] == ["department_head"]
    assert ACCESS.get(first_user) is not None
    assert FACTS.get(first.wsgi_request) is not None

    services.revoke_role(demo["head_sale"].role_assignments.get())
    second = client.get(url)
    assert second.status_code == 403
    assert second.wsgi_request.user is not first_user
    assert HELD_ROLES.get(second.wsgi_request.user) == []
    assert FACTS.get(second.wsgi_request) is not FACTS.get(first.wsgi_request)


def test_an_inserted_row_keeps_no_fields_to_rebind(demo: dict[str, User]) -> None:
    customer = create_customer(person_data(demo["manager1"]))
    assert customer.id_number
    assert REBIND.get(customer) is None
