"""The fields that decide a customer's scope (department, account manager) accept only what
the acting user may assign, through the API as through the page form: a department head
cannot move a customer into another subsidiary nor give it to the administrator."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kehu.audit.models import AuditEvent
from kehu.core.models import OrgUnit, User
from kehu.customers.models import Customer
from kehu.customers.tests.factories import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

MakeOrg = Callable[..., Customer]
URL = "/api/v1/customers/"
JSON = "application/json"


def _unchanged(customer: Customer) -> None:
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.unit_id, fresh.owner_id, fresh.version) == (
        customer.unit_id,
        customer.owner_id,
        customer.version,
    )


def test_a_department_head_cannot_move_a_customer_to_another_subsidiary_by_api(
    api_for: Callable[[str], Client], make_org: MakeOrg
) -> None:
    customer = make_org()
    other_subsidiary = OrgUnit.objects.get(code="SH-SALE")
    response = api_for("head_sale").patch(
        f"{URL}{customer.pk}/",
        {"unit": other_subsidiary.pk, "version": customer.version},
        content_type=JSON,
    )
    assert response.status_code == 400, response.content
    assert "不能" in response.json()["unit"][0] or "不可" in response.json()["unit"][0]
    _unchanged(customer)
    assert api_for("manager4").get(f"{URL}{customer.pk}/").status_code == 404


@pytest.mark.parametrize("owner", ["admin", "manager4", "auditor"])
def test_a_department_head_cannot_give_a_customer_to_someone_outside_by_api(
    api_for: Callable[[str], Client], make_org: MakeOrg, demo: dict[str, User], owner: str
) -> None:
    customer = make_org()
    response = api_for("head_sale").patch(
        f"{URL}{customer.pk}/",
        {"owner": demo[owner].pk, "version": customer.version},
        content_type=JSON,
    )
    assert response.status_code == 400, response.content
    assert demo[owner].full_name in response.json()["owner"][0]
    _unchanged(customer)


def test_a_department_head_still_reassigns_within_the_department(
    api_for: Callable[[str], Client], make_org: MakeOrg, demo: dict[str, User]
) -> None:
    customer = make_org()
    response = api_for("head_sale").patch(
        f"{URL}{customer.pk}/",
        {"owner": demo["manager2"].pk, "unit": customer.unit_id, "version": customer.version},
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    assert Customer.objects.get(pk=customer.pk).owner == demo["manager2"]


def test_an_api_customer_cannot_be_created_for_the_administrator(
    api_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    response = api_for("head_sale").post(
        URL,
        {
            "kind": "organization",
            "name": "北京归属测试科技有限公司",
            "owner": demo["admin"].pk,
            "unit": demo["head_sale"].unit_id,
        },
        content_type=JSON,
    )
    assert response.status_code == 400 and set(response.json()) == {"owner"}
    assert not Customer.objects.filter(name="北京归属测试科技有限公司").exists()


def test_the_page_form_refuses_the_same_owner(
    client_for: Callable[[str], Client], make_org: MakeOrg, demo: dict[str, User]
) -> None:
    customer = make_org()
    response = client_for("head_sale").post(
        f"/customers/{customer.pk}/edit/", form_data(customer, owner=demo["admin"].pk)
    )
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors
    _unchanged(customer)


def test_an_account_manager_sending_back_the_same_unit_and_owner_changes_nothing(
    api_for: Callable[[str], Client], make_org: MakeOrg
) -> None:
    customer = make_org()
    before = AuditEvent.objects.count()
    response = api_for("manager1").patch(
        f"{URL}{customer.pk}/",
        {"unit": customer.unit_id, "owner": customer.owner_id, "version": customer.version},
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    _unchanged(customer)
    assert not AuditEvent.objects.filter(pk__gt=before, action="customers.customer.update").exists()


def test_a_contact_or_account_stays_with_its_customer_through_the_api(
    api_for: Callable[[str], Client], make_org: MakeOrg
) -> None:
    from kehu.customers import services
    from kehu.customers.models import BankAccount, Contact

    customer, other = make_org(), make_org()
    contact = services.create_contact({"customer": customer, "name": "王芳"})
    account = services.create_bank_account(
        {
            "customer": customer,
            "account_name": customer.name,
            "bank_name": "中国银行",
            "account_number": "6222000099990000",
        }
    )
    client = api_for("manager1")
    for url, row in (("contacts", contact), ("bank-accounts", account)):
        response = client.patch(
            f"/api/v1/{url}/{row.pk}/",
            {"customer": other.pk, "version": row.version},
            content_type=JSON,
        )
        assert response.status_code == 400, response.content
        assert set(response.json()) == {"customer"}
    assert Contact.objects.get(pk=contact.pk).customer_id == customer.pk
    assert BankAccount.objects.get(pk=account.pk).customer_id == customer.pk
