"""Complaints in the browser, both routes: the account manager records it, the business
department handles it (with the production department on the service-standard route), the
general manager approves the result, the account manager sends the reply letter (PDF) and
records the customer's confirmation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import Server, demo_password, record_pk, sign_in_ok, sign_out, submit

pytestmark = pytest.mark.browser

SETUP = """
from kehu.audit.context import SYSTEM, acting_as
from kehu.core import services
from kehu.core.models import OrgUnit, Role, RoleAssignment, UnitKind, User
from kehu.customers.models import Customer
with acting_as(SYSTEM):
    prod = OrgUnit.objects.filter(code="PROD").first() or services.create_unit(
        {"name": "生产处", "code": "PROD", "kind": UnitKind.DEPARTMENT,
         "parent": OrgUnit.objects.get(code="BJ")})
    if not User.objects.filter(username="head_prod").exists():
        head = User.objects.create_user(username="head_prod", password=%r, unit=prod,
                                        full_name="生产处处长")
        RoleAssignment.objects.create(user=head, role=Role.DEPARTMENT_HEAD, unit=prod)
manager = User.objects.get(username="manager1")
customer = Customer.objects.filter(owner=manager, merged_into=None).order_by("pk").first()
print(customer.pk, prod.pk, OrgUnit.objects.get(code="SALE").pk)
"""

ACT = "[id^='act-step-']"


def _record(page: Page, customer: str, route: str, sale: str, prod: str) -> tuple[int, str]:
    page.goto(f"/complaints/add/?customer={customer}")
    page.select_option("#id_customer", customer)
    page.fill("#id_received_on", "2026-12-01")
    page.select_option("#id_channel", "phone")
    page.select_option("#id_category", "delivery")
    page.fill("#id_content", "送货延误三天，外包装破损")
    page.select_option("#id_route", route)
    page.select_option("#id_handling_unit", sale)
    if route == "service_standard":
        page.select_option("#id_production_unit", prod)
    assert submit(page, "#save") == 302
    pk = record_pk(page.url)
    case_url = page.get_attribute("#complaint-case", "href") or ""
    assert "/cases/" in case_url
    assert page.locator("#reply-form").count() == 0  # nothing to reply before the approval
    return pk, case_url


def _complete(page: Page, case_url: str, outcome: str, **fields: str) -> None:
    page.goto(case_url)
    card = page.locator(ACT)
    for name, value in fields.items():
        card.locator(f"textarea[name$='-{name}']").fill(value)
    card.locator(f"input[value='{outcome}']").check()
    assert submit(page, f"{ACT} .complete-form button[type=submit]") == 302


def _reply_and_confirm(page: Page, pk: int, case_url: str) -> None:
    sign_in_ok(page, "manager1")
    page.goto(f"/complaints/{pk}/")
    assert "总经理审批" in page.input_value("#id_reply_text")  # the standard letter
    assert submit(page, "#send-reply") == 302
    letter = page.request.get(page.get_attribute("#reply-letter", "href") or "")
    assert letter.status == 200 and letter.body().startswith(b"%PDF")
    _complete(page, case_url, "confirmed")
    assert page.locator("#case-outcome").get_attribute("data-outcome") == "confirmed"
    sign_out(page)


def test_both_complaint_routes(page: Page, server: Server) -> None:
    customer, prod, sale = server.shell(SETUP % demo_password()).strip().splitlines()[-1].split()

    # Service quality below the standard: business department, then production, then GM.
    sign_in_ok(page, "manager1")
    pk, case_url = _record(page, customer, "service_standard", sale, prod)
    sign_out(page)
    sign_in_ok(page, "head_sale")
    _complete(page, case_url, "done", measures="与物流公司核对", result="补发货物并赔偿运费")
    sign_out(page)
    sign_in_ok(page, "head_prod")
    _complete(page, case_url, "done", production_opinion="改进包装工艺")
    sign_out(page)
    sign_in_ok(page, "gm")
    page.goto(case_url)
    assert "改进包装工艺" in page.inner_text(ACT)
    _complete(page, case_url, "approved")
    sign_out(page)
    _reply_and_confirm(page, pk, case_url)

    # Dissatisfaction during the service: the responsible department, then the GM.
    sign_in_ok(page, "manager1")
    pk, case_url = _record(page, customer, "service_process", sale, prod)
    sign_out(page)
    sign_in_ok(page, "head_sale")
    _complete(page, case_url, "done", measures="约谈服务人员", result="书面道歉")
    sign_out(page)
    sign_in_ok(page, "gm")
    _complete(page, case_url, "approved")
    sign_out(page)
    _reply_and_confirm(page, pk, case_url)
