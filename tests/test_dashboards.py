"""The home page's dashboard panels: their figures against hand-counted customers, filings,
cases and loans, within the policy's scope (a manager of SALE never sees MKT's numbers), and
each figure's link lands on a list that shows as many rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from kehu.core.dashboard import Chart, panel, panels_for
from kehu.core.models import User
from kehu.customers.models import ClassificationDimension, ClassificationValue, Customer
from kehu.customers.services import change_status, create_customer
from tests.record_type_samples import customer_data


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def charts(slug: str, user: User) -> dict[str, Chart]:
    found = panel(slug)
    assert found is not None
    with translation.override("en"):  # a request in between activates the user's language
        return {chart.key: chart for chart in found.build(user)}


def numbers(chart: Chart) -> dict[str, int]:
    return {f.label: f.value for f in chart.figures}


def listed(client: Client, url: str) -> int:
    """How many rows the list behind a figure shows."""
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    if "page" in context and hasattr(context["page"], "total"):
        return int(context["page"].total)
    if "filings" in context:
        return int(context["filings"].total)
    if "cases" in context:
        return len(context["cases"])
    if "held_back" in context:  # My tasks: those offered and those four-eyes holds back
        return len(context["tasks"]) + len(context["held_back"])
    return len(context["rows"])


def assert_links_count(client: Client, chart: Chart) -> None:
    for figure in chart.figures:
        assert figure.url, figure
        assert listed(client, figure.url) == figure.value, (figure.label, figure.url)


@pytest.fixture
def customers(demo: dict[str, User]) -> dict[str, list[Customer]]:
    """SALE: manager1 has 3 (2 active: industry C in 北京市, 1 prospect: industry F in
    上海市), manager2 has 1 active (C, 上海市). MKT: manager3 has 2 active (F, 广东省) and one
    suspended. Two of manager1's active ones are "key" accounts, manager3's one is too."""
    dimension = ClassificationDimension.objects.create(code="tier", name="Tier", order=1)
    key = ClassificationValue.objects.create(dimension=dimension, code="key", name="Key")
    made: dict[str, list[Customer]] = {}

    def make(owner: str, status: str, industry: str, province: str, tier: bool = False) -> None:
        data = customer_data(demo[owner]) | {"industry": industry, "province": province}
        customer = create_customer(data)
        if status != "prospect":
            customer = change_status(customer, "in_filing", "备案", demo["gm"])
            customer = change_status(customer, "active", "备案通过", demo["gm"])
        if status == "suspended":
            customer = change_status(customer, "suspended", "暂停", demo["gm"])
        if tier:
            customer.classifications.add(key)
        made.setdefault(owner, []).append(customer)

    make("manager1", "active", "C", "北京市", tier=True)
    make("manager1", "active", "C", "北京市", tier=True)
    make("manager1", "prospect", "F", "上海市")
    make("manager2", "active", "C", "上海市")
    make("manager3", "active", "F", "广东省", tier=True)
    make("manager3", "active", "F", "广东省")
    make("manager3", "suspended", "F", "广东省")
    return made


@pytest.mark.django_db
def test_a_department_head_sees_the_department_only(
    demo: dict[str, User], customers: Any, client_for: Callable[..., Client]
) -> None:
    found = charts("customers", demo["head_sale"])
    assert numbers(found["customers-status"]) == {"Active": 3, "Prospect": 1}
    assert numbers(found["customers-industry"]) == {"Manufacturing": 3, "Wholesale and retail": 1}
    assert numbers(found["customers-province"]) == {"北京市": 2, "上海市": 2}
    assert numbers(found["customers-cls-tier"]) == {"Key": 2}
    client = client_for("head_sale")
    for chart in found.values():
        assert_links_count(client, chart)


@pytest.mark.django_db
def test_an_account_manager_sees_their_own_customers(
    demo: dict[str, User], customers: Any, client_for: Callable[..., Client]
) -> None:
    found = charts("customers", demo["manager1"])
    assert numbers(found["customers-status"]) == {"Active": 2, "Prospect": 1}
    assert numbers(found["customers-province"]) == {"北京市": 2, "上海市": 1}
    client = client_for("manager1")
    for chart in found.values():
        assert_links_count(client, chart)
    mkt = charts("customers", demo["manager3"])
    assert numbers(mkt["customers-status"]) == {"Active": 2, "Suspended": 1}
    assert numbers(mkt["customers-industry"]) == {"Wholesale and retail": 2}


@pytest.mark.django_db
def test_the_panel_page_shows_the_figures_as_chart_data_and_table(
    demo: dict[str, User], customers: Any, client_for: Callable[..., Client]
) -> None:
    client = client_for("head_sale")
    home = client.get("/")
    assert b"/dashboard/customers/" in home.content
    assert b"vendor/echarts/echarts.common.min.js" in home.content
    assert "证照即将到期或已过期" in home.content.decode()  # the counter reads in Chinese
    page = client.get("/dashboard/customers/").content.decode()
    assert 'id="chart-data-customers-status"' in page
    assert 'data-chart="chart-data-customers-status"' in page
    assert "广东省" not in page  # MKT's province: not in SALE's figures
    assert client.get("/dashboard/nothing/").status_code == 404
    # The administrator sees no customer data, so no customer panel either.
    assert panel("customers") not in panels_for(demo["admin"])
    assert client_for("admin").get("/dashboard/customers/").status_code == 404


@pytest.fixture
def filings(demo: dict[str, User]) -> dict[str, Any]:
    """SALE: one filing collecting, one waiting for the general manager's approval (the head
    approved), its earlier step overdue; MKT: one collecting."""
    from kehu.filing import services
    from kehu.filing.tests.conftest import ready_customer
    from kehu.filing.tests.test_deliberate_decisions import to_approval
    from kehu.workflow.models import Step

    collecting = services.open_filing(ready_customer(demo["manager2"]), by=demo["manager2"])
    approving = services.open_filing(ready_customer(demo["manager1"]), by=demo["manager1"])
    first = to_approval(approving, demo)
    services.filing_step_decide(approving, first, by=demo["head_sale"], outcome="approved")
    mkt = services.open_filing(ready_customer(demo["manager3"]), by=demo["manager3"])
    # The collection of SALE's first filing is five days late.
    late = timezone.localdate() - dt.timedelta(days=5)
    Step.objects.filter(case=collecting.case, key="collect").update(due_date=late)
    Step.objects.filter(case=mkt.case, key="collect").update(due_date=late)
    return {"collecting": collecting, "approving": approving, "mkt": mkt}


@pytest.mark.django_db
def test_filings_and_approvals_in_the_managers_scope(
    demo: dict[str, User], filings: Any, client_for: Callable[..., Client]
) -> None:
    head = charts("filing", demo["head_sale"])
    assert numbers(head["filing-stages"]) == {
        "Collecting data and documents": 1,
        "Approval": 1,
    }
    durations = {row[0].label: row[1:3] for row in head["filing-durations"].rows}
    assert durations == {"Collecting data and documents": (1, 1), "Approval": (1, 0)}
    assert_links_count(client_for("head_sale"), head["filing-stages"])

    # What waits for the general manager: the approval the head passed on.
    gm = charts("workflow", demo["gm"])
    assert gm["waiting-for-me"].total == 1
    assert [row[0].url for row in gm["waiting-for-me"].rows] == [
        f"/cases/{filings['approving'].case_id}/"
    ]
    assert charts("workflow", demo["head_sale"])["waiting-for-me"].total == 0

    # Overdue steps by person: SALE's late collection is manager2's; MKT's stays out.
    overdue = charts("workflow", demo["head_sale"])["overdue-by-person"]
    assert sum(numbers(overdue).values()) == 1
    assert_links_count(client_for("head_sale"), overdue)
    home = client_for("gm").get("/dashboard/workflow/").content.decode()
    assert filings["approving"].case.number in home


@pytest.mark.django_db
def test_compliance_figures(
    demo: dict[str, User], filings: Any, client_for: Callable[..., Client]
) -> None:
    from kehu.filing.models import Filing

    Filing.objects.filter(pk=filings["collecting"].pk).update(high_risk=True)
    found = charts("filing", demo["compliance"])
    assert numbers(found["compliance"])["High-risk filings under way"] == 1
    assert_links_count(client_for("compliance"), found["compliance"])


@pytest.mark.django_db
def test_every_panel_of_every_role_counts_what_its_links_list(
    demo: dict[str, User], customers: Any, filings: Any, client_for: Callable[..., Client]
) -> None:
    """Each demo user's panels build, render, and every linked figure's list shows as many
    rows; no one gets a panel of figures they may not see."""
    from kehu.credit.models import CreditAccount

    held = customers["manager1"][0]
    CreditAccount.objects.create(customer=held, held=True, open_receivables=1200)
    seen: dict[str, set[str]] = {}
    for username in demo:
        client = client_for(username)
        for found in panels_for(demo[username]):
            seen.setdefault(username, set()).add(found.slug)
            response = client.get(f"/dashboard/{found.slug}/")
            assert response.status_code == 200, (username, found.slug)
            for chart in charts(found.slug, demo[username]).values():
                for figure in chart.figures:
                    if figure.url:
                        assert listed(client, figure.url) == figure.value, (username, figure)
    assert "operations" in seen["admin"] and "customers" not in seen["admin"]
    assert {"privacy", "filing", "customers"} <= seen["compliance"]
    assert "archives" in seen["archivist"] and "customers" not in seen["archivist"]
    assert {"workflow", "customers", "filing", "credit", "care"} <= seen["head_sale"]
    assert charts("credit", demo["manager1"])["credit-hold"].total == 1
    assert charts("credit", demo["manager2"])["credit-hold"].total == 0  # not manager2's
    assert charts("credit", demo["head_sale"])["credit-hold"].total == 1
    assert charts("credit", demo["manager3"])["credit-hold"].total == 0  # MKT
