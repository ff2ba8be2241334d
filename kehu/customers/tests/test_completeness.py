"""Completeness (CUS-12): the required items by kind, what is missing, the percentage, and
the exactness rule for the key items of the primary contact (name, gender, title, phone,
decision weight) — on the card and stored for the list."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kehu.core.models import User
from kehu.customers import completeness, services
from kehu.customers.completeness import INDIVIDUAL_ITEMS, ORGANIZATION_ITEMS
from kehu.customers.models import Contact, Customer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

FULL_ORGANISATION = {
    "nature": "private",
    "industry": "I",
    "legal_rep_name": "王建国",
    "registered_address": "北京市海淀区中关村大街1号",
    "operating_address": "北京市海淀区中关村大街1号",
    "founded_on": "2010年1月1日",
    "registered_capital": "1000万",
    "business_scope": "软件开发",
    "licence_valid_until": "2040-12-31",
    "issuing_authority": "北京市海淀区市场监督管理局",
    "province": "北京市",
    "city": "北京",
}
EXACT_CONTACT = {
    "name": "王芳",
    "gender": "female",
    "title": "采购总监",
    "mobile": "13811112222",
    "influence": 60,
    "is_primary": True,
}


def missing(customer: Customer) -> set[str]:
    return {item.key for item in completeness.assess(customer).missing}


def stored(customer: Customer) -> int:
    return Customer.objects.get(pk=customer.pk).completeness


def test_a_prospect_registered_with_little_shows_what_is_missing(
    demo: dict[str, User],
) -> None:
    prospect = services.create_customer(
        {"kind": "organization", "name": "北京初次接触科技有限公司",
         "owner": demo["manager1"], "unit": demo["manager1"].unit}
    )  # fmt: skip
    result = completeness.assess(prospect)
    assert {i.key for i in result.items} == {
        *ORGANIZATION_ITEMS,
        "contacts",
        "primary_contact",
        "bank_account",
    }
    assert {i.key for i in result.missing} == result_keys_without("name")
    assert result.percent == round(100 * 1 / len(result.items))  # only the name
    assert stored(prospect) == result.percent
    notes = {i.key: i.note for i in result.items}
    assert "0" in notes["contacts"]
    assert notes["primary_contact"]  # "no primary contact"


def result_keys_without(*present: str) -> set[str]:
    return {*ORGANIZATION_ITEMS, "contacts", "primary_contact", "bank_account"} - set(present)


def test_a_complete_organisation_reaches_100_percent(make_org: Callable[..., Customer]) -> None:
    customer = make_org(**FULL_ORGANISATION)
    assert missing(customer) == {"contacts", "primary_contact", "bank_account"}
    services.create_contact({"customer": customer, **EXACT_CONTACT})
    assert missing(customer) == {"contacts", "bank_account"}
    services.create_contact({"customer": customer, "name": "李强", "mobile": "13811113333"})
    services.create_bank_account(
        {"customer": customer, "account_name": customer.name, "bank_name": "中国银行",
         "account_number": "6222000011112222"}
    )  # fmt: skip
    result = completeness.assess(customer)
    assert result.missing == [] and result.percent == 100
    assert stored(customer) == 100  # kept current by the services, for the list's column


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"name": "王先生"}, "salutation"),
        ({"name": "李总"}, "salutation"),
        ({"name": "张经理"}, "salutation"),
        ({"gender": ""}, "gender"),
        ({"title": ""}, "title"),
        ({"mobile": ""}, "phone"),
        ({"influence": None}, "decision weight"),
    ],
)
def test_the_primary_contact_must_be_exact(
    change: dict[str, object], problem: str, make_org: Callable[..., Customer]
) -> None:
    from django.utils import translation

    customer = make_org(**FULL_ORGANISATION)
    contact = services.create_contact({"customer": customer, **EXACT_CONTACT, **change})
    with translation.override("en"):
        problems = completeness.contact_problems(contact)
        item = next(i for i in completeness.assess(customer).items if i.key == "primary_contact")
    assert len(problems) == 1 and problem in problems[0]
    assert not item.present and problem in item.note
    # Fixing it makes the item exact.
    services.update_contact(contact, EXACT_CONTACT, contact.version)
    assert "primary_contact" not in missing(customer)


def test_an_office_phone_is_enough_and_full_names_with_titles_are_names(
    make_org: Callable[..., Customer],
) -> None:
    customer = make_org()
    contact = services.create_contact(
        {"customer": customer, **EXACT_CONTACT, "name": "欧阳先生明",
         "mobile": "", "office_phone": "010-62345678"}
    )  # fmt: skip
    assert completeness.contact_problems(contact) == []


def test_only_the_primary_contact_counts_for_exactness(
    make_org: Callable[..., Customer],
) -> None:
    customer = make_org()
    services.create_contact({"customer": customer, "name": "王先生"})
    assert "primary_contact" in missing(customer)
    services.create_contact({"customer": customer, **EXACT_CONTACT})
    assert "primary_contact" not in missing(customer)
    assert Contact.objects.filter(customer=customer).count() == 2


def test_individual_items(make_person: Callable[..., Customer]) -> None:
    person = make_person(occupation="", employer="", address="", province="", city="")
    result = completeness.assess(person)
    assert [i.key for i in result.items] == INDIVIDUAL_ITEMS  # no contacts or accounts
    # Name, ID number, phone, and gender and birth date derived from the ID number.
    assert missing(person) == {"occupation", "employer", "address", "province", "city"}
    assert result.percent == 50
    person = services.update_customer(
        person,
        {"occupation": "教师", "employer": "北京四中", "address": "北京市西城区",
         "province": "北京市", "city": "北京"},
        person.version,
    )  # fmt: skip
    assert completeness.assess(person).percent == 100 and person.completeness == 100


def test_the_card_shows_percent_missing_items_and_the_rule(
    make_org: Callable[..., Customer], client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    services.create_contact({"customer": customer, "name": "王先生", "is_primary": True})
    html = client_for("manager1").get(f"/customers/{customer.pk}/").content.decode()
    result = completeness.assess(customer)
    assert f'id="completeness-percent">{result.percent}%' in html
    for item in result.missing:
        assert f'data-missing="{item.key}"' in html
    assert str(completeness.EXACTNESS_RULE) in html
