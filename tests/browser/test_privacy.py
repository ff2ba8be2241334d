"""Privacy in the browser: masked values on the card, revealed only after giving
a reason; the reveal is recorded."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import Server, sign_in_ok, submit

pytestmark = pytest.mark.browser

FIND_PERSON = """
from kehu.customers.models import Customer
c = Customer.objects.filter(owner__username="manager1", kind="individual").order_by("pk").first()
print(c.pk, c.id_number)
"""


def test_reveal_an_id_number_with_a_reason(page: Page, server: Server) -> None:
    pk, id_number = server.shell(FIND_PERSON).strip().splitlines()[-1].split()
    sign_in_ok(page, "manager1")
    page.goto(f"/customers/{pk}/")
    shown = page.inner_text("#id-number")
    assert id_number not in shown and f"{id_number[:6]}************" in shown
    page.click("#id-number [data-reveal]")
    page.select_option("#id_purpose", "verification")
    page.click("#reveal-submit")  # no reason: the browser does not even send the form
    assert page.evaluate("document.querySelector('#id_reason').validity.valueMissing")
    assert page.locator("#revealed-value").count() == 0
    page.fill("#id_reason", "核对身份证原件")
    assert submit(page, "#reveal-submit") == 200
    assert page.inner_text("#revealed-value") == id_number
    recorded = server.shell(
        "from kehu.audit.models import AuditEvent\n"
        f"e = AuditEvent.objects.filter(action='customers.customer.reveal', object_id='{pk}')"
        ".latest('seq')\nprint(e.actor_username, e.extra['reason'])"
    )
    assert recorded.strip().splitlines()[-1] == "manager1 核对身份证原件"


FIND_SALE_CUSTOMER = """
from kehu.customers.models import Customer
c = Customer.objects.filter(owner__username="manager2", kind="organization").order_by("pk").first()
print(c.pk)
"""


def test_a_department_head_grants_time_limited_access(page: Page, server: Server) -> None:
    pk = server.shell(FIND_SALE_CUSTOMER).strip().splitlines()[-1]
    # manager4 (Shanghai sales) cannot open a customer of SALE …
    sign_in_ok(page, "manager4")
    assert page.goto(f"/customers/{pk}/").status == 404  # type: ignore[union-attr]
    page.context.clear_cookies()
    # … until the head of SALE grants it, with a reason and an end.
    sign_in_ok(page, "head_sale")
    page.goto(f"/customers/{pk}/")
    page.click("#grant-access")
    option = page.locator("#id_user option", has_text="(manager4)")
    page.select_option("#id_user", value=option.get_attribute("value"))
    # Within the administrator's longest grant (30 days by default).
    until = datetime.date.today() + datetime.timedelta(days=10)
    page.fill("#id_until", f"{until.isoformat()}T12:00")
    page.fill("#id_reason", "协助上海客户对接")
    assert submit(page, "#grant-submit") == 302
    assert page.locator("#access-grants [data-grant]").count() == 1
    page.context.clear_cookies()
    sign_in_ok(page, "manager4")
    assert page.goto(f"/customers/{pk}/").status == 200  # type: ignore[union-attr]
    assert page.locator("#my-grant").count() == 1
    assert page.locator("#edit-link").count() == 0  # read-only
    page.goto("/privacy/grants/")
    assert page.locator("#received-grants [data-grant]").count() == 1


FIND_PERSON_2 = """
from kehu.customers.models import Customer
c = (Customer.objects.filter(owner__username="manager1", kind="individual").exclude(phone="")
     .order_by("-pk").first())
print(c.pk, c.phone)
"""


def test_a_deletion_request_end_to_end(page: Page, server: Server) -> None:
    pk, phone = server.shell(FIND_PERSON_2).strip().splitlines()[-1].split()
    # The account manager registers the person's request from the card.
    sign_in_ok(page, "manager1")
    page.goto(f"/customers/{pk}/")
    name = page.inner_text("h2.page-title").split()[0]
    page.click("#new-request")
    page.select_option("#id_kind", "deletion")
    page.fill("#id_details", "本人书面申请删除，已核对身份证")
    assert submit(page, "#request-submit") == 302
    request_url = page.url
    case_number = page.inner_text("#case-link")
    page.context.clear_cookies()

    # The compliance officer finds it in My tasks and carries it out.
    sign_in_ok(page, "compliance")
    page.goto("/tasks/")
    page.click(f"#my-tasks a:has-text('{case_number.split()[0]}')")
    card = page.locator(".complete-form").first
    card.locator("input[value='done']").check()
    card.locator("textarea").first.fill("已删除个人信息")
    assert submit(page, ".complete-form button[type=submit]") == 302
    page.goto(request_url)
    assert page.get_attribute("#request-outcome", "data-outcome") == "done"
    page.context.clear_cookies()

    # The person's data is gone from the card and the search.
    sign_in_ok(page, "manager1")
    page.goto(f"/customers/{pk}/")
    assert name not in page.inner_text("h2.page-title")
    assert "已删除个人信息" in page.inner_text("h2.page-title")
    page.goto(f"/customers/?q={phone}")
    assert page.locator(f"a[href='/customers/{pk}/']").count() == 0


FIND_CONTACT = """
from kehu.customers.models import Contact
c = Contact.objects.filter(customer__owner__username="manager1").order_by("pk").first()
print(c.pk)
"""


def test_consent_then_the_extended_profile(page: Page, server: Server) -> None:
    pk = server.shell(FIND_CONTACT).strip().splitlines()[-1]
    sign_in_ok(page, "manager1")
    page.goto(f"/contacts/{pk}/")
    assert page.locator("#open-profile").count() == 1
    page.click("#open-profile")  # no consent yet: refused, saying why
    assert page.locator("#consent-refused").count() == 1
    page.goto(f"/contacts/{pk}/")
    page.click("#add-consent")
    page.select_option("#id_purpose", "profile")
    page.fill("#id_scope", "客户画像，仅限客户经理")
    page.fill("#id_given_on", "2026-11-02")
    page.select_option("#id_channel", "written")
    assert submit(page, "#consent-submit") == 302
    assert page.locator("#consents [data-purpose='profile']").count() == 1
    page.click("#open-profile")
    page.click("#edit-profile")
    page.fill("#id_interests", "喜欢围棋")
    assert submit(page, "#profile-submit") == 302
    assert "喜欢围棋" in page.inner_text("#profile")


def test_administrator_sets_retention_periods(page: Page, server: Server) -> None:
    sign_in_ok(page, "admin")
    page.goto("/privacy/retention/")
    page.fill("#id_individual_years", "5")
    assert submit(page, "#retention-submit") == 302
    assert page.input_value("#id_individual_years") == "5"
