"""The customer pages: editing with optimistic locking (a stale form is refused with 409 and
a list of what changed), the card (data, history, lifecycle, verification)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehu.audit.context import SYSTEM, acting_as
from kehu.audit.models import AuditEvent
from kehu.core.grants import grant_access
from kehu.core.models import User
from kehu.customers import demo, duplicates, services
from kehu.customers.models import (
    ChangeRequest,
    ClassificationDimension,
    ClassificationValue,
    Customer,
    CustomerStatus,
    DuplicateFlag,
    StatusChange,
)
from kehu.customers.tests.factories import form_data, queries_of
from kehu.filing.models import Filing

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

MakeOrg = Callable[..., Customer]


def stale_fields(response: Any) -> list[str]:
    """The fields the 409 page lists as changed since the form was opened, each with its
    value now (generic/_stale.html)."""
    html = response.content.decode()
    block = re.search(r'id="stale-changes".*?</ul>', html, re.S)
    assert block, "the page lists what changed"
    changes = response.context["stale_changes"]
    assert len(re.findall(r"<li>", block[0])) == len(changes)
    for change in changes:
        assert str(change["after"] if change["after"] is not None else "—") in block[0]
    return [c["field"] for c in changes]


def test_edit_saves_and_audits(make_org: MakeOrg, client_for: Callable[[str], Client]) -> None:
    customer = make_org()
    response = client_for("manager1").post(
        f"/customers/{customer.pk}/edit/",
        form_data(customer, city="北京", registered_capital="300万", founded_on="2008年8月8日"),
    )
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.city, str(fresh.registered_capital)) == ("北京", "3000000.00")
    assert fresh.version == customer.version + 1
    event = AuditEvent.objects.get(action="customers.customer.update", object_id=str(customer.pk))
    assert event.actor_username == "manager1"
    assert set(event.changes) == {"city", "registered_capital", "founded_on"}


def test_a_stale_edit_is_refused_with_what_changed(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    opened = form_data(customer, name="北京我的改名科技有限公司")  # manager1 opens the form…
    head = client_for("head_sale")
    response = head.post(  # …the head saves first
        f"/customers/{customer.pk}/edit/", form_data(customer, city="深圳", province="广东省")
    )
    assert response.status_code == 302
    response = client_for("manager1").post(f"/customers/{customer.pk}/edit/", opened)
    assert response.status_code == 409
    html = response.content.decode()
    assert set(stale_fields(response)) == {"city", "province"}
    assert "深圳" in html and "head_sale" in html
    # Nothing of the stale form was saved; the form keeps what was typed.
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.name, fresh.city) == (customer.name, "深圳")
    assert "北京我的改名科技有限公司" in html
    assert not AuditEvent.objects.filter(
        action="customers.customer.update", actor_username="manager1"
    ).exists()


def test_a_stale_edit_after_a_status_change_names_the_status(
    demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    opened = form_data(customer, city="北京")
    services.change_status(customer, CustomerStatus.IN_FILING, "开始备案", demo["head_sale"])
    response = client_for("manager1").post(f"/customers/{customer.pk}/edit/", opened)
    assert response.status_code == 409
    assert stale_fields(response) == ["status"]
    assert Customer.objects.get(pk=customer.pk).city == ""


def test_a_stale_edit_after_a_merge_names_the_filled_fields(
    demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    keep = make_org(credit_code="")
    opened = form_data(keep, city="北京")
    duplicates.merge(keep, make_org(legal_rep_name="孙八"), "重复", demo["head_sale"])
    response = client_for("manager1").post(f"/customers/{keep.pk}/edit/", opened)
    assert response.status_code == 409
    assert {"credit_code", "legal_rep_name"} <= set(stale_fields(response))


def test_an_unchanged_form_saves_again(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    """What was stored (a phone with an extension, a code, an amount) passes the form again."""
    customer = make_org(
        phone="010-62345678转8001",
        legal_rep_phone="+852 2123 4567",
        registered_capital="1.5亿",
        founded_on="2001年1月1日",
        org_code="",
    )
    client = client_for("manager1")
    response = client.post(f"/customers/{customer.pk}/edit/", form_data(customer))
    assert response.status_code == 302, response.context["form"].errors
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.phone, fresh.legal_rep_phone) == ("010-62345678-8001", "+85221234567")


def test_the_card_shows_the_data_history_and_lifecycle(
    demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org(legal_rep_name="周九", registered_capital="500万", city="北京")
    services.create_contact(
        {"customer": customer, "name": "吴十", "mobile": "13800001111", "is_primary": True}
    )
    services.change_status(customer, CustomerStatus.IN_FILING, "资料齐全", demo["manager1"])
    html = client_for("manager1").get(f"/customers/{customer.pk}/").content.decode()
    for text in (customer.name, str(customer.credit_code), "周九", "吴十", "资料齐全", "张伟"):
        assert text in html, text
    assert 'id="status-history"' in html
    assert 'id="customer-status"' in html


def test_an_individual_card_masks_the_id_number(
    make_person: Callable[..., Customer], client_for: Callable[[str], Client]
) -> None:
    person = make_person()
    html = client_for("manager1").get(f"/customers/{person.pk}/").content.decode()
    assert person.identifier() in html
    assert person.id_number not in html.split('id="customer-data"')[1].split("</dl>")[0]


def test_verification_by_the_owner(make_org: MakeOrg, client_for: Callable[[str], Client]) -> None:
    customer = make_org()
    Customer.objects.filter(pk=customer.pk).update(last_verified_at=None)
    assert client_for("manager2").post(f"/customers/{customer.pk}/verify/").status_code == 403
    response = client_for("manager1").post(f"/customers/{customer.pk}/verify/")
    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).last_verified_at is not None
    assert AuditEvent.objects.filter(
        action="customers.customer.verify", object_id=str(customer.pk)
    ).exists()


def test_the_filter_offers_the_account_managers_and_departments_in_scope(
    client_for: Callable[[str], Client],
) -> None:
    def offered(form: Any, name: str) -> set[str]:
        """The choices' labels end in "(username)" or "(unit code)"."""
        return {
            label.rsplit("(", 1)[1].rstrip(")") for pk, label in form.fields[name].choices if pk
        }

    with acting_as(SYSTEM):
        demo.load_classifications()
    form = client_for("head_sale").get("/customers/").context["filterset"].form
    # Nothing is chosen until the reader chooses: each list starts with an empty choice.
    for name in ("owner", "unit", *(f for f in form.fields if f.startswith("cls_"))):
        assert next(iter(form.fields[name].choices))[0] == "", name
    assert any(f.startswith("cls_") for f in form.fields)
    owners = offered(form, "owner")
    assert {"manager1", "manager2"} <= owners
    assert "manager4" not in owners  # SH-SALE: not in scope
    units = offered(form, "unit")
    assert "SALE" in units and "SH-SALE" not in units
    # The general manager of BJ reads SALE and MKT, not SH-SALE.
    names = offered(client_for("gm").get("/customers/").context["filterset"].form, "owner")
    assert {"manager1", "manager3"} <= names and "manager4" not in names


def test_the_card_asks_no_query_per_contact_or_account(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    """Contacts and accounts of a card read through the scope are known to be usable: their
    masked fields ask no further restriction query each."""
    customer = make_org()
    client = client_for("manager1")
    url = f"/customers/{customer.pk}/"

    with acting_as(SYSTEM):
        services.create_contact({"customer": customer, "name": "王芳", "mobile": "13811112222"})
        services.create_bank_account(
            {
                "customer": customer,
                "account_name": customer.name,
                "bank_name": "工商银行",
                "account_number": "6222020200001234",
            }
        )
    one_each = queries_of(client, url)
    with acting_as(SYSTEM):
        for n in range(3):
            services.create_contact(
                {"customer": customer, "name": f"联系人{n}", "mobile": f"1381111000{n}"}
            )
            services.create_bank_account(
                {
                    "customer": customer,
                    "account_name": customer.name,
                    "bank_name": "建设银行",
                    "account_number": f"622700000000123{n}",
                }
            )
    assert queries_of(client, url) == one_each


def test_a_filter_value_new_to_this_process_still_filters(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    """The filters offer cached choices; another server process may have added a value
    this one does not offer yet. Filtering by it works all the same."""
    with acting_as(SYSTEM):
        demo.load_classifications()
    customer = make_org()
    client = client_for("manager1")
    client.get("/customers/")  # this process now caches the choices
    dimension = ClassificationDimension.objects.filter(is_active=True).first()
    assert dimension is not None
    # Another process adds a value and classifies the customer: no signal reaches this one.
    [value] = ClassificationValue.objects.bulk_create(
        [ClassificationValue(dimension=dimension, code="new", name="新值")]
    )
    Customer.classifications.through.objects.bulk_create(
        [Customer.classifications.through(customer_id=customer.pk, classificationvalue_id=value.pk)]
    )
    field = f"cls_{dimension.code}"
    response = client.get("/customers/", {field: value.pk})
    offered = dict(response.context["filterset"].form.fields[field].choices)
    assert value.pk not in offered  # not offered here yet …
    assert [row["obj"] for row in response.context["rows"]] == [customer]  # … yet it filters
    response = client.get("/customers/", {field: "甲"})
    assert response.context["filterset"].form.errors[field]
    assert response.context["rows"] == []


def test_the_card_reads_classifications_with_their_dimensions(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    with acting_as(SYSTEM):
        values = demo.load_classifications()
    customer = make_org()
    client = client_for("manager1")
    url = f"/customers/{customer.pk}/"

    without = queries_of(client, url)
    chosen = [dimension_values[0] for dimension_values in values.values()]
    customer.classifications.add(*chosen)
    assert queries_of(client, url) == without
    shown = client.get(url).context["classifications"]
    assert [v.pk for v in shown] == [v.pk for v in chosen]


def test_the_card_reads_the_users_its_lists_name_in_one_query(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    """Status changes, change requests, filings and access grants name users: the card reads
    them in one query (the grants panel in one more), however many rows name them."""
    users = {u.username: u for u in User.objects.all()}
    customer = make_org()
    url = f"/customers/{customer.pk}/"
    client = client_for("head_sale")

    def name_reads() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return sum('FROM "core_user"' in q["sql"] for q in queries)

    def add_rows(changer: str, proposer: str) -> None:
        StatusChange.objects.create(
            customer=customer,
            from_status=CustomerStatus.ACTIVE,
            to_status=CustomerStatus.ACTIVE,
            reason="核对",
            changed_by=users[changer],
        )
        ChangeRequest.objects.create(
            customer=customer, proposer=users[proposer], changes={}, reason="更正"
        )

    add_rows("manager2", "manager1")
    Filing.objects.create(
        customer=customer,
        unit=customer.unit,
        opened_by=users["manager1"],
        stage="approved",
        decided_at=timezone.now(),
        decided_by=users["gm"],
        number="BA-TEST-1",
    )
    until = timezone.now() + dt.timedelta(hours=2)
    grant_access(
        user=users["manager4"], obj=customer, until=until, by=users["head_sale"], reason="核对"
    )
    first = name_reads()
    page = client.get(url).content.decode()
    for shown in ("李娜", "张伟", "周总", "徐静 (manager4)", "王强 (head_sale)"):
        assert shown in page, shown
    add_rows("head_sale", "manager2")
    add_rows("auditor", "head_sale")
    assert name_reads() == first
    # The signed-in user, the card's lists, the grants panel.
    assert first == 3


# Queries of the card's usually empty lists (the access grants panel: all its columns).
EMPTY_LISTS = {
    "change requests": 'FROM "customers_changerequest"',
    "duplicate flags": 'FROM "customers_duplicateflag"',
    "merged from": '"customers_customer"."merged_into_id" =',
    "access grants": '"core_accessgrant"."granted_by_id"',
}


def test_the_card_reads_only_the_usually_empty_lists_that_have_rows(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    """One statement tells which of the change requests, open duplicate flags, merged-in
    customers and access grants have rows (kehu.customers.card); only those are read."""
    users = {u.username: u for u in User.objects.all()}
    customer = make_org()
    other = make_org()
    url = f"/customers/{customer.pk}/"
    client = client_for("head_sale")

    def card() -> tuple[str, set[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        read = {
            name for name, mark in EMPTY_LISTS.items() if any(mark in q["sql"] for q in queries)
        }
        return response.content.decode(), read

    page, read = card()
    assert read == set()
    assert 'id="merged-from"' not in page and 'id="duplicate-flags"' not in page
    ChangeRequest.objects.create(
        customer=customer, proposer=users["manager1"], changes={}, reason="更正电话号码"
    )
    page, read = card()
    assert read == {"change requests"} and "更正电话号码" in page
    first, second = sorted([customer, other], key=lambda c: c.pk)
    DuplicateFlag.objects.create(first=first, second=second, reason="shared_phone")
    Customer.objects.filter(pk=other.pk).update(merged_into=customer)
    grant_access(
        user=users["manager4"],
        obj=customer,
        until=timezone.now() + dt.timedelta(hours=2),
        by=users["head_sale"],
        reason="核对",
    )
    page, read = card()
    assert read == set(EMPTY_LISTS)
    assert 'id="duplicate-flags"' in page and 'id="merged-from"' in page
    assert page.count(other.name) >= 2  # in the flag and among the merged customers
    assert "徐静 (manager4)" in page
