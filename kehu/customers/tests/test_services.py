"""Creating and changing customers, contacts and bank accounts through the services and the
pages: derived fields, audit, the uniqueness of credit codes and ID numbers (CUS-11) with a
message naming and linking the registered customer, one-time submission."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from kehu.audit.context import acting_as, actor_for
from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers import search, services
from kehu.customers.models import BankAccount, Contact, Customer, CustomerStatus
from kehu.customers.tests.factories import credit_code, id_number, org_data, person_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

ERROR_FOR = re.compile(r'data-error-for="(\w+)">(.*?)</div>')


def events(action: str, obj: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(obj.pk)).order_by("seq"))


# --- create and update -------------------------------------------------------------------


def test_create_stores_normalised_data_and_derived_fields(demo: dict[str, User]) -> None:
    code = credit_code()
    customer = services.create_customer(
        org_data(
            demo["manager1"],
            name="北京华夏科技（集团）有限公司",
            credit_code=" ".join(code[i : i + 6] for i in range(0, 18, 6)).lower(),
            phone="（010）6234 5000",
            registered_capital="500万",
            founded_on="2010年3月1日",
        )
    )
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.PROSPECT
    assert customer.name == "北京华夏科技（集团）有限公司"  # exactly as on the licence
    assert customer.credit_code == code
    assert customer.phone == "010-62345000"
    assert str(customer.registered_capital) == "5000000.00"
    assert customer.name_pinyin.startswith("beijinghuaxiakeji")
    assert customer.name_key == "华夏科技"
    assert "bjhxkj" in customer.search_text and code.lower() in customer.search_text
    assert 0 < customer.completeness < 100
    assert customer.last_verified_at is not None
    assert customer.version == 1
    (created,) = events("customers.customer.create", customer)
    assert created.changes["credit_code"] == [None, code]
    assert created.changes["name"] == [None, "北京华夏科技（集团）有限公司"]


def test_create_with_classifications_one_per_dimension(demo: dict[str, User]) -> None:
    from kehu.customers.models import ClassificationDimension, ClassificationValue

    tag = ClassificationDimension.objects.create(code="t-tag", name="关系标签")
    strategic = ClassificationValue.objects.create(dimension=tag, code="s", name="战略客户")
    channel = ClassificationValue.objects.create(dimension=tag, code="c", name="渠道客户")
    customer = services.create_customer(org_data(demo["manager1"], classifications=[strategic]))
    assert list(customer.classifications.all()) == [strategic]
    assert events("customers.customer.classify", customer)
    before = Customer.objects.count()
    with pytest.raises(ValidationError) as raised:
        services.create_customer(org_data(demo["manager1"], classifications=[strategic, channel]))
    assert "classifications" in raised.value.message_dict
    assert Customer.objects.count() == before


def test_update_audits_the_change_and_bumps_the_version(
    make_org: Callable[..., Customer],
) -> None:
    customer = make_org()
    updated = services.update_customer(
        customer, {"name": "北京华夏新名称有限公司", "phone": "13912345678"}, customer.version
    )
    assert updated.version == customer.version + 1
    assert updated.name_key == "华夏新名称"
    assert "13912345678" in updated.search_text
    (event,) = events("customers.customer.update", customer)
    assert event.changes["name"] == [customer.name, "北京华夏新名称有限公司"]
    assert event.changes["phone"] == [customer.phone, "13912345678"]
    assert event.extra["version"] == updated.version


def test_stale_update_is_refused_and_names_the_change(
    make_org: Callable[..., Customer],
) -> None:
    from kehu.generic.services import StaleEditError

    customer = make_org()
    services.update_customer(customer, {"city": "北京"}, customer.version)
    with pytest.raises(StaleEditError) as raised:
        services.update_customer(customer, {"city": "上海"}, customer.version)
    assert [c["field"] for c in raised.value.changes] == ["city"]
    assert raised.value.changes[0]["after"] == "北京"
    assert Customer.objects.get(pk=customer.pk).city == "北京"


def test_contacts_keep_a_single_primary_and_refresh_the_customer(
    make_org: Callable[..., Customer],
) -> None:
    customer = make_org()
    first = services.create_contact(
        {"customer": customer, "name": "王芳", "mobile": "13811112222", "is_primary": True}
    )
    second = services.create_contact(
        {"customer": customer, "name": "李强", "mobile": "13811113333", "is_primary": True}
    )
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)
    customer.refresh_from_db()
    # Mobiles are encrypted: not in the search text, found by their full value (digest).
    assert "王芳" in customer.search_text and "13811113333" not in customer.search_text
    owner = customer.owner  # may reveal the mobile: finds the customer by it
    assert list(search.filter_text(Customer.objects.all(), "13811113333", owner)) == [customer]
    services.update_contact(first, {"is_primary": True}, first.version)
    second.refresh_from_db()
    assert Contact.objects.filter(customer=customer, is_primary=True).get() == first
    assert not second.is_primary


def test_bank_accounts_are_stored_without_spaces(make_org: Callable[..., Customer]) -> None:
    customer = make_org()
    account = services.create_bank_account(
        {
            "customer": customer,
            "account_name": customer.name,
            "bank_name": "中国工商银行",
            "account_number": "0200 0045 0920 0123 456",
            "is_primary": True,
        }
    )
    assert BankAccount.objects.get(pk=account.pk).account_number == "0200004509200123456"
    assert str(account) == "中国工商银行 ****3456"
    assert events("customers.bankaccount.create", account)


# --- uniqueness (CUS-11) -----------------------------------------------------------------


def test_the_same_credit_code_cannot_be_registered_twice(
    demo: dict[str, User], make_org: Callable[..., Customer]
) -> None:
    existing = make_org()
    before = (Customer.objects.count(), AuditEvent.objects.count())
    typed = str(existing.credit_code).lower()  # the same code typed differently
    with (
        translation.override("en"),
        acting_as(actor_for(demo["manager2"])),  # a colleague who may open the other
        pytest.raises(ValidationError) as raised,
    ):
        services.create_customer(org_data(demo["manager2"], credit_code=typed))
    (message,) = raised.value.message_dict["credit_code"]
    assert existing.name in message
    assert f'href="/customers/{existing.pk}/"' in message
    assert f"no. {existing.pk}" in message and existing.unit.name in message
    assert (Customer.objects.count(), AuditEvent.objects.count()) == before


def test_the_same_id_number_cannot_be_registered_twice(
    demo: dict[str, User], make_person: Callable[..., Customer]
) -> None:
    existing = make_person()
    # Who may reveal the number (its account manager) is told whose it is.
    with acting_as(actor_for(demo["manager1"])), pytest.raises(ValidationError) as raised:
        services.create_customer(
            person_data(demo["manager1"], id_number=existing.id_number.lower())
        )
    (message,) = raised.value.message_dict["id_number"]
    assert existing.name in message and f"/customers/{existing.pk}/" in message
    # A colleague who sees the customer with the number masked: only the department.
    with acting_as(actor_for(demo["manager2"])), pytest.raises(ValidationError) as raised:
        services.create_customer(
            person_data(demo["manager2"], id_number=existing.id_number.lower())
        )
    (message,) = raised.value.message_dict["id_number"]
    assert existing.name not in message and existing.unit.name in message
    # From another subsidiary: only the department that holds it.
    with acting_as(actor_for(demo["manager4"])), pytest.raises(ValidationError) as raised:
        services.create_customer(
            person_data(demo["manager4"], id_number=existing.id_number.lower())
        )
    (message,) = raised.value.message_dict["id_number"]
    assert existing.name not in message and existing.unit.name in message


def test_an_update_cannot_take_a_registered_code(
    make_org: Callable[..., Customer], demo: dict[str, User]
) -> None:
    first, second = make_org(), make_org()
    with acting_as(actor_for(demo["manager1"])), pytest.raises(ValidationError) as raised:
        services.update_customer(second, {"credit_code": first.credit_code}, second.version)
    assert first.name in raised.value.message_dict["credit_code"][0]
    assert Customer.objects.get(pk=second.pk).credit_code == second.credit_code
    # Saving its own code again is no conflict.
    same = services.update_customer(
        second, {"credit_code": second.credit_code, "city": "北京"}, second.version
    )
    assert same.city == "北京"


def test_customers_without_codes_do_not_conflict(demo: dict[str, User]) -> None:
    a = services.create_customer(org_data(demo["manager1"], credit_code=""))
    b = services.create_customer(org_data(demo["manager1"], credit_code="  "))
    assert a.credit_code is None and b.credit_code is None


def new_customer_post(user: User, token: str = "", **fields: Any) -> dict[str, Any]:
    data = {
        "kind": "organization",
        "name": f"上海测试{uuid.uuid4().hex[:6]}号有限公司",
        "owner": user.pk,
        "unit": user.unit_id,
        "capital_currency": "CNY",
        "_submission": token,
    }
    data.update(fields)
    return data


def test_the_page_names_only_the_department_of_a_customer_it_cannot_open(
    client_for: Callable[[str], Client],
    demo: dict[str, User],
    make_org: Callable[..., Customer],
) -> None:
    existing = make_org()  # SALE: manager3 of MKT cannot open it
    client = client_for("manager3")
    assert client.get(f"/customers/{existing.pk}/").status_code == 404
    before = Customer.objects.count()
    response = client.post(
        "/customers/add/", new_customer_post(demo["manager3"], credit_code=existing.credit_code)
    )
    assert response.status_code == 400
    errors = dict(ERROR_FOR.findall(response.content.decode()))
    message = errors["credit_code"]
    assert existing.unit.name in message
    assert existing.name not in message and f"/customers/{existing.pk}/" not in message
    assert Customer.objects.count() == before


def test_the_api_names_the_registered_customer_in_plain_text(
    api_for: Callable[[str], Client], make_person: Callable[..., Customer]
) -> None:
    existing = make_person()
    response = api_for("manager1").post(
        "/api/v1/customers/",
        {"kind": "individual", "name": "另一个人", "id_number": existing.id_number},
        content_type="application/json",
    )
    assert response.status_code == 400
    (message,) = response.json()["id_number"]
    assert existing.name in message and str(existing.pk) in message
    assert "<a" not in message


# --- one-time submission -----------------------------------------------------------------


def test_the_same_create_form_posted_twice_creates_one_customer(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    client = client_for("manager1")
    form = client.get("/customers/add/")
    token = re.search(r'name="_submission" value="(\w+)"', form.content.decode())[1]  # type: ignore[index]
    data = new_customer_post(demo["manager1"], token=token, credit_code=credit_code())
    before = Customer.objects.count()
    first = client.post("/customers/add/", data)
    second = client.post("/customers/add/", data)
    assert Customer.objects.count() == before + 1
    created = Customer.objects.get(credit_code=data["credit_code"])
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/customers/{created.pk}/"
    assert len(events("customers.customer.create", created)) == 1


def test_each_new_form_gets_its_own_token(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    client = client_for("manager1")
    pattern = re.compile(r'name="_submission" value="(\w+)"')
    tokens = {pattern.search(client.get("/customers/add/").content.decode())[1] for _ in "ab"}  # type: ignore[index]
    assert len(tokens) == 2
    for token in tokens:
        client.post("/customers/add/", new_customer_post(demo["manager1"], token=token))
    assert Customer.objects.filter(owner=demo["manager1"], name__startswith="上海测试").count() == 2


def test_an_individual_via_the_page(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    number = id_number()
    response = client_for("manager1").post(
        "/customers/add/",
        new_customer_post(
            demo["manager1"],
            kind="individual",
            name="王小明",
            id_number=number,
            phone="139 0000 1111",
            credit_code=credit_code(),  # organisation field: cleared for a person
        ),
    )
    assert response.status_code == 302
    person = Customer.objects.get(name="王小明")
    assert person.id_number == number
    assert person.credit_code is None
    assert person.birth_date is not None and person.gender in {"male", "female"}
    assert response["Location"] == f"/customers/{person.pk}/"


def test_the_audit_log_keeps_id_and_account_numbers_masked(
    demo: dict[str, User], make_person: Callable[..., Customer], make_org: Callable[..., Customer]
) -> None:
    """The chain cannot forget, so it never holds the plain numbers (PIPL erasure)."""
    person = make_person()
    created = events("customers.customer.create", person)[0]
    assert person.id_number not in str(created.changes)
    masked = created.changes["id_number"][1]
    assert masked == person.id_number[:6] + "*" * 12
    org = make_org()
    account = services.create_bank_account(
        {"customer": org, "account_name": org.name, "bank_name": "招商银行",
         "account_number": "6225880112345678901"}
    )  # fmt: skip
    event = events("customers.bankaccount.create", account)[0]
    assert "6225880112345678901" not in str(event.changes)
    assert event.changes["account_number"][1].endswith("8901")


def test_bank_accounts_keep_a_single_primary(make_org: Callable[..., Customer]) -> None:
    org = make_org()

    def account(number: str) -> BankAccount:
        return services.create_bank_account(
            {"customer": org, "account_name": org.name, "bank_name": "中国银行",
             "account_number": number, "is_primary": True}
        )  # fmt: skip

    first, second = account("62170000111122223333"), account("62170000444455556666")
    primaries = BankAccount.objects.filter(customer=org, is_primary=True)
    assert list(primaries.values_list("pk", flat=True)) == [second.pk]
    first.refresh_from_db()
    services.update_bank_account(first, {"is_primary": True}, first.version)
    assert list(primaries.values_list("pk", flat=True)) == [first.pk]
