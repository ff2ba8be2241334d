"""PRV-2: access/copy, correction and deletion requests as workflow cases with a deadline
of 15 working days; deletion anonymises, or restricts while an archive retention runs; the
deletion ledger re-applies deletions after a restore."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from kehu.audit.context import SYSTEM, acting_as
from kehu.core.calendar import add_working_days
from kehu.core.models import User
from kehu.customers import search
from kehu.customers.models import Customer
from kehu.privacy import requests
from kehu.privacy.models import DeletionLedger, Restriction, SubjectRequest
from kehu.workflow import services as workflow
from tests.record_type_samples import accepted_for_filing

pytestmark = pytest.mark.django_db
PHONE = "13766667777"


def register(client: Client, person: Customer, kind: str) -> SubjectRequest:
    response = client.post(
        f"/privacy/requests/customers.customer/{person.pk}/new/",
        {"kind": kind, "received_on": "2026-11-20", "details": "本人来电，已核对身份证"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return SubjectRequest.objects.latest("pk")


def handle(request: SubjectRequest, by: User, outcome: str = "done") -> None:
    assert request.case is not None
    step = request.case.steps.get()
    workflow.complete_step(step, by=by, outcome=outcome, comment="已处理")
    request.refresh_from_db()


def test_deletion_request_anonymises_and_survives_a_restore(
    make_person: Callable[..., Customer],
    demo: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    person = make_person(phone=PHONE)
    name = person.name
    request = register(client_for("manager1"), person, "deletion")
    assert request.case is not None and request.case.process == requests.PROCESS
    (step,) = request.case.steps.all()
    assert step.assignee_role == "compliance"
    assert step.due_date == add_working_days(timezone.localdate(), 15)
    # The compliance officer sees it among their tasks and the request page.
    assert client_for("compliance").get(f"/privacy/requests/{request.pk}/").status_code == 200
    assert client_for("manager4").get(f"/privacy/requests/{request.pk}/").status_code == 404

    handle(request, demo["compliance"])
    person.refresh_from_db()
    assert request.outcome == "done" and "已处理" in request.outcome_note
    assert person.name != name and person.phone == "" and person.id_number == ""
    assert not search.filter_text(Customer.objects.all(), PHONE, demo["auditor"]).exists()
    assert not search.filter_text(Customer.objects.all(), name).exists()
    (entry,) = DeletionLedger.objects.all()
    assert entry.action == "anonymised" and name not in json.dumps(entry.fields)

    # A restore from an older backup brings the data back; the ledger applies it again.
    Customer.objects.filter(pk=person.pk).update(name=name)
    call_command("privacy_reapply")
    person.refresh_from_db()
    assert person.name.startswith(requests.ANONYMOUS)


def test_access_request_gives_a_package(
    make_person: Callable[..., Customer],
    demo: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    person = make_person(phone=PHONE)
    request = register(client_for("manager1"), person, "access")
    handle(request, demo["compliance"])
    response = client_for("compliance").get(f"/privacy/requests/{request.pk}/package/")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    data = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("personal-data.json"))
    assert data["data"]["name"] == person.name and data["data"]["phone"] == PHONE


def test_refusal_needs_a_reason_and_changes_nothing(
    make_person: Callable[..., Customer],
    demo: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    person = make_person()
    request = register(client_for("manager1"), person, "deletion")
    handle(request, demo["compliance"], outcome="rejected")
    assert request.outcome == "rejected"
    assert Customer.objects.get(pk=person.pk).name == person.name


def test_deletion_under_archive_retention_restricts_instead(
    make_person: Callable[..., Customer],
    demo: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kehu.archives import services as archives
    from kehu.archives.services import default_category
    from kehu.documents import samples
    from kehu.documents import services as documents
    from kehu.documents.models import DocumentType

    person = make_person(phone=PHONE)
    with acting_as(SYSTEM):
        dossier = archives.open_dossier(person)
        archives.file_item(
            {
                "dossier": accepted_for_filing(dossier),
                "category": default_category(),
                "title": "合同",
            }
        )
        scan = SimpleUploadedFile("身份证.png", samples.png(), content_type="image/png")
        version = documents.document_upload(
            person, DocumentType.objects.get(code="business_licence"), scan, demo["manager1"]
        )
    owner = client_for("manager1")
    assert owner.get(f"/documents/versions/{version.pk}/download/").status_code == 200
    request = register(client_for("manager1"), person, "deletion")
    handle(request, demo["compliance"])
    assert Restriction.objects.filter(customer=person).exists()
    assert Customer.objects.get(pk=person.pk).phone == PHONE  # kept, in storage only
    # Out of every use: card, documents, list, search, API, export.
    assert owner.get(f"/customers/{person.pk}/").status_code == 404
    assert owner.get(f"/documents/versions/{version.pk}/download/").status_code == 404
    assert person.name not in owner.get("/customers/", {"register": "all"}).content.decode()
    exported = client_for("auditor").get("/customers/export.xlsx").content
    sheet = load_workbook(io.BytesIO(exported)).active
    assert sheet is not None
    assert person.name not in {str(v) for row in sheet.iter_rows(values_only=True) for v in row}
    assert DeletionLedger.objects.get().action == "restricted"
    Restriction.objects.all().delete()  # an older backup restored
    call_command("privacy_reapply")
    assert Restriction.objects.filter(customer=person).exists()


def test_only_who_may_change_the_customer_registers_requests(
    make_person: Callable[..., Customer], client_for: Callable[[str], Client]
) -> None:
    person = make_person()
    url = f"/privacy/requests/customers.customer/{person.pk}/new/"
    assert client_for("manager2").get(url).status_code == 403
    assert client_for("manager1").get(url).status_code == 200


def test_a_contacts_access_package_includes_the_confidential_profile_section(
    make_org: Callable[..., Customer],
    demo: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    """docs/user-guide.md (个人信息查阅权): the person's legal right of access wins over the
    dossier's confidentiality: every section of the extended profile is in the package."""
    from kehu.customers import services
    from kehu.privacy import consent, profile

    contact = services.create_contact({"customer": make_org("manager1"), "name": "王芳"})
    consent.record_consent(
        contact,
        {
            "purpose": "profile",
            "scope": "客户画像",
            "given_on": datetime.date(2026, 1, 5),
            "channel": "written",
        },
        demo["manager1"],
        None,
    )
    secret = "与竞争对手有私交，勿透露报价底线"
    profile.save_profile(
        demo["manager1"], contact, {"interests": "钓鱼", "confidential": secret}, None
    )
    response = client_for("manager1").post(
        f"/privacy/requests/customers.contact/{contact.pk}/new/",
        {"kind": "access", "received_on": "2026-11-20", "details": "本人书面申请，已核对身份证"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    request = SubjectRequest.objects.latest("pk")
    handle(request, demo["compliance"])
    package = client_for("compliance").get(f"/privacy/requests/{request.pk}/package/")
    assert package.status_code == 200
    content = b"".join(package.streaming_content)  # type: ignore[attr-defined]
    data = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("personal-data.json"))
    assert data["data"]["name"] == "王芳"
    assert data["extended_profile"]["confidential"] == secret
    assert data["extended_profile"]["interests"] == "钓鱼"
