"""CON-2: the contract dossier checklist per contract type; items filed as document versions
of the customer's dossier, bound to the contract; what is missing is shown."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kehu.contracts import checklist, services
from kehu.contracts.models import Contract, ContractDocument
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.documents import samples
from kehu.documents.models import DocumentType, DocumentVersion

pytestmark = pytest.mark.django_db


def _pdf(name: str = "合同.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.pdf(), content_type="application/pdf")


def _required(contract_type: str, make: Callable[..., Contract], customer: Customer) -> set[str]:
    contract = make(customer, contract_type=contract_type)
    return {e.code for e in checklist.evaluate(contract) if e.required}


def test_each_contract_type_has_its_checklist(
    make_customer: Callable[..., Customer], make_contract: Callable[..., Contract]
) -> None:
    customer = make_customer()
    sales = _required("sales", make_contract, customer)
    purchase = _required("purchase", make_contract, customer)
    supplement = _required("supplement", make_contract, customer)
    common = {
        "contract_negotiation",
        "contract_counterparty_licence",
        "contract_counterparty_poa",
        "contract_own_poa",
        "contract_original",
    }
    assert sales == common | {"contract_feasibility", "contract_capacity_proof"}
    assert purchase == sales | {"contract_acceptance"}
    assert supplement == common
    guarantor = {e.code: e for e in checklist.evaluate(make_contract(customer))}
    assert guarantor["contract_guarantor"].state == checklist.OPTIONAL


def test_filing_an_item_fills_the_checklist_and_the_customers_documents(
    demo: dict[str, User],
    make_customer: Callable[..., Customer],
    make_contract: Callable[..., Contract],
) -> None:
    customer = make_customer()
    contract = make_contract(customer, contract_type="supplement")
    assert len(checklist.missing(checklist.evaluate(contract))) == 5
    original = DocumentType.objects.get(code="contract_original")
    item = services.contract_document_attach(contract, original, _pdf(), by=demo["manager1"])
    assert item.version.document.customer == customer
    entries = {e.code: e for e in checklist.evaluate(contract)}
    assert entries["contract_original"].state == checklist.OK
    assert entries["contract_original"].filed == (item,)
    assert len(checklist.missing(list(entries.values()))) == 4
    # Another contract of the customer still misses its own original.
    other = make_contract(customer, contract_type="supplement")
    assert "contract_original" in {e.code for e in checklist.missing(checklist.evaluate(other))}


def test_a_refused_file_or_type_stores_nothing(
    demo: dict[str, User],
    make_customer: Callable[..., Customer],
    make_contract: Callable[..., Contract],
) -> None:
    contract = make_contract(make_customer())
    licence = DocumentType.objects.get(code="business_licence")
    with pytest.raises(ValidationError):
        services.contract_document_attach(contract, licence, _pdf(), by=demo["manager1"])
    original = DocumentType.objects.get(code="contract_original")
    script = SimpleUploadedFile("x.pdf", b"#!/bin/sh\necho hi\n", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.contract_document_attach(contract, original, script, by=demo["manager1"])
    assert not ContractDocument.objects.exists()
    assert not DocumentVersion.objects.exists()


def test_the_contract_page_shows_what_is_missing_and_files_items(
    make_customer: Callable[..., Customer],
    make_contract: Callable[..., Contract],
    client_for: Callable[..., Client],
    api_for: Callable[[str], Client],
) -> None:
    contract = make_contract(make_customer())
    client = client_for("manager1")
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'id="checklist-missing"' in page and 'data-item="contract_feasibility"' in page
    response = client.post(
        f"/contracts/{contract.pk}/attach/",
        {"doc_type": "contract_feasibility", "file": _pdf("可研报告.pdf"), "note": ""},
    )
    assert response.status_code == 302
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'data-item="contract_feasibility" data-state="ok"' in page
    assert "可研报告.pdf" in page
    # Not the manager's customer: no filing.
    refused = client_for("manager2").post(
        f"/contracts/{contract.pk}/attach/", {"doc_type": "contract_original", "file": _pdf()}
    )
    assert refused.status_code == 403
    api = api_for("manager1")
    listed = api.get(f"/api/v1/contracts/{contract.pk}/checklist/").json()
    assert {row["code"]: row["state"] for row in listed}["contract_feasibility"] == "ok"
    filed = api.post(
        f"/api/v1/contracts/{contract.pk}/checklist/",
        {"doc_type": "contract_original", "file": _pdf()},
    )
    assert filed.status_code == 201
    assert {row["code"]: row["state"] for row in filed.json()}["contract_original"] == "ok"


def test_contract_document_types_are_not_missing_on_the_card(
    make_customer: Callable[..., Customer], client_for: Callable[..., Client]
) -> None:
    customer = make_customer()
    card = client_for("manager1").get(f"/customers/{customer.pk}/").content.decode()
    assert "合同正本" not in card and "谈判记录" not in card


def test_each_contracts_original_is_a_document_of_its_own(
    demo: dict[str, User],
    make_customer: Callable[..., Customer],
    make_contract: Callable[..., Contract],
) -> None:
    customer = make_customer()
    first = make_contract(customer, title="甲合同")
    second = make_contract(customer, title="乙合同")
    original = DocumentType.objects.get(code="contract_original")
    assert original.multiple
    by = demo["manager1"]
    a1 = services.contract_document_attach(first, original, _pdf(), by=by)
    b1 = services.contract_document_attach(second, original, _pdf(), by=by)
    a2 = services.contract_document_attach(first, original, _pdf("签字版.pdf"), by=by)
    assert a1.version.document_id == a2.version.document_id != b1.version.document_id
    assert (a1.version.number, a2.version.number, b1.version.number) == (1, 2, 1)
    document = a2.version.document
    assert (document.title, document.reference) == ("甲合同", first.number)
    assert document.current_id == a2.version_id


def test_the_migration_splits_one_document_filed_for_several_contracts(
    demo: dict[str, User],
    make_customer: Callable[..., Customer],
    make_contract: Callable[..., Contract],
) -> None:
    """The data as it was: one document per customer and type, its versions filed for
    several contracts; the migration gives each contract its document."""
    import importlib

    from django.apps import apps

    from kehu.archives.models import DossierItem
    from kehu.documents.models import Document

    split = importlib.import_module(
        "kehu.contracts.migrations.0005_one_document_per_contract_item"
    ).split
    customer = make_customer()
    first, second = make_contract(customer), make_contract(customer)
    original = DocumentType.objects.get(code="contract_original")
    by = demo["manager1"]
    items = [
        services.contract_document_attach(contract, original, _pdf(), by=by)
        for contract in (first, second, first)
    ]
    # Back to the old shape: every version under the first document, numbered 1, 2, 3.
    old = items[0].version.document
    for n, item in enumerate(items, start=1):
        DocumentVersion.objects.filter(pk=item.version_id).update(document=old, number=n + 10)
    for n, item in enumerate(items, start=1):
        DocumentVersion.objects.filter(pk=item.version_id).update(number=n)
    Document.objects.filter(customer=customer).exclude(pk=old.pk).delete()
    Document.objects.filter(pk=old.pk).update(current=items[2].version, title="", reference="")
    split(apps, None)
    documents = {d.reference: d for d in Document.objects.filter(customer=customer)}
    assert set(documents) == {first.number, second.number}
    assert documents[first.number].pk == old.pk  # it held the current version
    assert [v.number for v in documents[first.number].versions.order_by("number")] == [1, 2]
    assert documents[first.number].current_id == items[2].version_id
    assert documents[second.number].current_id == items[1].version_id
    assert DocumentVersion.objects.count() == 3
    assert not DossierItem.objects.exists()
