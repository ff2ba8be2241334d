"""The workflow engine: assignment by role and unit, working-day deadlines, four-eyes,
configurable approval chains, supplement pauses, reminders and escalation with a fixed clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from kehu.audit.models import AuditEvent
from kehu.core.models import Notification, OrgUnit, Role, RoleAssignment, User
from kehu.customers.models import Customer, CustomerKind
from kehu.customers.services import create_customer
from kehu.ops.reminders import run_reminders
from kehu.workflow import selectors, services
from kehu.workflow.definitions import Process, StepSpec, register
from kehu.workflow.models import ApproverRule, Case, CaseStatus, StepStatus

D = dt.date


class ReviewProcess(Process):
    """A test process: one review that may wait for the customer, by a named person."""

    key = "tests.review"
    label = "测试审核"
    number_prefix = "TR"
    steps = {
        "review": StepSpec(
            "审核",
            outcomes={"pass": "通过", "fail": "不通过"},
            due_working_days=2,
            wait_working_days=3,
        )
    }

    def start(self, case: Case, **kwargs: Any) -> None:
        services.add_step(case, "review", user=kwargs["reviewer"])

    def on_step_completed(self, case: Case, step: Any) -> None:
        services.finish_case(case, outcome=step.outcome, by=step.completed_by)


register(ReviewProcess())


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.date], None]:
    def set_today(day: dt.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)

    return set_today


def told(kind: str) -> int:
    """One reminder round of one kind today; how many people it told."""
    return run_reminders(kinds=[kind]).get(kind, 0)


@pytest.fixture
def customer(demo: dict[str, User]) -> Customer:
    manager = demo["manager1"]
    return create_customer(
        {
            "kind": CustomerKind.ORGANIZATION,
            "name": "成都流程测试有限公司",
            "owner": manager,
            "unit": manager.unit,
        }
    )


def open_approval(customer: Customer, by: User) -> Case:
    return services.open_case("workflow.approval", customer, unit=customer.unit, by=by)


@pytest.mark.django_db
def test_chain_of_department_head_then_general_manager(
    demo: dict[str, User], customer: Customer, fixed_today: Callable[[dt.date], None]
) -> None:
    fixed_today(D(2026, 9, 30))
    case = open_approval(customer, demo["manager1"])
    assert case.number == "AP-2026-00001"
    (step,) = case.steps.all()
    assert (step.assignee_role, step.assignee_unit) == (Role.DEPARTMENT_HEAD, customer.unit)
    assert step.due_date == D(2026, 10, 9)  # 2 working days after 30 Sep: 8 and 9 Oct
    assert step in selectors.tasks_for(demo["head_sale"])
    assert step not in selectors.tasks_for(demo["manager2"])
    assert Notification.objects.filter(user=demo["head_sale"], link=f"/cases/{case.pk}/").exists()

    with pytest.raises(services.NotAllowedError):
        services.complete_step(step, by=demo["manager2"], outcome="approved")
    with pytest.raises(services.WorkflowError):
        services.complete_step(step, by=demo["head_sale"], outcome="maybe")
    with pytest.raises(services.WorkflowError):
        services.complete_step(step, by=demo["head_sale"], outcome="rejected")  # no reason

    services.complete_step(step, by=demo["head_sale"], outcome="approved", comment="同意")
    case.refresh_from_db()
    gm_step = case.steps.get(status=StepStatus.OPEN)
    assert gm_step.assignee_role == Role.GENERAL_MANAGER
    assert gm_step in selectors.tasks_for(demo["gm"])
    services.complete_step(gm_step, by=demo["gm"], outcome="approved")
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.CLOSED, "approved")
    actions = list(
        AuditEvent.objects.filter(object_type="workflow.case", object_id=str(case.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "workflow.case.open", "workflow.step.assign", "workflow.step.complete",
        "workflow.step.assign", "workflow.step.complete", "workflow.case.finish",
    ]  # fmt: skip


@pytest.mark.django_db
def test_four_eyes_nobody_approves_their_own_submission(
    demo: dict[str, User], customer: Customer
) -> None:
    case = open_approval(customer, demo["head_sale"])  # the department head submits
    (step,) = case.steps.all()
    assert services.may_act(demo["head_sale"], step)  # assigned to them by role ...
    with translation.override("en"), pytest.raises(services.NotAllowedError, match="four-eyes"):
        services.complete_step(step, by=demo["head_sale"], outcome="approved")
    step.refresh_from_db()
    assert step.status == StepStatus.OPEN  # nothing changed


@pytest.mark.django_db
def test_an_administrator_configures_the_chain_per_unit(
    demo: dict[str, User], customer: Customer
) -> None:
    sale = customer.unit
    ApproverRule.objects.create(
        process="workflow.approval",
        unit=sale,
        position=1,
        role=Role.GENERAL_MANAGER,
        basis="总经理办公会决定",
    )
    assert services.approval_chain("workflow.approval", sale) == [Role.GENERAL_MANAGER]
    other = OrgUnit.objects.exclude(path__startswith=sale.path).filter(parent__isnull=False).first()
    assert other is not None
    assert services.approval_chain("workflow.approval", other) == [
        Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER,
    ]  # fmt: skip
    case = open_approval(customer, demo["manager1"])
    assert case.steps.get().assignee_role == Role.GENERAL_MANAGER


@pytest.mark.django_db
def test_waiting_for_the_customer_stops_the_clock(
    demo: dict[str, User], customer: Customer, fixed_today: Callable[[dt.date], None]
) -> None:
    fixed_today(D(2026, 2, 13))  # Friday before the Spring Festival
    case = services.open_case(
        "tests.review",
        customer,
        unit=customer.unit,
        by=demo["head_sale"],
        reviewer=demo["manager1"],
    )
    step = case.steps.get()
    assert step.due_date == D(2026, 2, 24)  # Sat 14 (adjusted working day), Tue 24
    step = services.wait_for_external(step, by=demo["manager1"], reason="营业执照副本缺失")
    assert (step.status, step.waiting_due) == (StepStatus.WAITING, D(2026, 2, 25))
    with pytest.raises(services.WorkflowError):
        services.complete_step(step, by=demo["manager1"], outcome="pass")
    fixed_today(D(2026, 2, 26))  # a waiting step is never overdue, whatever the date
    assert told("workflow.step") == 0
    # The supplement the customer owed by 25 Feb is chased: the reviewer and the case's opener.
    assert told("workflow.supplement") == 2
    assert told("workflow.supplement") == 0
    assert Notification.objects.filter(user=demo["head_sale"], title__contains="营业执照").exists()
    step = services.resume_step(step, by=demo["manager1"], note="已补交")
    # Waited 3 working days (14, 24, 25 ... 26 Feb is the 4th): due moves by them.
    assert step.status == StepStatus.OPEN
    assert step.due_date == calendar_add(D(2026, 2, 24), 4)
    services.complete_step(step, by=demo["manager1"], outcome="pass")
    case.refresh_from_db()
    assert case.outcome == "pass"


def calendar_add(day: dt.date, n: int) -> dt.date:
    from kehu.core.calendar import add_working_days

    return add_working_days(day, n)


@pytest.mark.django_db
def test_reminder_and_escalation_with_a_fixed_clock(
    demo: dict[str, User], customer: Customer, fixed_today: Callable[[dt.date], None]
) -> None:
    fixed_today(D(2026, 2, 13))
    case = services.open_case(
        "tests.review",
        customer,
        unit=customer.unit,
        by=demo["head_sale"],
        reviewer=demo["manager1"],
    )
    step = case.steps.get()  # due Tue 24 Feb
    fixed_today(D(2026, 2, 23))  # last holiday day: the next working day is the due date
    assert told("workflow.step") == 1
    assert told("workflow.step") == 0  # once per step
    assert Notification.objects.filter(user=demo["manager1"], title__contains="审核").count() >= 2

    fixed_today(D(2026, 2, 24))
    assert told("workflow.step") == 0  # due today is not overdue
    step.refresh_from_db()
    assert step.escalated_at is None
    fixed_today(D(2026, 2, 26))
    assert told("workflow.step") == 2  # the assignee: overdue; the head: escalated
    step.refresh_from_db()
    assert step.escalated_at is not None and step.is_overdue(D(2026, 2, 26))
    assert step in selectors.overdue_for(demo["manager1"], D(2026, 2, 26))
    # The head of the assignee's department hears of it, once.
    head_notes = Notification.objects.filter(user=demo["head_sale"], link=f"/cases/{case.pk}/")
    assert head_notes.count() == 1
    assert told("workflow.step") == 0
    event = AuditEvent.objects.get(action="workflow.step.escalate")
    assert event.extra["to"] == ["head_sale"]


@pytest.mark.django_db
def test_a_step_escalated_to_another_department_opens_its_case_to_that_head(
    demo: dict[str, User],
    customer: Customer,
    fixed_today: Callable[[dt.date], None],
    client_for: Callable[[str], Any],
) -> None:
    """The reviewer works in MKT, the customer and the case belong to SALE: MKT's head is told
    of the overdue step and its link opens the case, which MKT's head could not see before."""
    head_mkt = User.objects.create_user("head_mkt", password=None, unit=demo["manager3"].unit)
    RoleAssignment.objects.create(
        user=head_mkt, role=Role.DEPARTMENT_HEAD, unit=OrgUnit.objects.get(code="MKT")
    )
    fixed_today(D(2026, 3, 2))
    case = services.open_case(
        "tests.review", customer, unit=customer.unit, by=demo["head_sale"],
        reviewer=demo["manager3"],
    )  # fmt: skip
    url = f"/cases/{case.pk}/"
    head_client = Client()
    head_client.force_login(head_mkt)
    assert not selectors.can_view_case(User.objects.get(pk=head_mkt.pk), case)
    assert head_client.get(url).status_code == 403

    fixed_today(D(2026, 3, 20))
    told("workflow.step")
    note = Notification.objects.get(user=head_mkt, title__contains=case.steps.get().label)
    assert note.link == url
    assert selectors.can_view_case(User.objects.get(pk=head_mkt.pk), case)
    assert head_client.get(url).status_code == 200
    # Whoever it was not escalated to still cannot open it (SH-SALE's account manager).
    assert client_for("manager4").get(url).status_code == 403
