"""Progress per department against hand-counted tasks: the head sees his department only,
compliance sees every department of its subsidiary; the page, the task list's filters and
export, and the API give the same figures."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.customers.services import update_customer
from kehu.reviews import selectors, services
from kehu.reviews.models import ReviewTask
from kehu.reviews.tests.conftest import open_august

D = dt.date
AFTER_DEADLINE = D(2026, 9, 1)  # the August campaign's deadline is 31 August


@pytest.fixture
def reviewed(demo: dict[str, User], make_active: Callable[..., Customer]) -> dict[str, Any]:
    """SALE: four tasks (manager1 confirmed one and corrected one, manager2 left two open);
    MKT: one open task of manager3."""
    sale = [make_active("manager1"), make_active("manager1")]
    sale += [make_active("manager2"), make_active("manager2")]
    mkt = make_active("manager3")
    campaign = open_august()
    tasks = {t.customer_id: t for t in ReviewTask.objects.filter(campaign=campaign)}
    services.task_confirm(tasks[sale[0].pk], by=demo["manager1"])
    update_customer(sale[1], {"city": "天津"}, sale[1].version)
    services.task_correct(tasks[sale[1].pk], by=demo["manager1"], stale_items="联系人离职")
    return {"campaign": campaign, "sale": sale, "mkt": mkt, "tasks": tasks}


def figures(user: User, reviewed: dict[str, Any], today: dt.date) -> dict[str, tuple[int, ...]]:
    units, total = selectors.progress(user, reviewed["campaign"], today)
    rows: dict[str, tuple[int, ...]] = {
        p.unit_name: (p.total, p.done, p.open, p.overdue, p.done_percent) for p in units
    }
    rows["total"] = (total.total, total.done, total.open, total.overdue, total.done_percent)
    return rows


@pytest.mark.django_db
def test_progress_per_department_before_and_after_the_deadline(
    demo: dict[str, User], reviewed: dict[str, Any]
) -> None:
    before = figures(demo["compliance"], reviewed, D(2026, 8, 20))
    assert before == {
        "销售部": (4, 2, 2, 0, 50),
        "市场部": (1, 0, 1, 0, 0),
        "total": (5, 2, 3, 0, 40),
    }
    after = figures(demo["compliance"], reviewed, AFTER_DEADLINE)
    assert after["销售部"] == (4, 2, 2, 2, 50)
    assert after["市场部"] == (1, 0, 1, 1, 0)
    assert after["total"] == (5, 2, 3, 3, 40)


@pytest.mark.django_db
def test_the_head_sees_his_own_department_only(
    demo: dict[str, User], reviewed: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    assert figures(demo["head_sale"], reviewed, AFTER_DEADLINE) == {
        "销售部": (4, 2, 2, 2, 50),
        "total": (4, 2, 2, 2, 50),
    }
    page = client_for("head_sale").get(f"/reviews/{reviewed['campaign'].pk}/").content.decode()
    assert "销售部" in page and "市场部" not in page
    # An account manager's progress counts his own tasks.
    assert figures(demo["manager2"], reviewed, AFTER_DEADLINE)["total"] == (2, 0, 2, 2, 0)
    mkt_task = reviewed["tasks"][reviewed["mkt"].pk]
    assert client_for("head_sale").get(f"/reviews/tasks/{mkt_task.pk}/").status_code == 404


@pytest.mark.django_db
def test_task_list_filters_and_export(
    demo: dict[str, User], reviewed: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    compliance = client_for("compliance")
    base = f"/reviews/tasks/?campaign={reviewed['campaign'].pk}"
    done = compliance.get(base + "&status=done").context["rows"]
    assert {t.customer_id for t in done} == {c.pk for c in reviewed["sale"][:2]}
    manager2 = compliance.get(base + f"&status=open&owner={demo['manager2'].pk}").context["rows"]
    assert {t.customer_id for t in manager2} == {c.pk for c in reviewed["sale"][2:]}
    mkt_unit = reviewed["mkt"].unit_id
    assert [t.customer_id for t in compliance.get(base + f"&unit={mkt_unit}").context["rows"]] == [
        reviewed["mkt"].pk
    ]

    export = compliance.get(base + "&status=corrected&format=xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert "(compliance)" in str(rows[0][0])  # the exporter, in the first row
    assert len(rows) == 3 and rows[2][1] == reviewed["sale"][1].name
    assert "天津" in str(rows[2][7]) and rows[2][8] == "联系人离职"
    # An account manager may list his tasks but not export them.
    assert client_for("manager1").get(base + "&format=xlsx").status_code == 403


@pytest.mark.django_db
def test_progress_and_answers_through_the_api(
    demo: dict[str, User], reviewed: dict[str, Any], api_for: Callable[[str], Client]
) -> None:
    campaign = reviewed["campaign"]
    head = api_for("head_sale").get(f"/api/v1/review-campaigns/{campaign.pk}/progress/")
    assert head.status_code == 200, head.content
    body = head.json()
    assert [u["unit_name"] for u in body["units"]] == ["销售部"]
    assert body["total"]["done"] == 2 and body["total"]["total"] == 4

    owner = api_for("manager2")
    listed = owner.get("/api/v1/review-tasks/?status=open").json()
    ids = [row["id"] for row in listed["results"]]
    assert len(ids) == 2
    confirmed = owner.post(
        f"/api/v1/review-tasks/{ids[0]}/confirm/",
        {"stale_items": "税务登记证过期"},
        content_type="application/json",
    )
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "confirmed"
    other = api_for("manager3").post(
        f"/api/v1/review-tasks/{ids[1]}/confirm/", {}, content_type="application/json"
    )
    assert other.status_code == 404
    refused = owner.post(
        f"/api/v1/review-tasks/{ids[1]}/correct/", {}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert api_for("compliance").get("/api/v1/review-campaigns/").json()["results"][0]["id"] == (
        campaign.pk
    )
