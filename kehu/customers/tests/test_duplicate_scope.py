""" "Already registered" errors and duplicate flags tell a user outside a customer's scope only
that it exists and which department holds it — never its name or number — on the page form,
the API, the new-customer filing and the card's flags: an ID number or phone typed in must
not reveal whose it is across departments."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kehu.core.models import User
from kehu.customers import services
from kehu.customers.models import Customer
from kehu.customers.tests.factories import credit_code, id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

MakeOrg = Callable[..., Customer]
JSON = "application/json"
SECRET_NAME = "上海隐秘精密仪器有限公司"


@pytest.fixture
def elsewhere(make_org: MakeOrg) -> Customer:
    """A customer of the Shanghai subsidiary, which the Beijing account managers cannot see."""
    return make_org(owner="manager4", name=SECRET_NAME, phone="021-63451234")


def _tells_only_the_department(text: str, other: Customer) -> None:
    assert other.unit.name in text, text
    assert SECRET_NAME not in text and f"/customers/{other.pk}/" not in text
    assert f"no. {other.pk}" not in text and f"编号 {other.pk}" not in text


def test_the_page_form_names_only_the_department(
    client_for: Callable[[str], Client], demo: dict[str, User], elsewhere: Customer
) -> None:
    response = client_for("manager1").post(
        "/customers/add/",
        {
            "kind": "organization",
            "name": "北京试探科技有限公司",
            "owner": demo["manager1"].pk,
            "unit": demo["manager1"].unit_id,
            "capital_currency": "CNY",
            "credit_code": elsewhere.credit_code,
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["credit_code"]
    _tells_only_the_department(" ".join(errors), elsewhere)


def test_the_api_names_only_the_department(
    api_for: Callable[[str], Client], make_person: Callable[..., Customer]
) -> None:
    number = id_number()
    other = make_person(owner="manager4", name="隐秘某人", id_number=number)
    response = api_for("manager1").post(
        "/api/v1/customers/",
        {"kind": "individual", "name": "试探某人", "id_number": number},
        content_type=JSON,
    )
    assert response.status_code == 400, response.content
    text = str(response.json())
    assert other.unit.name in text and "隐秘某人" not in text
    assert f"/customers/{other.pk}/" not in text


def test_the_new_customer_filing_names_only_the_department(
    client_for: Callable[[str], Client], demo: dict[str, User], elsewhere: Customer
) -> None:
    page = client_for("manager1")
    token = page.get("/filings/new/").context["token"]
    response = page.post(
        "/filings/new/",
        {
            "_submission": token,
            "kind": "organization",
            "name": "北京试探备案有限公司",
            "owner": demo["manager1"].pk,
            "unit": demo["manager1"].unit_id,
            "capital_currency": "CNY",
            "credit_code": elsewhere.credit_code,
        },
    )
    assert response.status_code == 400
    _tells_only_the_department(response.content.decode(), elsewhere)


def test_a_colleague_in_scope_still_gets_the_link(
    client_for: Callable[[str], Client], demo: dict[str, User], make_org: MakeOrg
) -> None:
    mine = make_org(owner="manager2", credit_code=credit_code())
    response = client_for("manager1").post(
        "/customers/add/",
        {
            "kind": "organization",
            "name": "北京同事科技有限公司",
            "owner": demo["manager1"].pk,
            "unit": demo["manager1"].unit_id,
            "capital_currency": "CNY",
            "credit_code": mine.credit_code,
        },
    )
    assert response.status_code == 400
    assert mine.name in " ".join(response.context["form"].errors["credit_code"])


def test_a_duplicate_flag_names_only_the_department(
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
    make_org: MakeOrg,
    elsewhere: Customer,
) -> None:
    mine = make_org(owner="manager1")
    services.create_contact({"customer": mine, "name": "王芳", "office_phone": "021-63451234"})
    card = client_for("manager1").get(f"/customers/{mine.pk}/").content.decode()
    assert 'id="duplicate-flags"' in card
    flags = card[
        card.index('id="duplicate-flags"') : card.index("</ul>", card.index('id="duplicate-flags"'))
    ]
    _tells_only_the_department(flags, elsewhere)
    rows = api_for("manager1").get(f"/api/v1/customers/{mine.pk}/duplicates/").json()
    assert len(rows) == 1
    assert rows[0]["customer"] is None and rows[0]["name"] is None
    assert rows[0]["department"] == elsewhere.unit.name
    # Whoever sees both customers is told which one it is.
    rows = api_for("auditor").get(f"/api/v1/customers/{mine.pk}/duplicates/").json()
    assert rows[0]["customer"] == elsewhere.pk and rows[0]["name"] == SECRET_NAME


def test_a_shared_phone_names_the_other_customer_only_to_who_may_reveal_it(
    client_for: Callable[[str], Client], api_for: Callable[[str], Client], make_org: MakeOrg
) -> None:
    """manager2 sees manager1's customers but may not reveal their phones: typing a guessed
    mobile into his own customer's contact must not tell him whose it is."""
    theirs = make_org(owner="manager1", name="北京目标联络科技有限公司")
    services.create_contact({"customer": theirs, "name": "李雷", "mobile": "13912340000"})
    mine = make_org(owner="manager2")
    services.create_contact({"customer": mine, "name": "韩梅", "mobile": "13912340000"})
    rows = api_for("manager2").get(f"/api/v1/customers/{mine.pk}/duplicates/").json()
    assert len(rows) == 1
    assert rows[0]["customer"] is None and rows[0]["name"] is None
    card = client_for("manager2").get(f"/customers/{mine.pk}/").content.decode()
    flags = card[
        card.index('id="duplicate-flags"') : card.index("</ul>", card.index('id="duplicate-flags"'))
    ]
    assert "北京目标联络科技有限公司" not in flags and f"/customers/{theirs.pk}/" not in flags
    # The department head may reveal both customers' values: he is told which one it is.
    rows = api_for("head_sale").get(f"/api/v1/customers/{mine.pk}/duplicates/").json()
    assert rows[0]["customer"] == theirs.pk
