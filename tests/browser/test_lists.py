"""Record lists: the htmx filter form narrows the list in place; keyset pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import Server, htmx_swap, select_unit, unique

pytestmark = pytest.mark.browser

USERS_IN_UNIT = 30  # more than one page of 25

CREATE_UNIT_WITH_USERS = """
from kehu.audit.context import SYSTEM, acting_as
from kehu.core import services
from kehu.core.models import OrgUnit, UnitKind
with acting_as(SYSTEM):
    unit = services.create_unit({{"name": "分页测试{code}", "code": "{code}",
        "kind": UnitKind.DEPARTMENT, "parent": OrgUnit.objects.get(code="SH")}})
    for n in range({count}):
        services.create_user({{"username": "{prefix}" + f"{{n:02d}}",
            "full_name": "分页用户" + f"{{n:02d}}", "unit": unit, "is_active": True}})
print("UNIT", unit.pk)
"""


def shown_total(page: Page) -> int:
    match = re.search(r"\d+", page.inner_text("#row-count"))
    assert match
    return int(match.group())


def usernames(page: Page) -> list[str]:
    return page.locator("#records tbody tr td:first-child").all_inner_texts()


def choose_filter(page: Page, selector: str, value: str, url_part: str) -> None:
    """Change a filter <select>: htmx fetches the table and pushes the new URL."""
    with (
        htmx_swap(page),
        page.expect_response(
            lambda r: "/users/" in r.url and r.request.headers.get("hx-request") == "true"
        ),
    ):
        if selector == "#id_unit" and value:
            select_unit(page, selector, value)
        else:
            page.select_option(selector, value=value)
    page.wait_for_url(re.compile(url_part))


def test_user_list_filters_in_place_and_pages_by_keyset(admin_page: Page, server: Server) -> None:
    code = unique("PG")
    prefix = f"{code.lower()}-"
    output = server.shell(
        CREATE_UNIT_WITH_USERS.format(code=code, prefix=prefix, count=USERS_IN_UNIT)
    )
    match = re.search(r"UNIT (\d+)", output)
    assert match, output
    unit_pk = match.group(1)
    created = {f"{prefix}{n:02d}" for n in range(USERS_IN_UNIT)}

    page = admin_page
    page.goto("/users/")
    everyone = shown_total(page)
    assert everyone >= 10 + USERS_IN_UNIT
    page.evaluate("window.kehuNoReload = true")

    choose_filter(page, "#id_role", "auditor", r"role=auditor")
    names = usernames(page)
    assert "auditor" in names and "admin" not in names
    assert shown_total(page) == len(names) < everyone
    assert page.evaluate("window.kehuNoReload") is True  # updated without a full reload

    choose_filter(page, "#id_role", "", r"role=(&|$)")
    choose_filter(page, "#id_unit", code, rf"unit={unit_pk}")
    assert shown_total(page) == USERS_IN_UNIT
    assert set(usernames(page)) == created
    assert page.evaluate("window.kehuNoReload") is True

    # Keyset pages of 25: the next page holds the rest, the previous page the first 25 again.
    page.goto(f"/users/?unit={unit_pk}&size=25")
    first = usernames(page)
    assert len(first) == 25 and shown_total(page) == USERS_IN_UNIT
    with page.expect_navigation():
        page.click("#next-page")
    assert "after=" in page.url
    second = usernames(page)
    assert len(second) == USERS_IN_UNIT - 25
    assert set(first) | set(second) == created and not set(first) & set(second)
    assert first == sorted(first) and second == sorted(second) and first[-1] < second[0]
    assert "disabled" in (page.locator("li:has(> #next-page)").get_attribute("class") or "")
    with page.expect_navigation():
        page.click(".pagination .page-item:first-child .page-link")
    assert "before=" in page.url
    assert usernames(page) == first
