"""Over-long input is refused with the limit in the message — never cut to fit: the edit
form, the create form and the API alike, and the form's input box sets no length of its own
(a browser would cut a paste at it without a word)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from kehu.customers.models import Customer
from kehu.customers.tests.factories import credit_code, form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

MakeOrg = Callable[..., Customer]
LONG_NAME = "北京超长名称" + "长" * 4994  # 5,000 characters
LIMIT_MESSAGE = re.compile(r"200.*5000")


def test_the_edit_form_refuses_a_long_name_with_the_limit(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    response = client_for("manager1").post(
        f"/customers/{customer.pk}/edit/", form_data(customer, name=LONG_NAME)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["name"]
    assert any(LIMIT_MESSAGE.search(str(e)) for e in errors), errors
    assert LIMIT_MESSAGE.search(response.content.decode())
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.name, fresh.version) == (customer.name, customer.version)


def test_the_form_sets_no_maxlength_for_the_browser_to_cut_at(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    html = client_for("manager1").get(f"/customers/{customer.pk}/edit/").content.decode()
    name_input = re.search(r'<input[^>]*name="name"[^>]*>', html)
    assert name_input and "maxlength" not in name_input[0]


def test_the_api_refuses_a_long_name_with_the_limit(api_for: Callable[[str], Client]) -> None:
    before = Customer.objects.count()
    response = api_for("manager1").post(
        "/api/v1/customers/",
        {"kind": "organization", "name": LONG_NAME, "credit_code": credit_code()},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "200" in " ".join(response.json()["name"]), response.json()
    assert Customer.objects.count() == before
