"""The account manager's day with the keyboard alone — menu, search, the card, a form sent
back with errors (announced, the focus on the first), opening a filing, completing
collection and deciding the initial review — and axe-core finds no serious or critical
violation on the pages on the way (home, customer list, card, filing, My tasks)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import Server, htmx_swap, sign_in_ok, unique

pytestmark = pytest.mark.browser

PREPARE = """
from kehu.core.models import User
import random
from kehu.customers.tests.factories import credit_code
from kehu.filing.tests.conftest import ready_customer
customer = ready_customer(
    User.objects.get(username="manager1"),
    name="北京键盘{tag}有限公司",
    credit_code=credit_code(random.randrange(10**6, 10**7)),
)
print(customer.pk)
"""

FOCUSED = """([selector, text]) => {
    const element = document.activeElement;
    return !!element && element.matches(selector)
        && (!text || element.textContent.trim() === text);
}"""


def tab_to(page: Page, selector: str, text: str = "", presses: int = 250) -> None:
    """Press Tab until the focus is on `selector` (with exactly `text`, when given)."""
    for _ in range(presses):
        if page.evaluate(FOCUSED, [selector, text]):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector} {text!r} on {page.url}")


def press_enter_to_leave(page: Page) -> None:
    """Enter on the focused link or button, which loads another page."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose_with_keys(page: Page, row: str) -> None:
    """Mark one review item "checked, correct" with the keyboard (a <select> or radios)."""
    select = f"{row} select"
    if page.locator(select).count():
        tab_to(page, select)
        page.keyboard.press("Home")
        if page.eval_on_selector(select, "s => s.value") == "":
            page.keyboard.press("ArrowDown")
        assert page.eval_on_selector(select, "s => s.value") == "ok"
    else:
        tab_to(page, f"{row} input[type=radio]")
        page.keyboard.press("Space")
        while not page.locator(f"{row} input[type=radio][value=ok]").is_checked():
            page.keyboard.press("ArrowDown")


def test_search_card_and_a_decision_with_the_keyboard(page: Page, server: Server) -> None:
    tag = unique("K")
    pk = server.shell(PREPARE.format(tag=tag)).strip().splitlines()[-1]
    name = f"北京键盘{tag}有限公司"
    sign_in_ok(page, "manager1")
    page.goto("/")
    assert_accessible(page)

    tab_to(page, "#main-nav a[href='/customers/']")
    press_enter_to_leave(page)
    assert_accessible(page)
    tab_to(page, "#id_q")
    page.keyboard.type(tag)
    with htmx_swap(page):
        page.keyboard.press("Enter")
    tab_to(page, "#records tbody a", name)
    press_enter_to_leave(page)
    assert page.url.endswith(f"/customers/{pk}/")
    assert_accessible(page)

    # A form sent back with errors: the first invalid field has the focus and names them.
    tab_to(page, "#add-contact")
    press_enter_to_leave(page)
    tab_to(page, "#save")
    press_enter_to_leave(page)
    invalid = page.evaluate(
        """() => {
            const field = document.activeElement;
            const errors = document.getElementById(field.getAttribute("aria-describedby"));
            return {id: field.id, invalid: field.getAttribute("aria-invalid"),
                    role: errors && errors.getAttribute("role"),
                    text: errors ? errors.textContent.trim() : ""};
        }"""
    )
    assert invalid["id"] == "id_name" and invalid["invalid"] == "true", invalid
    assert invalid["role"] == "alert" and invalid["text"], invalid
    assert_accessible(page)
    tab_to(page, "#cancel")
    press_enter_to_leave(page)
    assert page.url.endswith(f"/customers/{pk}/")

    # Open a filing, complete collection, decide the initial review.
    tab_to(page, "#open-filing")
    press_enter_to_leave(page)
    assert re.search(r"/filings/\d+/$", page.url)
    assert_accessible(page)
    tab_to(page, "#collection-complete")
    press_enter_to_leave(page)
    assert page.get_attribute("#my-step", "data-step") == "initial_review"
    assert_accessible(page)
    for key in page.locator("#review-form [data-review-item]").evaluate_all(
        "rows => rows.map(r => r.dataset.reviewItem)"
    ):
        choose_with_keys(page, f"#review-form [data-review-item='{key}']")
    tab_to(page, "#review-pass")
    press_enter_to_leave(page)
    assert page.get_attribute("#filing-stage", "data-stage") == "second_review"

    tab_to(page, "#main-nav a[href='/tasks/']")
    press_enter_to_leave(page)
    assert_accessible(page)
