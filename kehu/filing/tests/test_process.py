"""The filing process on the workflow engine: opening, collection, the two reviews with their
working-day deadlines, the supplement pause across the National Day holiday, four-eyes, the
high-risk branch with its report, and the three outcomes (approved, rejected, returned)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kehu.core import calendar
from kehu.core.models import Notification, User
from kehu.customers.models import Customer, CustomerStatus, StatusChange
from kehu.customers.signals import customer_status_changed
from kehu.documents import samples
from kehu.documents.models import Document
from kehu.filing import selectors, services
from kehu.filing.models import Filing, Stage
from kehu.filing.tests.conftest import make_customer, ready_customer
from kehu.workflow.models import Step, StepStatus
from kehu.workflow.selectors import tasks_for
from kehu.workflow.services import NotAllowedError, WorkflowError, complete_step

pytestmark = pytest.mark.django_db


def step(filing: Filing, key: str) -> Step:
    filing.refresh_from_db()
    assert filing.case is not None
    found = filing.case.steps.filter(key=key).order_by("-pk").first()
    assert found is not None, f"no {key} step"
    return found


def checks(filing: Filing, key: str, **results: str) -> list[dict[str, str]]:
    items, _initial = selectors.review_items(filing, key)
    return [
        {"key": k, "label": label, "result": results.get(k, "ok"), "explanation": "说明"}
        for k, label in items
    ]


def review(filing: Filing, key: str, by: User, outcome: str = "passed", comment: str = "") -> None:
    services.submit_review(
        filing, step(filing, key), by=by, checks=checks(filing, key), outcome=outcome,
        comment=comment,
    )  # fmt: skip


def to_second_review(filing: Filing, manager: User) -> None:
    services.complete_collection(filing, step(filing, "collect"), by=manager)
    review(filing, "initial_review", manager)


def status_of(customer: Customer) -> str:
    return Customer.objects.get(pk=customer.pk).status


@pytest.fixture
def signals() -> Any:
    seen: list[tuple[str, str]] = []

    def receiver(sender: Any, customer: Customer, old: str, new: str, **kwargs: Any) -> None:
        seen.append((old, new))

    customer_status_changed.connect(receiver)
    yield seen
    customer_status_changed.disconnect(receiver)


def test_opening_puts_the_customer_in_filing(demo: dict[str, User]) -> None:
    manager = demo["manager1"]
    customer = ready_customer(manager)
    filing = services.open_filing(customer, by=manager)
    assert filing.number.startswith("BA-") and filing.case is not None
    assert filing.case.number == filing.number and filing.case.subject == customer
    assert status_of(customer) == CustomerStatus.IN_FILING
    assert StatusChange.objects.filter(customer=customer, to_status="in_filing").exists()
    collect = step(filing, "collect")
    assert collect.assignee_user == manager and collect.status == StepStatus.OPEN
    assert list(tasks_for(manager).filter(case=filing.case)) == [collect]
    with pytest.raises(ValidationError):
        services.open_filing(Customer.objects.get(pk=customer.pk), by=manager)
    # No manual status change while the filing runs.
    assert selectors.card_context.__module__  # the card asks the filing
    from kehu.customers.selectors import transitions_for

    assert transitions_for(demo["head_sale"], Customer.objects.get(pk=customer.pk)) == []


def test_collection_cannot_complete_while_items_are_missing(demo: dict[str, User]) -> None:
    manager = demo["manager1"]
    customer = make_customer(manager, industry="C")
    filing = services.open_filing(customer, by=manager)
    with pytest.raises(WorkflowError, match="Still missing"):
        services.complete_collection(filing, step(filing, "collect"), by=manager)
    assert step(filing, "collect").status == StepStatus.OPEN
    assert Filing.objects.get(pk=filing.pk).stage == Stage.COLLECTION


def test_low_risk_path_to_an_active_customer(demo: dict[str, User], signals: list[Any]) -> None:
    manager, compliance = demo["manager1"], demo["compliance"]
    customer = ready_customer(manager)
    filing = services.open_filing(customer, by=manager)
    assert not filing.high_risk
    today = timezone.localdate()

    services.complete_collection(filing, step(filing, "collect"), by=manager)
    initial = step(filing, "initial_review")
    assert initial.assignee_user == manager
    assert initial.due_date == calendar.add_working_days(today, 2)

    review(filing, "initial_review", manager)
    second = step(filing, "second_review")
    assert second.assignee_role == "compliance"
    assert second.due_date == calendar.add_working_days(today, 1)
    assert second in tasks_for(compliance)
    with pytest.raises(NotAllowedError):
        review(filing, "second_review", manager)
    review(filing, "second_review", compliance)

    first = step(filing, "approve")
    assert first.assignee_role == "department_head"
    services.filing_step_decide(filing, first, by=demo["head_sale"], outcome="approved")
    last = step(filing, "approve")
    assert last.pk != first.pk and last.assignee_role == "general_manager"
    assert status_of(customer) == CustomerStatus.IN_FILING  # not before the last approval
    services.filing_step_decide(filing, last, by=demo["gm"], outcome="approved")

    filing.refresh_from_db()
    assert filing.stage == Stage.APPROVED and filing.decided_by == demo["gm"]
    assert status_of(customer) == CustomerStatus.ACTIVE
    assert ("in_filing", "active") in signals  # the archives number the dossier on this
    assert filing.case is not None and filing.case.status == "closed"
    assert Notification.objects.filter(user=manager, link=f"/filings/{filing.pk}/").exists()
    # The reviews' per-item checks are kept.
    assert filing.checks.filter(review="initial").count() == len(
        selectors.review_items(filing, "initial_review")[0]
    )


def test_four_eyes_nobody_approves_their_own_filing(demo: dict[str, User]) -> None:
    head = demo["head_sale"]
    customer = ready_customer(demo["manager1"])
    filing = services.open_filing(customer, by=head)  # the head opens it for the manager
    to_second_review(filing, demo["manager1"])
    review(filing, "second_review", demo["compliance"])
    with pytest.raises(NotAllowedError, match="four-eyes"):
        services.filing_step_decide(filing, step(filing, "approve"), by=head, outcome="approved")
    assert step(filing, "approve").status == StepStatus.OPEN


def _at(monkeypatch: pytest.MonkeyPatch, day: datetime.date) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_supplement_pauses_the_review_across_the_national_day(
    demo: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Collection completes on Tue 29 Sep 2026: the initial review is due 2 working days
    later, Thu 8 Oct (1–7 Oct are holidays). A supplement requested on Wed 30 Sep is due 3
    working days later, Sat 10 Oct (an adjusted working day). It arrives on Fri 9 Oct: the
    review waited 2 working days (8, 9 Oct), so it is now due 2 working days after 8 Oct."""
    manager = demo["manager1"]
    customer = ready_customer(manager)
    _at(monkeypatch, datetime.date(2026, 9, 29))
    filing = services.open_filing(customer, by=manager)
    services.complete_collection(filing, step(filing, "collect"), by=manager)
    assert step(filing, "initial_review").due_date == datetime.date(2026, 10, 8)

    _at(monkeypatch, datetime.date(2026, 9, 30))
    with pytest.raises(ValidationError):
        services.request_supplement(filing, step(filing, "initial_review"), by=manager, reason="")
    services.request_supplement(
        filing, step(filing, "initial_review"), by=manager, reason="请补充最新财务报表"
    )
    waiting = step(filing, "initial_review")
    assert waiting.status == StepStatus.WAITING
    assert waiting.waiting_due == datetime.date(2026, 10, 10)
    assert Filing.objects.get(pk=filing.pk).stage == Stage.SUPPLEMENT
    with pytest.raises(WorkflowError):
        review(filing, "initial_review", manager)

    _at(monkeypatch, datetime.date(2026, 10, 9))
    services.supplement_received(filing, waiting, by=manager)
    resumed = step(filing, "initial_review")
    assert resumed.status == StepStatus.OPEN
    assert resumed.due_date == datetime.date(2026, 10, 10)
    assert Filing.objects.get(pk=filing.pk).stage == Stage.INITIAL_REVIEW

    review(filing, "initial_review", manager)
    assert step(filing, "second_review").due_date == datetime.date(2026, 10, 10)


def test_a_review_cannot_pass_with_a_missing_item(demo: dict[str, User]) -> None:
    manager = demo["manager1"]
    filing = services.open_filing(ready_customer(manager), by=manager)
    services.complete_collection(filing, step(filing, "collect"), by=manager)
    wrong = checks(filing, "initial_review", **{"doc:business_licence": "missing"})
    with pytest.raises(ValidationError):
        services.submit_review(
            filing, step(filing, "initial_review"), by=manager, checks=wrong, outcome="passed"
        )
    assert step(filing, "initial_review").status == StepStatus.OPEN


def test_high_risk_filing_needs_due_diligence_and_a_report(demo: dict[str, User]) -> None:
    manager, compliance = demo["manager1"], demo["compliance"]
    customer = ready_customer(manager, industry="K")  # real estate: a sensitive industry
    filing = services.open_filing(customer, by=manager)
    assert filing.high_risk and filing.risk_flags[0]["kind"] == "sensitive_industry"
    to_second_review(filing, manager)
    review(filing, "second_review", compliance)
    diligence = step(filing, "due_diligence")
    assert diligence.assignee_role == "compliance"
    assert Filing.objects.get(pk=filing.pk).stage == Stage.DUE_DILIGENCE
    with pytest.raises(WorkflowError, match="its own form"):
        complete_step(diligence, by=compliance, outcome="done")

    report = services.submit_risk_report(
        filing, diligence, by=compliance,
        values={"risk_level": "high", "findings": "房地产行业，资金链风险较高",
                "measures": "预付款", "conclusion": "conditions"},
        upload=SimpleUploadedFile("风险评估报告.pdf", samples.pdf("risk report")),
    )  # fmt: skip
    assert report.document_version is not None
    assert Document.objects.filter(customer=customer, doc_type__code="risk_report").exists()
    assert step(filing, "approve").assignee_role == "department_head"


def test_rejected_by_compliance_leaves_the_customer_rejected(
    demo: dict[str, User], client_for: Callable[[str], Any]
) -> None:
    manager, compliance = demo["manager1"], demo["compliance"]
    customer = ready_customer(manager)
    filing = services.open_filing(customer, by=manager)
    to_second_review(filing, manager)
    with pytest.raises(WorkflowError):  # a rejection needs its reason
        review(filing, "second_review", compliance, outcome="rejected")
    review(filing, "second_review", compliance, outcome="rejected", comment="列入严重违法失信名单")
    filing.refresh_from_db()
    assert filing.stage == Stage.REJECTED and filing.outcome_reason == "列入严重违法失信名单"
    assert status_of(customer) == CustomerStatus.REJECTED
    card = client_for("manager1").get(f"/customers/{customer.pk}/")
    assert "列入严重违法失信名单" in card.content.decode()
    assert Notification.objects.filter(user=manager, body="列入严重违法失信名单").exists()
    # A rejected customer may be filed again.
    again = services.open_filing(Customer.objects.get(pk=customer.pk), by=manager)
    assert again.pk != filing.pk and status_of(customer) == CustomerStatus.IN_FILING


def test_returned_by_an_approver_goes_back_to_the_account_manager(demo: dict[str, User]) -> None:
    manager = demo["manager1"]
    filing = services.open_filing(ready_customer(manager), by=manager)
    to_second_review(filing, manager)
    review(filing, "second_review", demo["compliance"])
    with pytest.raises(ValidationError):
        services.filing_step_decide(
            filing, step(filing, "approve"), by=demo["head_sale"], outcome="returned"
        )
    services.filing_step_decide(
        filing, step(filing, "approve"), by=demo["head_sale"], outcome="returned",
        comment="联系人电话无法接通，请更正",
    )  # fmt: skip
    filing.refresh_from_db()
    assert filing.stage == Stage.COLLECTION
    collect = step(filing, "collect")
    assert collect.status == StepStatus.OPEN and collect.assignee_user == manager
    assert Notification.objects.filter(user=manager, body="联系人电话无法接通，请更正").exists()
    assert status_of(filing.customer) == CustomerStatus.IN_FILING


def test_withdrawing_cancels_the_case_and_the_customer_is_a_prospect_again(
    demo: dict[str, User], client_for: Callable[[str], Any]
) -> None:
    manager = demo["manager1"]
    filing = services.open_filing(ready_customer(manager), by=manager)
    services.complete_collection(filing, step(filing, "collect"), by=manager)
    assert (
        client_for("compliance")
        .post(f"/filings/{filing.pk}/withdraw/", {"reason": "客户暂停合作"})
        .status_code
        == 403
    )
    page = client_for("manager1")
    assert page.post(f"/filings/{filing.pk}/withdraw/", {"reason": ""}).status_code == 302
    assert Filing.objects.get(pk=filing.pk).stage == Stage.INITIAL_REVIEW  # no reason: nothing
    assert (
        page.post(f"/filings/{filing.pk}/withdraw/", {"reason": "客户暂停合作"}).status_code == 302
    )
    filing.refresh_from_db()
    assert filing.stage == Stage.WITHDRAWN and filing.outcome_reason == "客户暂停合作"
    assert filing.case is not None and filing.case.status == "cancelled"
    assert not tasks_for(manager).filter(case=filing.case).exists()
    assert status_of(filing.customer) == CustomerStatus.PROSPECT
    with pytest.raises(ValidationError):
        services.filing_withdraw(filing, by=manager, reason="again")


def test_the_units_configured_approval_chain_is_followed(demo: dict[str, User]) -> None:
    from kehu.workflow.models import ApproverRule

    manager = demo["manager1"]
    assert manager.unit is not None
    ApproverRule.objects.create(
        process="filing", unit=manager.unit, position=1, role="department_head",
        basis="销售部客户备案由部门负责人审批",
    )  # fmt: skip
    filing = services.open_filing(ready_customer(manager), by=manager)
    to_second_review(filing, manager)
    review(filing, "second_review", demo["compliance"])
    services.filing_step_decide(
        filing, step(filing, "approve"), by=demo["head_sale"], outcome="approved"
    )
    filing.refresh_from_db()
    assert filing.stage == Stage.APPROVED
    assert filing.case is not None and filing.case.steps.filter(key="approve").count() == 1
    assert status_of(filing.customer) == CustomerStatus.ACTIVE
