"""ARC-1: archive numbers when a customer becomes active, from the configured pattern,
unique and gap-free (also under concurrency on PostgreSQL); the DA/T 22-2015 reference code
of filed items; the number on the customer card and in the customer API."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from kehu.api.services import create_token
from kehu.archives import services
from kehu.archives.models import ArchiveCategory, ArchiveSettings, Dossier
from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.customers.services import change_status
from tests.record_type_samples import accepted_for_filing

YEAR = timezone.localdate().year


@pytest.mark.django_db
def test_activation_opens_and_numbers_the_dossier(make_active: Callable[..., Customer]) -> None:
    first = make_active("manager1")
    second = make_active("manager2")
    other = make_active("manager3")
    numbers = [Dossier.objects.get(customer=c).archive_number for c in (first, second, other)]
    assert numbers == [f"{YEAR}-SALE-001", f"{YEAR}-SALE-002", f"{YEAR}-MKT-001"]
    dossier = Dossier.objects.get(customer=first)
    assert dossier.title == first.name
    assert dossier.numbered_at is not None
    event = AuditEvent.objects.get(action="archives.dossier.number", object_id=str(dossier.pk))
    assert event.changes == {"archive_number": [None, f"{YEAR}-SALE-001"]}


@pytest.mark.django_db
def test_prospects_have_no_number_and_reactivation_keeps_it(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    assert not Dossier.objects.filter(customer=customer).exists()
    customer = change_status(customer, "in_filing", "备案", demo["manager1"])
    customer = change_status(customer, "active", "通过", demo["gm"])
    number = Dossier.objects.get(customer=customer).archive_number
    customer = change_status(customer, "past", "停止合作", demo["manager1"])
    dossier = Dossier.objects.get(customer=customer)
    assert dossier.closed_on == timezone.localdate()
    change_status(customer, "active", "恢复合作", demo["manager1"])
    dossier.refresh_from_db()
    assert (dossier.archive_number, dossier.closed_on) == (number, None)


@pytest.mark.django_db
def test_category_pattern(make_active: Callable[..., Customer]) -> None:
    config = ArchiveSettings.current()
    config.number_pattern = "{category}-{year}-{seq:04d}"
    config.save()
    customer = make_active()
    assert Dossier.objects.get(customer=customer).archive_number == f"JC-{YEAR}-0001"


@pytest.mark.django_db
def test_bad_patterns_are_refused() -> None:
    for pattern in ("{year}-{dept}", "{year}-{nope}-{seq}", "{seq:zz}"):
        with pytest.raises(Exception) as raised:
            services.validate_pattern(pattern)
        assert "number_pattern" in str(raised.value)


@pytest.mark.django_db
def test_a_failed_activation_gives_its_number_back(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    first = make_customer()
    first = change_status(first, "in_filing", "备案", demo["manager1"])
    with pytest.raises(RuntimeError), transaction.atomic():
        change_status(first, "active", "通过", demo["gm"])
        raise RuntimeError("the approval fails after the number was taken")
    assert not Dossier.objects.exclude(archive_number="").exists()
    second = make_customer()
    second = change_status(second, "in_filing", "备案", demo["manager1"])
    change_status(second, "active", "通过", demo["gm"])
    assert Dossier.objects.get(customer=second).archive_number == f"{YEAR}-SALE-001"


@pytest.mark.django_db
def test_filed_items_get_a_reference_code_that_never_changes(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    dossier = Dossier.objects.get(customer=make_active())
    basic = ArchiveCategory.objects.get(code="basic")
    contracts = ArchiveCategory.objects.get(code="contracts")
    accepted_for_filing(dossier)
    one = services.file_item({"dossier": dossier, "category": basic, "title": "营业执照"})
    two = services.file_item({"dossier": dossier, "category": basic, "title": "开户许可证"})
    three = services.file_item({"dossier": dossier, "category": contracts, "title": "购销合同"})
    assert one.reference_code == f"KH01-JC·{YEAR}-Y-SALE-0001"
    assert two.reference_code == f"KH01-JC·{YEAR}-Y-SALE-0002"
    assert three.reference_code == f"KH01-HT·{YEAR}-D30-SALE-0001"
    # The category's retention changes later: the code of what was filed stays.
    basic.retention = "D10"
    basic.save()
    token = create_token(demo["archivist"], "t")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = api.get(f"/api/v1/archive-items/{one.pk}/").json()
    body.update(title="营业执照（副本）", reference_code="X-1")
    response = api.put(f"/api/v1/archive-items/{one.pk}/", body, content_type="application/json")
    assert response.status_code == 200, response.content
    one.refresh_from_db()
    assert (one.title, one.reference_code) == ("营业执照（副本）", f"KH01-JC·{YEAR}-Y-SALE-0001")
    body["category"] = contracts.pk
    refused = api.put(f"/api/v1/archive-items/{one.pk}/", body, content_type="application/json")
    assert refused.status_code == 400


@pytest.mark.django_db
def test_number_on_the_card_and_in_the_customer_api(
    demo: dict[str, User], client_for: Callable[[str], Client], make_active: Callable[..., Customer]
) -> None:
    customer = make_active()
    number = Dossier.objects.get(customer=customer).archive_number
    card = client_for("manager1").get(f"/customers/{customer.pk}/")
    assert card.status_code == 200
    assert number in card.content.decode()
    token = create_token(demo["manager1"], "t")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get(f"/api/v1/customers/{customer.pk}/").json()["archive_number"] == number
    listed = api.get("/api/v1/customers/", {"q": customer.name}).json()["results"]
    assert [c["archive_number"] for c in listed] == [number]


@pytest.mark.django_db
def test_archivist_opens_a_dossier_for_an_active_customer_and_it_is_numbered(
    demo: dict[str, User], client_for: Callable[[str], Client], make_customer: Callable[..., Any]
) -> None:
    customer = make_customer("manager3")
    customer.status = "active"  # e.g. a customer activated before the archive existed
    customer.save(update_fields=["status"])
    client = client_for("archivist")
    form = client.get("/dossiers/add/")
    data = {
        "customer": customer.pk,
        "title": "",
        "category": ArchiveCategory.objects.get(code="basic").pk,
        "confidentiality": "confidential",
        "_submission": form.context["token"],
    }
    response = client.post("/dossiers/add/", data)
    assert response.status_code == 302
    dossier = Dossier.objects.get(customer=customer)
    assert (dossier.title, dossier.archive_number) == (customer.name, f"{YEAR}-MKT-001")
    again = client.post("/dossiers/add/", {**data, "_submission": "other"})
    assert again.status_code == 400  # one dossier per customer


def _activate_in_thread(pk: int, gm: User, start: threading.Barrier, errors: list[Any]) -> None:
    try:
        start.wait(timeout=30)
        customer = Customer.objects.get(pk=pk)
        change_status(customer, "active", "通过", gm)
    except BaseException as error:
        errors.append(error)
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_activations_get_unique_gap_free_numbers(
    migration_seeds: None, demo: dict[str, User]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); run with KEHU_DATABASE_URL=postgres://…")
    from kehu.archives.tests.conftest import new_customer

    workers = 8
    pks = []
    for _n in range(workers * 2):
        customer = new_customer(demo["manager1"])
        pks.append(change_status(customer, "in_filing", "备案", demo["manager1"]).pk)
    start = threading.Barrier(workers * 2)
    errors: list[Any] = []
    threads = [
        threading.Thread(target=_activate_in_thread, args=(pk, demo["gm"], start, errors))
        for pk in pks
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    numbers = sorted(Dossier.objects.values_list("archive_number", flat=True))
    assert numbers == [f"{YEAR}-SALE-{n:03d}" for n in range(1, workers * 2 + 1)]
