"""A form opened from elsewhere returns there when saved — but only to a path of this site:
a `next` naming another site, a scheme or a protocol-relative address is ignored."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client, RequestFactory

from kehu.core.models import User
from kehu.core.navigation import return_target, with_return
from kehu.customers import services
from kehu.customers.models import Contact
from kehu.customers.tests.factories import org_data


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/filings/7/", "/filings/7/"),
        ("/filings/7/?tab=checklist", "/filings/7/?tab=checklist"),
        ("https://evil.example/", ""),
        ("//evil.example/", ""),
        ("/\\evil.example/", ""),
        ("javascript:alert(1)", ""),
        ("filings/7/", ""),
        ("", ""),
    ],
)
def test_only_a_path_of_this_site_is_a_return_target(given: str, kept: str) -> None:
    request = RequestFactory().get("/contacts/add/", {"next": given})
    assert return_target(request) == kept
    posted = RequestFactory().post("/contacts/add/", {"next": given})
    assert return_target(posted) == kept


def test_with_return_adds_the_parameters_and_next() -> None:
    url = with_return("/contacts/add/", "/filings/7/", customer=3, empty="")
    assert url == "/contacts/add/?customer=3&next=%2Ffilings%2F7%2F"


@pytest.mark.django_db
def test_a_contact_form_returns_to_next_and_never_leaves_the_site(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    customer = services.create_customer(org_data(demo["manager1"]))
    client = client_for("manager1")
    data = {"customer": customer.pk, "name": "王晓明", "mobile": "13912345678", "role": "other"}
    back = f"/customers/{customer.pk}/"
    form = client.get("/contacts/add/", {"customer": str(customer.pk), "next": back})
    assert f'name="next" value="{back}"' in form.content.decode()
    saved = client.post(f"/contacts/add/?next={back}", data)
    assert saved.status_code == 302 and saved["Location"] == back
    assert Contact.objects.filter(customer=customer, name="王晓明").exists()

    data["name"] = "王晓红"
    elsewhere = client.post("/contacts/add/", {**data, "next": "https://evil.example/"})
    assert elsewhere.status_code == 302
    contact = Contact.objects.get(customer=customer, name="王晓红")
    assert elsewhere["Location"] == f"/contacts/{contact.pk}/"
