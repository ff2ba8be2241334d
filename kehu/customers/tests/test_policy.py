"""Who sees and changes which customers (kehu/core/policy.py): account managers see
their department's and edit their own, department heads manage the department's, the general
manager and the staff functions read their company's, the auditor reads everything and changes
nothing, the archivist and the administrator have no business with customers; export only for
heads, the general manager and the auditor, and audited."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from django.test import Client
from openpyxl import load_workbook

from kehu.audit.models import AuditEvent
from kehu.core import policy
from kehu.core.models import User
from kehu.customers.models import Customer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]


@pytest.fixture
def customers(make_org: Callable[..., Customer]) -> dict[str, Customer]:
    """One customer per owner: two in SALE (BJ), one in MKT (BJ), one in SH-SALE (SH)."""
    return {
        owner: make_org(owner=owner) for owner in ("manager1", "manager2", "manager3", "manager4")
    }


def listed(client: Client) -> set[int]:
    html = client.get("/customers/?size=200").content.decode()
    return {int(pk) for pk in re.findall(r'href="/customers/(\d+)/"', html)}


# owner of the customer → (can see, can edit) for each user
EXPECTED: dict[str, dict[str, tuple[bool, bool]]] = {
    "manager1": {"manager1": (True, True), "manager2": (True, False),
                 "manager3": (False, False), "manager4": (False, False)},
    "manager2": {"manager1": (True, False), "manager2": (True, True),
                 "manager3": (False, False), "manager4": (False, False)},
    "manager3": {"manager1": (False, False), "manager2": (False, False),
                 "manager3": (True, True), "manager4": (False, False)},
    "manager4": {"manager1": (False, False), "manager2": (False, False),
                 "manager3": (False, False), "manager4": (True, True)},
    "head_sale": {"manager1": (True, True), "manager2": (True, True),
                  "manager3": (False, False), "manager4": (False, False)},
    "gm": {"manager1": (True, False), "manager2": (True, False),
           "manager3": (True, False), "manager4": (False, False)},
    "compliance": {"manager1": (True, False), "manager2": (True, False),
                   "manager3": (True, False), "manager4": (False, False)},
    "credit": {"manager1": (True, False), "manager2": (True, False),
               "manager3": (True, False), "manager4": (False, False)},
    "auditor": {"manager1": (True, False), "manager2": (True, False),
                "manager3": (True, False), "manager4": (True, False)},
}  # fmt: skip


@pytest.mark.parametrize("user", sorted(EXPECTED))
def test_who_sees_and_edits_which_customer(
    user: str, customers: dict[str, Customer], client_for: Callable[[str], Client]
) -> None:
    client = client_for(user)
    shown = listed(client)
    for owner, (can_see, can_edit) in EXPECTED[user].items():
        customer = customers[owner]
        card = client.get(f"/customers/{customer.pk}/")
        edit = client.get(f"/customers/{customer.pk}/edit/")
        assert (customer.pk in shown) == can_see, (user, owner)
        assert card.status_code == (200 if can_see else 404), (user, owner)
        assert edit.status_code == (200 if can_edit else 403 if can_see else 404), (user, owner)
        if can_see:
            assert ('id="edit-link"' in card.content.decode()) == can_edit, (user, owner)


def test_an_account_manager_cannot_save_an_edit_of_anothers_customer(
    customers: dict[str, Customer], client_for: Callable[[str], Client]
) -> None:
    from kehu.customers.tests.factories import form_data

    theirs = customers["manager2"]
    response = client_for("manager1").post(
        f"/customers/{theirs.pk}/edit/", form_data(theirs, city="北京")
    )
    assert response.status_code == 403
    assert Customer.objects.get(pk=theirs.pk).city == ""


@pytest.mark.parametrize("user", ["auditor", "gm", "compliance"])
def test_readers_change_nothing(
    user: str, customers: dict[str, Customer], client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:  # fmt: skip
    from kehu.customers.tests.factories import form_data

    customer = customers["manager1"]
    client = client_for(user)
    before = Customer.objects.count()
    assert client.get("/customers/add/").status_code == 403
    assert client.post(f"/customers/{customer.pk}/edit/", form_data(customer)).status_code == 403
    assert client.post(f"/customers/{customer.pk}/verify/").status_code == 403
    api = api_for(user)
    assert (
        api.post(
            "/api/v1/customers/",
            {"kind": "individual", "name": "张三"},
            content_type="application/json",
        ).status_code
        == 403
    )
    response = api.patch(
        f"/api/v1/customers/{customer.pk}/",
        {"city": "北京", "version": customer.version},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).version == customer.version
    assert Customer.objects.count() == before


@pytest.mark.parametrize("user", ["archivist", "admin", "finance"])
def test_no_business_with_customers(
    user: str, customers: dict[str, Customer], client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:  # fmt: skip
    client = client_for(user)
    customer = customers["manager1"]
    for url in ("/customers/", f"/customers/{customer.pk}/", "/customers/add/",
                "/customers/export.xlsx", "/change-requests/"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    assert api_for(user).get("/api/v1/customers/").status_code == 403
    assert not policy.scope(User.objects.get(username=user), Customer.objects.all()).exists()


def test_account_managers_register_in_their_own_department_only(
    demo: dict[str, User], client_for: Callable[[str], Client], api_for: Callable[[str], Client]
) -> None:
    mkt = demo["manager3"].unit
    assert mkt is not None
    response = client_for("manager1").post(
        "/customers/add/",
        {"kind": "organization", "name": "北京越权登记科技有限公司", "owner": demo["manager1"].pk,
         "unit": mkt.pk, "capital_currency": "CNY"},
    )  # fmt: skip
    assert response.status_code == 400 and "unit" in response.context["form"].errors
    response = api_for("manager1").post(
        "/api/v1/customers/",
        {"kind": "organization", "name": "北京越权登记科技有限公司", "unit": mkt.pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "unit" in response.json()
    assert not Customer.objects.filter(name="北京越权登记科技有限公司").exists()


def test_only_the_head_reassigns(
    demo: dict[str, User], customers: dict[str, Customer], client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:  # fmt: skip
    from kehu.customers.tests.factories import form_data

    mine = customers["manager1"]
    # The owner's form locks owner, department and kind; a posted owner is ignored.
    form = client_for("manager1").get(f"/customers/{mine.pk}/edit/").context["form"]
    assert all(form.fields[f].disabled for f in ("owner", "unit", "kind"))
    response = client_for("manager1").post(
        f"/customers/{mine.pk}/edit/", form_data(mine, owner=demo["manager2"].pk, city="北京")
    )
    assert response.status_code == 302
    fresh = Customer.objects.get(pk=mine.pk)
    assert (fresh.owner_id, fresh.city) == (demo["manager1"].pk, "北京")
    response = api_for("manager1").patch(
        f"/api/v1/customers/{mine.pk}/",
        {"owner": demo["manager2"].pk, "version": fresh.version},
        content_type="application/json",
    )
    assert response.status_code == 400 and "owner" in response.json()
    # The department head hands the customer over.
    response = client_for("head_sale").post(
        f"/customers/{mine.pk}/edit/", form_data(fresh, owner=demo["manager2"].pk)
    )
    assert response.status_code == 302
    assert Customer.objects.get(pk=mine.pk).owner_id == demo["manager2"].pk


# --- export ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "user, owners",
    [
        ("head_sale", {"manager1", "manager2"}),
        ("gm", {"manager1", "manager2", "manager3"}),
        ("auditor", {"manager1", "manager2", "manager3", "manager4"}),
    ],
)
def test_export_for_heads_gm_and_auditor_is_audited(
    user: str, owners: set[str], customers: dict[str, Customer],
    client_for: Callable[[str], Client],
) -> None:  # fmt: skip
    client = client_for(user)
    assert "export.xlsx" in client.get("/customers/").content.decode()
    response = client.get("/customers/export.xlsx?register=all&kind=organization")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert user in str(rows[0][0])  # the file names its exporter
    names = {row[0] for row in rows[2:]}
    expected = {customers[o].name for o in owners}
    assert expected <= names
    assert not {c.name for o, c in customers.items() if o not in owners} & names
    event = AuditEvent.objects.get(action="customers.customer.export")
    assert event.actor_username == user
    assert event.extra["rows"] == len(rows) - 2
    assert event.extra["filters"] == {"register": "all", "kind": "organization"}


def test_export_follows_the_current_filters(
    customers: dict[str, Customer], client_for: Callable[[str], Client]
) -> None:
    target = customers["manager2"]
    response = client_for("head_sale").get(f"/customers/export.xlsx?q={target.credit_code}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)] == [target.name]


@pytest.mark.parametrize("user", ["manager1", "manager3", "compliance", "credit"])
def test_no_export_for_others(
    user: str, customers: dict[str, Customer], client_for: Callable[[str], Client]
) -> None:
    client = client_for(user)
    assert client.get("/customers/export.xlsx").status_code == 403
    assert "export.xlsx" not in client.get("/customers/").content.decode()
    assert not AuditEvent.objects.filter(action="customers.customer.export").exists()
