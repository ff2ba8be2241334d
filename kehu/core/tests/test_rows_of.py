"""A parent's rows (a customer's documents, its filings) read without the scope's join when
the parent decides their scope: the same rows as the scope, for every role, grant and
restriction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehu.core import policy
from kehu.core.grants import grant_access
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.customers.services import create_customer
from kehu.customers.tests.factories import org_data
from kehu.documents.models import Document, DocumentType
from kehu.filing.models import Filing
from kehu.filing.selectors import card_filings
from kehu.filing.services import open_filing
from kehu.privacy.models import Restriction


@pytest.fixture
def customer(demo: dict[str, User]) -> Customer:
    customer = create_customer(org_data(demo["manager1"]))
    for doc_type in DocumentType.objects.order_by("pk")[:2]:
        Document.objects.create(customer=customer, doc_type=doc_type)
    return customer


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no per-request caches


def documents_by_rows_of(user: User, customer: Customer) -> set[int]:
    parent = Customer.objects.select_related("unit").get(pk=customer.pk)
    rows = policy.rows_of(fresh(user), Document.objects.all(), "customer", parent)
    return {d.pk for d in rows}


def documents_by_scope(user: User, customer: Customer) -> set[int]:
    rows = policy.scope(fresh(user), Document.objects.filter(customer=customer))
    return {d.pk for d in rows}


@pytest.mark.django_db
def test_rows_of_equals_the_scope_for_every_demo_user(
    demo: dict[str, User], customer: Customer
) -> None:
    seen_all = set()
    for username, user in demo.items():
        assert documents_by_rows_of(user, customer) == documents_by_scope(user, customer), username
        if policy.sees_all_of(fresh(user), Document, "view", "customer", customer):
            seen_all.add(username)
    # The owner and the department head take the short way; another subsidiary does not.
    assert {"manager1", "head_sale", "auditor"} <= seen_all
    assert "manager4" not in seen_all
    assert len(documents_by_rows_of(demo["head_sale"], customer)) == 2
    assert documents_by_rows_of(demo["manager4"], customer) == set()


@pytest.mark.django_db
def test_the_short_way_joins_neither_customer_nor_unit(
    demo: dict[str, User], customer: Customer
) -> None:
    parent = Customer.objects.select_related("unit").get(pk=customer.pk)
    user = fresh(demo["head_sale"])
    policy.held_roles(user)  # the roles are read once per request anyway
    rows = policy.rows_of(user, Document.objects.all(), "customer", parent)
    with CaptureQueriesContext(connection) as queries:
        assert len(list(rows)) == 2
    assert len(queries) == 1
    assert "core_orgunit" not in queries[0]["sql"]
    assert "customers_customer" not in queries[0]["sql"]


@pytest.mark.django_db
def test_a_grant_on_the_customer_or_on_one_document(
    demo: dict[str, User], customer: Customer
) -> None:
    outsider = demo["manager4"]
    first, second = Document.objects.filter(customer=customer).order_by("pk")
    until = timezone.now() + dt.timedelta(hours=2)
    grant_access(user=outsider, obj=first, until=until, by=demo["head_sale"], reason="核对")
    # A grant on one document: not all of the customer's, but that one.
    assert not policy.sees_all_of(fresh(outsider), Document, "view", "customer", customer)
    assert documents_by_rows_of(outsider, customer) == {first.pk}
    grant_access(user=outsider, obj=customer, until=until, by=demo["head_sale"], reason="核对")
    assert policy.sees_all_of(fresh(outsider), Document, "view", "customer", customer)
    assert documents_by_rows_of(outsider, customer) == {first.pk, second.pk}
    assert documents_by_scope(outsider, customer) == {first.pk, second.pk}


@pytest.mark.django_db
def test_a_restricted_customer_has_no_rows(demo: dict[str, User], customer: Customer) -> None:
    Restriction.objects.create(customer=customer, reason="删除请求，保管期未满")
    parent = Customer.objects.select_related("unit").get(pk=customer.pk)
    head = fresh(demo["head_sale"])
    assert not policy.sees_all_of(head, Document, "view", "customer", parent)
    assert documents_by_rows_of(demo["head_sale"], customer) == set()


@pytest.mark.django_db
def test_card_filings_finds_the_open_filing_seen_or_not(
    demo: dict[str, User], customer: Customer
) -> None:
    filing = open_filing(customer, by=demo["manager1"])
    filings, open_one = card_filings(fresh(demo["head_sale"]), customer)
    assert [f.pk for f in filings] == [filing.pk]
    assert open_one is not None and open_one.pk == filing.pk
    # A grant on the customer opens the customer, not its filings; the card still knows a
    # filing is under way (the lifecycle offers no second one).
    outsider = demo["manager4"]
    until = timezone.now() + dt.timedelta(hours=2)
    grant_access(user=outsider, obj=customer, until=until, by=demo["head_sale"], reason="核对")
    filings, open_one = card_filings(fresh(outsider), customer)
    assert filings == []
    assert open_one is not None and open_one.pk == filing.pk
    # Decided filings are not open.
    Filing.objects.filter(pk=filing.pk).update(stage="withdrawn")
    filings, open_one = card_filings(fresh(demo["head_sale"]), customer)
    assert [f.pk for f in filings] == [filing.pk] and open_one is None
