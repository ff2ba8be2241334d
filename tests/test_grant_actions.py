"""An access grant opens, on each related record, only the actions that record type declares
(policy.register_scope(..., grant_actions=...)): a finance user granted "change" on a customer
edits the customer, but not its archive dossier, filed items, documents or bank accounts —
neither on the pages nor through the API."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kehu.archives import services as archives
from kehu.archives.models import ArchiveCategory, Dossier
from kehu.core import policy
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.tests.factories import org_data
from kehu.documents import samples
from kehu.documents import services as documents
from kehu.documents.models import DocumentType
from kehu.privacy import grants
from tests.record_type_samples import accepted_for_filing

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(demo: dict[str, User]) -> dict[str, Any]:
    """An active customer of manager1's with a dossier, an item, a document and a bank
    account; the department head grants the finance user "change" (and so "view") on it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    customer = services.create_customer(org_data(demo["manager1"]))
    customer = services.change_status(customer, "in_filing", "备案", demo["gm"])
    customer = services.change_status(customer, "active", "备案通过", demo["gm"])
    dossier = Dossier.objects.get(customer=customer)
    item = archives.file_item(
        {"dossier": accepted_for_filing(dossier),
         "category": ArchiveCategory.objects.get(code="basic"), "title": "营业执照"}
    )  # fmt: skip
    account = services.create_bank_account(
        {"customer": customer, "account_name": customer.name, "bank_name": "中国银行",
         "account_number": "6222020200112233445"}
    )  # fmt: skip
    upload = SimpleUploadedFile("licence.png", samples.png(), content_type="image/png")
    version = documents.document_upload(
        customer, DocumentType.objects.get(code="business_licence"), upload, demo["manager1"]
    )
    grants.access_grant_create(
        customer,
        user=demo["finance"],
        until=timezone.now() + datetime.timedelta(days=2),
        by=demo["head_sale"],
        reason="对账",
        actions=["change"],
    )
    return {
        "customer": customer,
        "dossier": dossier,
        "item": item,
        "account": account,
        "document": version.document,
    }


def test_a_change_grant_edits_the_customer_but_not_its_archive_documents_or_accounts(
    granted: dict[str, Any],
    demo: dict[str, User],
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:
    page = client_for("finance")
    api = api_for("finance")
    customer, dossier = granted["customer"], granted["dossier"]
    # What the grant is for: the customer itself, and reading its dossier.
    assert page.get(f"/customers/{customer.pk}/edit/").status_code == 200
    assert page.get(f"/dossiers/{dossier.pk}/").status_code == 200
    assert api.get(f"/api/v1/dossiers/{dossier.pk}/").status_code == 200

    # The archive dossier stays read-only, on the page and in the API.
    before = dossier.title
    assert page.get(f"/dossiers/{dossier.pk}/edit/").status_code == 403
    edited = page.post(f"/dossiers/{dossier.pk}/edit/", {"title": "被改了", "version": 1})
    assert edited.status_code == 403
    patched = api.patch(
        f"/api/v1/dossiers/{dossier.pk}/",
        {"title": "被改了", "version": dossier.version},
        content_type="application/json",
    )
    assert patched.status_code == 403
    dossier.refresh_from_db()
    assert dossier.title == before

    item = granted["item"]
    assert page.get(f"/archive-items/{item.pk}/edit/").status_code == 403
    assert (
        api.patch(
            f"/api/v1/archive-items/{item.pk}/",
            {"title": "改", "version": item.version},
            content_type="application/json",
        ).status_code
        == 403
    )

    account = granted["account"]
    assert page.get(f"/bank-accounts/{account.pk}/edit/").status_code == 403
    assert (
        api.patch(
            f"/api/v1/bank-accounts/{account.pk}/",
            {"bank_name": "假银行", "version": account.version},
            content_type="application/json",
        ).status_code
        == 403
    )
    account.refresh_from_db()
    assert account.bank_name == "中国银行"

    document = granted["document"]
    finance = User.objects.get(pk=demo["finance"].pk)
    assert policy.has_perm(finance, "documents.document.view", document)
    assert not policy.has_perm(finance, "documents.document.change", document)
    assert not policy.has_perm(finance, "archives.dossier.change", dossier)
