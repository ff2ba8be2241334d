"""Four-eyes across a case: one person holding two roles decides one step of a case only,
on the pages and in the API; My tasks does not offer them the second and says why."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kehu.core.models import OrgUnit, Role, User
from kehu.core.services import grant_role, set_totp_required_roles
from kehu.customers.models import CustomerKind
from kehu.customers.services import create_customer
from kehu.workflow import services
from kehu.workflow.models import Case, CaseStatus, StepStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(demo: dict[str, User]) -> Case:
    """An approval request of manager1 (SALE): the department head, then the general manager."""
    manager = demo["manager1"]
    customer = create_customer(
        {
            "kind": CustomerKind.ORGANIZATION,
            "name": "成都四眼测试有限公司",
            "owner": manager,
            "unit": manager.unit,
        }
    )
    return services.open_case("workflow.approval", customer, unit=customer.unit, by=manager)


def _complete_on_page(client: Client, step_pk: int, version: int) -> int:
    prefix = f"s{step_pk}"
    return client.post(
        f"/steps/{step_pk}/complete/",
        {
            f"{prefix}-outcome": "approved",
            f"{prefix}-comment": "同意",
            f"{prefix}-version": version,
        },
    ).status_code


def test_one_person_holding_two_roles_approves_one_link_only(
    demo: dict[str, User],
    case: Case,
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:
    # The department head is also made general manager of the sales department (the second
    # factor that role asks for by default is not the point here).
    set_totp_required_roles([])
    grant_role(demo["head_sale"], Role.GENERAL_MANAGER, OrgUnit.objects.get(code="SALE"))
    head = client_for("head_sale")
    first = case.steps.get()
    assert _complete_on_page(head, first.pk, first.version) == 302
    second = case.steps.get(status=StepStatus.OPEN)
    assert second.assignee_role == Role.GENERAL_MANAGER

    # Neither the page nor the API lets him decide it.
    _complete_on_page(head, second.pk, second.version)
    second.refresh_from_db()
    assert second.status == StepStatus.OPEN
    answer = api_for("head_sale").post(
        f"/api/v1/tasks/{second.pk}/complete/",
        {"outcome": "approved", "comment": "同意"},
        content_type="application/json",
    )
    assert answer.status_code == 403
    second.refresh_from_db()
    assert second.status == StepStatus.OPEN

    # My tasks does not offer the second link to him, and says why.
    tasks = head.get("/tasks/").content.decode()
    waiting, rest = tasks.split('id="my-submissions"')[0].split('id="held-back-tasks"')
    assert case.number not in waiting
    assert case.number in rest and "four-eyes" in rest
    page = head.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/steps/{second.pk}/complete/"' not in page and "four-eyes" in page
    listed = api_for("head_sale").get("/api/v1/tasks/").json()
    assert second.pk not in [task["id"] for task in listed]
    assert second.pk in [task["id"] for task in api_for("gm").get("/api/v1/tasks/").json()]

    # The general manager decides it.
    done = api_for("gm").post(
        f"/api/v1/tasks/{second.pk}/complete/",
        {"outcome": "approved", "comment": "同意"},
        content_type="application/json",
    )
    assert done.status_code == 200
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.CLOSED, "approved")


def test_an_approval_step_takes_no_data_that_would_skip_a_link(
    demo: dict[str, User], case: Case, api_for: Callable[[str], Client]
) -> None:
    """The step's data is the engine's (its place in the chain): the API cannot set it."""
    first = case.steps.get()
    answer = api_for("head_sale").post(
        f"/api/v1/tasks/{first.pk}/complete/",
        {"outcome": "approved", "comment": "同意", "data": {"chain_position": 9}},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "chain_position" in answer.json()["data"]
    not_an_object = api_for("head_sale").post(
        f"/api/v1/tasks/{first.pk}/complete/",
        {"outcome": "approved", "data": ["chain_position"]},
        content_type="application/json",
    )
    assert not_an_object.status_code == 400
    first.refresh_from_db()
    case.refresh_from_db()
    assert first.status == StepStatus.OPEN and case.status == CaseStatus.OPEN
