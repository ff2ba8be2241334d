"""Data provided outside the owning department: a request with purpose and agreement, consent
where personal data is included, approval as a workflow case (four-eyes), the record of the
provision, and the register (scoped, exported, audited). Refusals change nothing."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from kehu.audit.models import AuditEvent
from kehu.core.models import OrgUnit, User
from kehu.customers import services as customer_services
from kehu.customers.models import Customer
from kehu.documents import samples
from kehu.privacy import consent, disclosures
from kehu.privacy.models import Disclosure, DisclosureStatus
from kehu.workflow import services as workflow
from kehu.workflow.models import Case, Step, StepStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]


def agreement(content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "保密协议.pdf", content or samples.pdf("Data sharing agreement"), "application/pdf"
    )


def request_external(customer: Customer, by: User, **overrides: Any) -> Disclosure:
    data: dict[str, Any] = {
        "recipient_kind": "external",
        "recipient_name": "上海某征信服务有限公司",
        "purpose": "合作方资信核查",
        "categories": ["basic", "documents"],
        "agreement": agreement(),
        "agreement_reference": "XY-2026-018",
    }
    data.update(overrides)
    return disclosures.request_disclosure(customer, by=by, **data)


def open_step(disclosure: Disclosure) -> Step:
    assert disclosure.case_id is not None
    return Step.objects.get(case_id=disclosure.case_id, status=StepStatus.OPEN)


def test_request_approve_provide_and_register(
    make_org: Callable[..., Customer], demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    customer = make_org("manager1")
    disclosure = request_external(customer, demo["manager1"])
    assert disclosure.status == DisclosureStatus.REQUESTED
    assert disclosure.agreement_name == "保密协议.pdf"
    step = open_step(disclosure)
    assert step.key == "head_approval"
    workflow.complete_step(step, by=demo["head_sale"], outcome="approved")
    disclosure.refresh_from_db()
    assert disclosure.status == DisclosureStatus.APPROVED  # no personal data: no compliance step
    assert disclosure.case is not None and disclosure.case.closed_at is not None

    owner = client_for("manager1")
    page = owner.get(f"/privacy/disclosures/{disclosure.pk}/")
    assert page.status_code == 200 and "provision-form" in page.content.decode()
    response = owner.post(
        f"/privacy/disclosures/{disclosure.pk}/provide/",
        {"provided_on": "2026-12-01", "method": "加密邮件发送至对方风控部"},
    )
    assert response.status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.status == DisclosureStatus.PROVIDED
    assert disclosure.provided_on == datetime.date(2026, 12, 1)
    actions = set(
        AuditEvent.objects.filter(
            object_type="privacy.disclosure", object_id=str(disclosure.pk)
        ).values_list("action", flat=True)
    )
    assert {"privacy.disclosure.request", "privacy.disclosure.approve"} <= actions
    assert "privacy.disclosure.provide" in actions

    register = client_for("head_sale").get("/privacy/disclosures/", {"q": customer.name})
    assert customer.name in register.content.decode()
    export = client_for("auditor").get("/privacy/disclosures/", {"format": "xlsx"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "上海某征信服务有限公司" in cells and "XY-2026-018" in cells
    assert AuditEvent.objects.filter(action="privacy.disclosure.export").exists()
    download = owner.get(f"/privacy/disclosures/{disclosure.pk}/agreement/")
    assert download.status_code == 200
    assert AuditEvent.objects.filter(action="privacy.disclosure.download").exists()


def test_another_department_sees_nothing(
    make_org: Callable[..., Customer], demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    disclosure = request_external(make_org("manager1"), demo["manager1"])
    outsider = client_for("manager3")
    assert outsider.get(f"/privacy/disclosures/{disclosure.pk}/").status_code == 404
    assert outsider.get(f"/privacy/disclosures/{disclosure.pk}/agreement/").status_code == 404
    assert disclosure.recipient_name not in outsider.get("/privacy/disclosures/").content.decode()
    assert disclosure not in disclosures.visible_disclosures(demo["manager3"])


def test_only_the_owner_or_the_head_may_request(
    make_org: Callable[..., Customer], demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    customer = make_org("manager1")
    for username in ("manager2", "auditor", "compliance"):
        with pytest.raises(PermissionDenied):
            request_external(customer, demo[username])
        assert client_for(username).get(
            f"/customers/{customer.pk}/disclosures/new/"
        ).status_code in (
            403,
            404,
        )
    assert Disclosure.objects.count() == 0
    assert (
        client_for("manager1").get(f"/customers/{customer.pk}/disclosures/new/").status_code == 200
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"agreement": None}, "agreement"),
        ({"agreement": agreement(samples.pdf() + b"<script>alert(1)</script>")}, "agreement"),
        ({"purpose": "  "}, "purpose"),
        ({"categories": []}, "categories"),
        ({"categories": ["basic", "everything"]}, "categories"),
        ({"recipient_name": ""}, "recipient_name"),
        ({"recipient_name": "某" * 201}, "recipient_name"),  # refused, not cut to fit
        ({"agreement_reference": "X" * 101}, "agreement_reference"),
        ({"recipient_kind": "department", "recipient_unit": None}, "recipient_unit"),
        ({"categories": ["personal"]}, "categories"),  # an organisation has no personal data
    ],
)
def test_bad_requests_are_refused_and_change_nothing(
    make_org: Callable[..., Customer], demo: dict[str, User], overrides: dict[str, Any], field: str
) -> None:
    customer = make_org("manager1")
    events, cases = AuditEvent.objects.count(), Case.objects.count()
    with pytest.raises(ValidationError) as error:
        request_external(customer, demo["manager1"], **overrides)
    assert field in error.value.message_dict
    assert Disclosure.objects.count() == 0
    assert (AuditEvent.objects.count(), Case.objects.count()) == (events, cases)


def test_own_department_is_not_a_recipient(
    make_org: Callable[..., Customer], demo: dict[str, User]
) -> None:
    customer = make_org("manager1")
    with pytest.raises(ValidationError) as error:
        request_external(
            customer, demo["manager1"], recipient_kind="department", recipient_unit=customer.unit
        )
    assert "recipient_unit" in error.value.message_dict
    other = OrgUnit.objects.get(code="MKT")
    made = request_external(
        customer, demo["manager1"], recipient_kind="department", recipient_unit=other,
        recipient_name="", agreement=None,
    )  # fmt: skip
    assert made.recipient_name == other.name


def test_contacts_need_their_consent_and_compliance_approves_too(
    make_org: Callable[..., Customer], demo: dict[str, User]
) -> None:
    customer = make_org("manager1")
    contact = customer_services.create_contact(
        {"customer": customer, "name": "李敏", "is_primary": True}
    )
    with pytest.raises(ValidationError) as error:
        request_external(customer, demo["manager1"], categories=["basic", "contacts"])
    assert "李敏" in " ".join(error.value.message_dict["categories"])
    assert Disclosure.objects.count() == 0
    consent.record_consent(
        contact,
        {"purpose": "sharing", "scope": "向合作方提供", "given_on": datetime.date(2026, 3, 1),
         "channel": "written"},
        demo["manager1"],
        None,
    )  # fmt: skip
    disclosure = request_external(customer, demo["manager1"], categories=["basic", "contacts"])
    workflow.complete_step(open_step(disclosure), by=demo["head_sale"], outcome="approved")
    disclosure.refresh_from_db()
    assert disclosure.status == DisclosureStatus.REQUESTED  # personal data: compliance next
    second = open_step(disclosure)
    assert second.key == "compliance_approval"
    workflow.complete_step(
        second, by=demo["compliance"], outcome="rejected", comment="协议未约定删除期限"
    )
    disclosure.refresh_from_db()
    assert disclosure.status == DisclosureStatus.REJECTED
    with pytest.raises(ValidationError):
        disclosures.record_provision(
            disclosure, by=demo["manager1"], provided_on=datetime.date(2026, 12, 1), method="邮件"
        )
    disclosure.refresh_from_db()
    assert disclosure.status == DisclosureStatus.REJECTED


def test_the_head_who_asks_does_not_approve(
    make_org: Callable[..., Customer], demo: dict[str, User]
) -> None:
    disclosure = request_external(make_org("manager1"), demo["head_sale"])
    step = open_step(disclosure)
    assert not workflow.may_act(demo["head_sale"], step) or workflow.four_eyes_refusal(
        demo["head_sale"], step
    )
    with pytest.raises((PermissionDenied, ValidationError)):
        workflow.complete_step(step, by=demo["head_sale"], outcome="approved")
    disclosure.refresh_from_db()
    assert disclosure.status == DisclosureStatus.REQUESTED


def test_nothing_is_provided_before_approval(
    make_org: Callable[..., Customer], demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    disclosure = request_external(make_org("manager1"), demo["manager1"])
    response = client_for("manager1").post(
        f"/privacy/disclosures/{disclosure.pk}/provide/",
        {"provided_on": "2026-12-01", "method": "邮件"},
    )
    assert response.status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.status == DisclosureStatus.REQUESTED
    assert not AuditEvent.objects.filter(action="privacy.disclosure.provide").exists()


def test_the_card_offers_the_request_and_the_form_files_it(
    make_org: Callable[..., Customer], client_for: Callable[[str], Client]
) -> None:
    customer = make_org("manager1")
    owner = client_for("manager1")
    card = owner.get(f"/customers/{customer.pk}/").content.decode()
    assert f"/customers/{customer.pk}/disclosures/new/" in card
    response = owner.post(
        f"/customers/{customer.pk}/disclosures/new/",
        {
            "recipient_kind": "external",
            "recipient_name": "某银行股份有限公司",
            "purpose": "开户资料核验",
            "categories": ["basic"],
            "agreement": agreement(),
            "agreement_reference": "BANK-7",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Disclosure.objects.get()
    assert response["Location"] == f"/privacy/disclosures/{made.pk}/"
    refused = owner.post(
        f"/customers/{customer.pk}/disclosures/new/",
        {"recipient_kind": "external", "recipient_name": "某公司", "purpose": "x",
         "categories": ["basic"]},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "agreement" in refused.content.decode() or "协议" in refused.content.decode()
    assert Disclosure.objects.count() == 1
