"""DOC-8: a type that allows several documents per customer (permits, certificates,
statements): each document with its own title, number, expiry and versions; the
single-instance types keep one per customer; the filing checklist, the expiry reminders, the
merge, the type's settings, the pages and the API."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone, translation

from kehu.api.services import create_token
from kehu.core.models import Notification, User
from kehu.customers import duplicates
from kehu.documents import services
from kehu.documents.models import Document, DocumentType
from kehu.documents.tests.conftest import pdf_bytes, upload_file
from kehu.documents.tests.test_documents import make_customer
from kehu.filing import checklist
from kehu.ops.reminders import run_reminders

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def permit() -> DocumentType:
    return DocumentType.objects.get(code="industry_permit")


def put(customer, doc_type, by, **kwargs):  # type: ignore[no-untyped-def]
    return services.document_upload(
        customer, doc_type, upload_file("p.pdf", pdf_bytes()), by, **kwargs
    )


def test_several_documents_of_one_type_each_with_its_own_versions(
    demo: dict[str, User],
) -> None:
    customer = make_customer(demo["manager1"])
    by = demo["manager1"]
    assert permit().multiple
    food = put(customer, permit(), by, title="食品经营许可证", reference="JY1", expires_on=TODAY)
    road = put(customer, permit(), by, title="道路运输许可证", expires_on=TODAY.replace(year=2099))
    assert food.document_id != road.document_id
    renewed = put(
        customer, permit(), by, document=food.document, expires_on=TODAY.replace(year=2098)
    )
    assert renewed.document_id == food.document_id and renewed.number == 2
    food_doc = Document.objects.get(pk=food.document_id)
    assert food_doc.title == "食品经营许可证" and food_doc.reference == "JY1"
    assert food_doc.expires_on == TODAY.replace(year=2098)
    assert food_doc.label == "行业许可证 · 食品经营许可证 · JY1"
    # A number the customer already holds for this type is refused; nothing is stored.
    with pytest.raises(ValidationError) as refused:
        put(customer, permit(), by, title="另一张", reference="JY1")
    assert "reference" in refused.value.message_dict
    assert Document.objects.filter(customer=customer, doc_type=permit()).count() == 2
    # Without a title, the type's name and a count.
    third = put(customer, permit(), by)
    assert third.document.title == "行业许可证 3"
    # A document of another customer or another type is not a target.
    other = make_customer(demo["manager1"])
    with pytest.raises(ValidationError):
        put(other, permit(), by, document=food.document)


def test_single_instance_types_keep_one_document(demo: dict[str, User]) -> None:
    customer = make_customer(demo["manager1"])
    licence = DocumentType.objects.get(code="business_licence")
    first = put(customer, licence, demo["manager1"], title="ignored")
    second = put(customer, licence, demo["manager1"])
    assert first.document_id == second.document_id and second.number == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(customer=customer, doc_type=licence)


def test_checklist_counts_a_type_present_while_one_is_valid(demo: dict[str, User]) -> None:
    from kehu.filing.tests.conftest import make_customer as filing_customer

    customer = filing_customer(demo["manager1"], industry="F")  # food: needs the permit
    by = demo["manager1"]

    def state() -> str:
        entries = {e.key: e for e in checklist.evaluate(customer)}
        return entries["doc:industry_permit"].state

    assert state() == checklist.MISSING
    old = put(customer, permit(), by, title="旧证", expires_on=TODAY - datetime.timedelta(days=3))
    assert state() == checklist.EXPIRED
    fresh = put(
        customer, permit(), by, title="新证", expires_on=TODAY + datetime.timedelta(days=90)
    )
    entry = {e.key: e for e in checklist.evaluate(customer)}["doc:industry_permit"]
    assert entry.state == checklist.OK and entry.document_id == fresh.document_id
    assert old.document_id != fresh.document_id


def test_expiry_reminders_per_document(demo: dict[str, User]) -> None:
    customer = make_customer(demo["manager1"], name="上海多证测试有限公司")
    by = demo["manager1"]
    put(customer, permit(), by, title="甲证", expires_on=TODAY - datetime.timedelta(days=1))
    put(customer, permit(), by, title="乙证", expires_on=TODAY - datetime.timedelta(days=2))
    put(customer, permit(), by, title="丙证", expires_on=TODAY.replace(year=2099))
    with translation.override("en"):
        assert run_reminders(kinds=["documents.expiry"]) == {"documents.expiry": 2}
    titles = set(Notification.objects.filter(user=by).values_list("title", flat=True))
    assert any("甲证" in t for t in titles) and any("乙证" in t for t in titles)


def test_merge_keeps_both_customers_documents_of_a_several_type(demo: dict[str, User]) -> None:
    by = demo["manager1"]
    keep, gone = make_customer(by), make_customer(by)
    a = put(keep, permit(), by, title="甲证")
    b = put(gone, permit(), by, title="乙证")
    with transaction.atomic():
        moved = services.move_on_merge(keep, gone)
    assert moved == 1
    assert set(Document.objects.filter(customer=keep).values_list("pk", flat=True)) == {
        a.document_id,
        b.document_id,
    }
    assert duplicates.resolve(keep) == keep


def test_switching_a_type_back_to_single_is_refused_while_used(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    customer = make_customer(demo["manager1"])
    iso = DocumentType.objects.get(code="iso_certificate")
    put(customer, iso, demo["manager1"], title="ISO 9001")
    put(customer, iso, demo["manager1"], title="ISO 14001")
    with pytest.raises(ValidationError) as refused:
        services.document_type_update(iso, {"multiple": False}, iso.version)
    assert "multiple" in refused.value.message_dict
    assert DocumentType.objects.get(pk=iso.pk).multiple
    # A single-instance type becomes one that allows several, and back while unused twice.
    credit = DocumentType.objects.get(code="address_proof")
    put(customer, credit, demo["manager1"])
    credit = services.document_type_update(credit, {"multiple": True}, credit.version)
    assert not Document.objects.get(customer=customer, doc_type=credit).is_single
    credit = services.document_type_update(credit, {"multiple": False}, credit.version)
    assert Document.objects.get(customer=customer, doc_type=credit).is_single


def test_pages_upload_a_second_document_and_a_new_version(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    customer = make_customer(demo["manager1"])
    client = client_for("manager1")
    url = f"/customers/{customer.pk}/documents/upload/"
    for title in ("食品经营许可证", "排污许可证"):
        response = client.post(
            url,
            {
                "doc_type": "industry_permit",
                "title": title,
                "reference": title[:2],
                "file": upload_file("p.pdf", pdf_bytes()),
            },
        )
        assert response.status_code == 302, response.content
    documents = list(Document.objects.filter(customer=customer).order_by("pk"))
    assert [d.title for d in documents] == ["食品经营许可证", "排污许可证"]
    page = client.get(f"/documents/{documents[0].pk}/")
    assert f"document={documents[0].pk}" in page.content.decode()
    form = client.get(f"{url}?type=industry_permit&document={documents[0].pk}")
    assert form.context["form"].initial["title"] == "食品经营许可证"
    response = client.post(
        url,
        {
            "doc_type": "industry_permit",
            "document": documents[0].pk,
            "file": upload_file("p2.pdf", pdf_bytes("renewed")),
        },
    )
    assert response.status_code == 302
    assert documents[0].versions.count() == 2 and documents[1].versions.count() == 1
    # Another customer's document is not a door: 404.
    stranger = make_customer(demo["manager3"])
    response = client_for("manager3").get(
        f"/customers/{stranger.pk}/documents/upload/?document={documents[0].pk}"
    )
    assert response.status_code == 404
    card = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "排污许可证" in card


def test_api_documents_of_a_several_type(demo: dict[str, User]) -> None:
    customer = make_customer(demo["manager1"])
    _token, raw = create_token(demo["manager1"], "test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/v1/customers/{customer.pk}/documents/"
    first = client.post(
        url,
        {"file": upload_file("a.pdf", pdf_bytes()), "doc_type": "iso_certificate",
         "title": "ISO 9001", "reference": "Q-1"},
    )  # fmt: skip
    assert first.status_code == 201, first.content
    second = client.post(
        url,
        {"file": upload_file("b.pdf", pdf_bytes()), "doc_type": "iso_certificate",
         "document": first.json()["document"]},
    )  # fmt: skip
    assert second.status_code == 201 and second.json()["version"] == 2
    duplicate = client.post(
        url,
        {"file": upload_file("c.pdf", pdf_bytes()), "doc_type": "iso_certificate",
         "title": "again", "reference": "Q-1"},
    )  # fmt: skip
    assert duplicate.status_code == 400 and "reference" in duplicate.json()
    listed = client.get(url).json()
    assert [(d["title"], d["reference"]) for d in listed] == [("ISO 9001", "Q-1")]
    elsewhere = make_customer(demo["manager1"])
    moved = client.post(
        f"/api/v1/customers/{elsewhere.pk}/documents/",
        {"file": upload_file("d.pdf", pdf_bytes()), "doc_type": "iso_certificate",
         "document": first.json()["document"]},
    )  # fmt: skip
    assert moved.status_code == 404
