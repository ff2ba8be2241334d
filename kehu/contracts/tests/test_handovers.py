"""CON-3: after signing, changing or ending a contract its handler hands the dossier to the
contract officer within the configured period (default 10 days, moved past holidays), who
hands it to the archive room within a month; both receipts are recorded, overdue hand-overs
are flagged on the ledger and the card, reminded and escalated by the workflow, and the
archive room's receipt files the items into the customer's dossier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kehu.archives.models import DossierItem
from kehu.archives.services import open_dossier
from kehu.contracts import handovers, services
from kehu.contracts.models import Contract, ContractSettings, Handover
from kehu.core.models import Notification, User
from kehu.customers.models import Customer
from kehu.documents import samples
from kehu.documents.models import DocumentType
from kehu.ops.reminders import run_reminders
from kehu.workflow.errors import WorkflowError
from tests.record_type_samples import accepted_for_filing

pytestmark = pytest.mark.django_db

SIGNED = dt.date(2026, 9, 21)  # + 10 days = 1 October, National Day: due 8 October


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.date], None]:
    def set_today(day: dt.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)

    return set_today


@pytest.fixture
def signed(
    demo: dict[str, User],
    fixed_today: Callable[[dt.date], None],
    make_customer: Callable[..., Customer],
    make_contract: Callable[..., Contract],
) -> Contract:
    fixed_today(SIGNED)
    contract = make_contract(make_customer(), effective_on=SIGNED)
    original = DocumentType.objects.get(code="contract_original")
    upload = SimpleUploadedFile("合同正本.pdf", samples.pdf(), content_type="application/pdf")
    services.contract_document_attach(contract, original, upload, by=demo["manager1"])
    return services.contract_transition(contract, "signed", by=demo["manager1"], on=SIGNED)


def _receipt(handover: Handover, items: list[str], note: str = "") -> handovers.ReceiptForm:
    return handovers.ReceiptForm({"items": items, "note": note}, contract=handover.contract)


def test_the_deadline_counts_days_and_moves_past_the_holiday(
    demo: dict[str, User], signed: Contract
) -> None:
    (handover,) = Handover.objects.filter(contract=signed)
    assert (handover.stage, handover.status) == ("officer", "open")
    assert handover.due_on == dt.date(2026, 10, 8)
    assert handover.handed_by == demo["manager1"]
    assert handover.step is not None and handover.step.due_date == dt.date(2026, 10, 8)
    assert handover.step.assignee_role == "contract_officer"
    assert Notification.objects.filter(user=demo["manager1"], title__contains=signed.number)
    assert handovers.officer_due(dt.date(2026, 9, 21), days=5) == dt.date(2026, 9, 28)
    config = ContractSettings.current()
    services.settings_save({"handover_days": 3}, config.version)
    assert handovers.officer_due(dt.date(2026, 9, 21)) == dt.date(2026, 9, 24)


def steps_told(day: dt.date) -> int:
    return run_reminders(day, ["workflow.step"])["workflow.step"]


def test_reminded_before_and_escalated_after_the_deadline(
    demo: dict[str, User], signed: Contract, fixed_today: Callable[[dt.date], None]
) -> None:
    # The last working day before the holiday is the day before the deadline.
    assert steps_told(dt.date(2026, 9, 29)) == 0
    assert steps_told(dt.date(2026, 9, 30)) >= 1
    assert Notification.objects.filter(user=demo["credit"], title__contains="Due 2026-10-08")
    assert steps_told(dt.date(2026, 10, 8)) == 0  # due today: not late
    assert steps_told(dt.date(2026, 10, 9)) >= 2  # overdue: the contract officer and the head
    step = Handover.objects.get(contract=signed).step
    assert step is not None and step.escalated_at is not None
    assert Notification.objects.filter(user=demo["head_sale"], title__contains="Escalated")
    assert steps_told(dt.date(2026, 10, 12)) == 0  # once


def test_an_overdue_hand_over_is_flagged_on_the_ledger_and_the_card(
    signed: Contract, fixed_today: Callable[[dt.date], None], client_for: Callable[..., Client]
) -> None:
    client = client_for("head_sale")
    fixed_today(dt.date(2026, 10, 8))
    assert not client.get("/contracts/", {"handover_overdue": "true"}).context["page"].rows
    fixed_today(dt.date(2026, 10, 9))
    page = client.get("/contracts/", {"handover_overdue": "true"})
    assert [row.pk for row in page.context["page"].rows] == [signed.pk]
    assert "2026-10-08 已逾期" in page.content.decode()  # the page speaks Chinese
    card = client.get(f"/customers/{signed.customer_id}/").content.decode()
    assert "card-handover-overdue" in card
    detail = client.get(f"/contracts/{signed.pk}/").content.decode()
    assert 'id="handover-overdue"' in detail


def test_both_receipts_are_recorded_and_the_archive_files_the_items(
    demo: dict[str, User], signed: Contract, fixed_today: Callable[[dt.date], None]
) -> None:
    first = Handover.objects.get(contract=signed)
    with pytest.raises(WorkflowError):  # only the contract officer receives
        handovers.handover_receive(
            first, by=demo["archivist"], form=_receipt(first, ["contract_original"])
        )
    fixed_today(dt.date(2026, 10, 9))
    items = ["contract_original", "contract_negotiation"]
    received = handovers.handover_receive(
        first, by=demo["credit"], form=_receipt(first, items, "原件")
    )
    assert (received.status, received.received_by) == ("received", demo["credit"])
    assert [item["code"] for item in received.items] == items
    assert received.items[0]["documents"] and received.items[1]["documents"] == []
    second = Handover.objects.get(contract=signed, stage="archive_room")
    assert second.handed_by == demo["credit"]
    assert second.due_on == dt.date(2026, 11, 9)  # a month after the receipt
    assert second.step is not None and second.step.assignee_role == "archivist"
    fixed_today(dt.date(2026, 10, 20))
    with pytest.raises(ValidationError):  # the check before filing into the archive first
        handovers.handover_receive(second, by=demo["archivist"], form=_receipt(second, items))
    second.refresh_from_db()
    assert second.status != "received"
    accepted_for_filing(open_dossier(signed.customer))
    done = handovers.handover_receive(second, by=demo["archivist"], form=_receipt(second, items))
    assert done.status == "received"
    filed = DossierItem.objects.filter(dossier__customer=signed.customer).order_by("pk")
    assert [(i.category.code, i.title, i.document_id is not None) for i in filed] == [
        ("contracts", f"{signed.number} 合同正本", True),
        ("contracts", f"{signed.number} 谈判记录", False),
    ]
    assert second.step.case.status == "closed"


def test_a_later_change_joins_the_waiting_hand_over(
    demo: dict[str, User], signed: Contract
) -> None:
    services.contract_transition(signed, "changed", by=demo["manager1"], reason="数量调整")
    assert Handover.objects.filter(contract=signed).count() == 1


def test_receipts_through_the_pages_and_the_api(
    signed: Contract, client_for: Callable[..., Client], api_for: Callable[[str], Client]
) -> None:
    first = Handover.objects.get(contract=signed)
    page = client_for("credit").get(f"/contracts/{signed.pk}/").content.decode()
    assert 'id="receipt-form"' in page
    assert (
        'id="receipt-form"'
        not in client_for("manager1").get(f"/contracts/{signed.pk}/").content.decode()
    )
    refused = client_for("manager1").post(
        f"/contract-handovers/{first.pk}/receive/", {"items": ["contract_original"]}
    )
    assert refused.status_code == 403
    response = client_for("credit").post(
        f"/contract-handovers/{first.pk}/receive/", {"items": ["contract_original"], "note": "收"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "received"
    api = api_for("archivist")
    listed = api.get(f"/api/v1/contracts/{signed.pk}/handovers/").json()
    assert [row["stage"] for row in listed] == ["officer", "archive_room"]
    bad = api.post(
        f"/api/v1/contract-handovers/{listed[1]['id']}/receipt/",
        {"items": ["no_such_item"]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    accepted_for_filing(open_dossier(signed.customer))
    ok = api.post(
        f"/api/v1/contract-handovers/{listed[1]['id']}/receipt/",
        {"items": ["contract_original"]},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "received"


def test_the_contract_officer_role_receives_not_the_credit_manager(
    demo: dict[str, User], signed: Contract, client_for: Callable[..., Client]
) -> None:
    """Contract duties belong to the contract officer (合同管理员): a credit manager who is
    not also contract officer reads the ledger but neither receives nor keeps the
    checklist; someone who is only contract officer does both."""
    from kehu.core import policy
    from kehu.core import services as core_services
    from kehu.core.models import OrgUnit, Role

    bj = OrgUnit.objects.get(code="BJ")
    credit_only = core_services.create_user(
        {"username": "credit_only", "full_name": "信用甲", "unit": bj, "is_active": True}
    )
    core_services.grant_role(credit_only, Role.CREDIT_MANAGER, bj)
    officer = core_services.create_user(
        {"username": "officer", "full_name": "合同乙", "unit": bj, "is_active": True}
    )
    core_services.grant_role(officer, Role.CONTRACT_OFFICER, bj)
    credit_only, officer = (User.objects.get(pk=u.pk) for u in (credit_only, officer))
    for perm in ("contracts.contract.receive", "contracts.checklistitem.change"):
        assert not policy.has_perm(credit_only, perm, signed if "receive" in perm else None)
        assert policy.has_perm(officer, perm, signed if "receive" in perm else None)
    assert policy.has_perm(credit_only, "contracts.contract.view", signed)
    first = Handover.objects.get(contract=signed)
    with pytest.raises(WorkflowError):
        handovers.handover_receive(
            first, by=credit_only, form=_receipt(first, ["contract_original"])
        )
    done = handovers.handover_receive(
        first, by=officer, form=_receipt(first, ["contract_original"])
    )
    assert done.received_by == officer
    demo["officer"] = officer
    assert client_for("officer").get(f"/contracts/{signed.pk}/").status_code == 200
