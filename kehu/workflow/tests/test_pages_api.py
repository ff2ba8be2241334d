"""My tasks, the case page and the tasks API, as the users see them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation

from kehu.api.services import create_token
from kehu.core.models import User
from kehu.customers.models import CustomerKind
from kehu.customers.services import create_customer
from kehu.workflow import services
from kehu.workflow.models import Case, CaseStatus, StepStatus


@pytest.fixture
def case(demo: dict[str, User]) -> Case:
    manager = demo["manager1"]
    customer = create_customer(
        {
            "kind": CustomerKind.ORGANIZATION,
            "name": "成都任务测试有限公司",
            "owner": manager,
            "unit": manager.unit,
        }
    )
    return services.open_case("workflow.approval", customer, unit=customer.unit, by=manager)


@pytest.mark.django_db
def test_my_tasks_lists_what_waits_and_what_i_submitted(
    client_for: Callable[[str], Client], case: Case
) -> None:
    head = client_for("head_sale").get("/tasks/").content.decode()
    assert case.number in head and 'id="my-tasks"' in head
    mine = client_for("manager1").get("/tasks/").content.decode()
    assert case.number in mine.split('id="my-submissions"')[1]  # submitted, not to do
    assert case.number not in mine.split('id="my-submissions"')[0]
    other = client_for("manager3").get("/tasks/").content.decode()
    assert case.number not in other


@pytest.mark.django_db
def test_the_assignee_completes_the_step_on_the_case_page(
    client_for: Callable[[str], Client], case: Case
) -> None:
    step = case.steps.get()
    head = client_for("head_sale")
    page = head.get(f"/cases/{case.pk}/").content.decode()
    assert f'id="act-step-{step.pk}"' in page
    prefix = f"s{step.pk}"
    # A rejection without a reason is refused, beside the form; nothing changes.
    with translation.override("en"):
        refused = head.post(
            f"/steps/{step.pk}/complete/",
            {f"{prefix}-outcome": "rejected", f"{prefix}-comment": "", f"{prefix}-version": 1},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert refused.status_code == 400
    step.refresh_from_db()
    assert step.status == StepStatus.OPEN
    done = head.post(
        f"/steps/{step.pk}/complete/",
        {f"{prefix}-outcome": "approved", f"{prefix}-comment": "同意", f"{prefix}-version": 1},
    )
    assert done.status_code == 302
    step.refresh_from_db()
    assert step.completed_by is not None
    assert (step.status, step.completed_by.username) == (StepStatus.DONE, "head_sale")
    # A second, stale submission of the same form changes nothing.
    again = head.post(
        f"/steps/{step.pk}/complete/",
        {f"{prefix}-outcome": "approved", f"{prefix}-comment": "", f"{prefix}-version": 1},
    )
    assert again.status_code == 302
    assert case.steps.filter(status=StepStatus.DONE).count() == 1


@pytest.mark.django_db
def test_outsiders_cannot_open_the_case(client_for: Callable[[str], Client], case: Case) -> None:
    assert client_for("manager4").get(f"/cases/{case.pk}/").status_code == 403
    assert client_for("auditor").get(f"/cases/{case.pk}/").status_code == 200
    step = case.steps.get()
    response = client_for("manager4").post(
        f"/steps/{step.pk}/complete/", {f"s{step.pk}-outcome": "approved"}
    )
    assert response.status_code == 403


def api(user: User) -> Client:
    _token, raw = create_token(user, "workflow test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.django_db
def test_tasks_api_lists_and_completes_with_the_same_rules(
    demo: dict[str, User], case: Case
) -> None:
    head = api(demo["head_sale"])
    tasks = head.get("/api/v1/tasks/").json()
    (task,) = [t for t in tasks if t["case"] == case.pk]
    assert task["outcomes"].keys() == {"approved", "rejected", "returned"}
    url = f"/api/v1/tasks/{task['id']}/complete/"
    outsider = api(demo["manager2"]).post(
        url, {"outcome": "approved"}, content_type="application/json"
    )
    assert outsider.status_code == 403
    stale = head.post(url, {"outcome": "approved", "version": 99}, content_type="application/json")
    assert stale.status_code == 409
    bad = head.post(url, {"outcome": "maybe"}, content_type="application/json")
    assert bad.status_code == 400
    ok = head.post(
        url,
        {"outcome": "approved", "comment": "同意", "version": task["version"]},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "done"
    gm = api(demo["gm"])
    (gm_task,) = [t for t in gm.get("/api/v1/tasks/").json() if t["case"] == case.pk]
    assert (
        gm.post(
            f"/api/v1/tasks/{gm_task['id']}/complete/",
            {"outcome": "approved"},
            content_type="application/json",
        ).status_code
        == 200
    )
    detail = head.get(f"/api/v1/cases/{case.pk}/").json()
    assert (detail["status"], detail["outcome"]) == (CaseStatus.CLOSED, "approved")
    assert [s["completed_by"] for s in detail["steps"]] == ["head_sale", "gm"]
