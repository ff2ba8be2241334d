"""What people type loses the characters that make text read otherwise than it is stored
(right-to-left override, zero-width characters), and a save that changes nothing leaves
the record's version and the audit log as they were."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.models import Contact, Customer
from kehu.customers.tests.factories import credit_code, form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

MakeOrg = Callable[..., Customer]
URL = "/api/v1/customers/"
JSON = "application/json"
# "北京华夏科技有限公司" that shows as "北京华夏司公限有技科" on screen, with zero-width spaces.
SPOOFED = "北京华夏\u202e科技有限公司\u202c\u200b\u2066\ufeff"


def test_a_right_to_left_override_in_a_name_is_removed_through_the_api(
    api_for: Callable[[str], Client],
) -> None:
    response = api_for("manager1").post(
        URL,
        {
            "kind": "organization",
            "name": SPOOFED,
            "credit_code": credit_code(),
            "legal_rep_name": "王\u200d建国",
            "note": "备注\u202e",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    customer = Customer.objects.get(pk=response.json()["id"])
    assert (customer.name, customer.legal_rep_name, customer.note) == (
        "北京华夏科技有限公司",
        "王建国",
        "备注",
    )


def test_a_right_to_left_override_is_removed_on_the_page_and_in_contacts(
    client_for: Callable[[str], Client], make_org: MakeOrg
) -> None:
    customer = make_org()
    response = client_for("manager1").post(
        f"/customers/{customer.pk}/edit/", form_data(customer, name=SPOOFED)
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Customer.objects.get(pk=customer.pk).name == "北京华夏科技有限公司"
    contact = services.create_contact({"customer": customer, "name": "\u202e芳王"})
    assert Contact.objects.get(pk=contact.pk).name == "芳王"


def test_a_patch_that_changes_nothing_keeps_the_version(
    api_for: Callable[[str], Client], make_org: MakeOrg
) -> None:
    customer = make_org(city="北京", registered_capital="500万", founded_on="2020-03-01")
    before = AuditEvent.objects.count()
    client = api_for("manager1")
    row = client.get(f"{URL}{customer.pk}/").json()
    response = client.patch(
        f"{URL}{customer.pk}/",
        {
            "city": "北京",
            "name": customer.name,
            "registered_capital": row["registered_capital"],
            "founded_on": row["founded_on"],
            "version": customer.version,
        },
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == customer.version
    assert Customer.objects.get(pk=customer.pk).version == customer.version
    assert not AuditEvent.objects.filter(pk__gt=before, action="customers.customer.update")


def test_an_unchanged_page_form_keeps_the_version(
    client_for: Callable[[str], Client], make_org: MakeOrg, demo: dict[str, User]
) -> None:
    customer = make_org(legal_rep_phone="13911112222", registered_capital="1.5亿")
    before = AuditEvent.objects.count()
    response = client_for("manager1").post(f"/customers/{customer.pk}/edit/", form_data(customer))
    assert response.status_code == 302, response.context["form"].errors
    assert Customer.objects.get(pk=customer.pk).version == customer.version
    assert not AuditEvent.objects.filter(pk__gt=before, action="customers.customer.update")
    response = client_for("manager1").post(
        f"/customers/{customer.pk}/edit/", form_data(customer, city="深圳")
    )
    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).version == customer.version + 1
