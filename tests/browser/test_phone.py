"""A phone-sized screen (390×844): the customer list shows its search box and key columns
(the other filters behind a button), the card's title and breadcrumb read as lines of text
with the status badge whole, and My tasks and a task's review form fit the screen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page

from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import sign_in_ok

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def phone(new_page: Callable[..., Page], username: str) -> Page:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in_ok(page, username)
    return page


def assert_fits(page: Page) -> None:
    """Nothing wider than the screen: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


def line_height(locator: Locator) -> float:
    return float(locator.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 20"))


def open_menu_item(page: Page, href: str) -> None:
    """Open the collapsed side menu (phones) and follow one of its links."""
    page.click(".navbar-toggler")
    page.click(f"#main-nav a[href='{href}']")


def test_customer_list_and_card_on_a_phone(new_page: Callable[..., Page]) -> None:
    page = phone(new_page, "manager1")
    open_menu_item(page, "/customers/")
    assert_fits(page)

    # The search box is there; the other filters open behind a button.
    assert page.locator("#id_q").is_visible()
    other_filters = page.locator("#filter-form .col-md-2")
    assert other_filters.count() > 3
    assert not any(f.is_visible() for f in other_filters.all())
    page.click("#filter-toggle")
    assert page.get_attribute("#filter-toggle", "aria-expanded") == "true"
    assert all(f.is_visible() for f in other_filters.all())
    page.click("#filter-toggle")
    assert not other_filters.first.is_visible()
    assert_accessible(page)

    # Key columns only: the names have room (no two characters a line).
    headers = [h for h in page.locator("#records thead th").all() if h.is_visible()]
    assert 2 <= len(headers) <= 3
    first_name = page.locator("#records tbody tr td:first-child a").first
    assert box(page.locator("#records tbody tr td:first-child").first)["width"] >= 180
    assert_fits(page)

    # The card: the title and the breadcrumb are lines of text, the badge whole.
    name = first_name.inner_text().strip()
    first_name.click()
    page.wait_for_selector("#customer-status")
    assert_fits(page)
    title = page.locator(".page-title")
    assert box(title)["width"] >= 300
    assert box(title)["height"] <= 4 * line_height(title), name  # name and badge: few lines
    crumb = page.locator(".breadcrumb-item.active")
    assert box(crumb)["width"] >= 100
    badge = page.locator("#customer-status")
    badge_box = box(badge)
    assert badge_box["x"] >= 0 and badge_box["x"] + badge_box["width"] <= PHONE["width"]
    assert badge.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert badge_box["height"] < 2 * line_height(badge)
    assert_accessible(page)


def test_my_tasks_and_a_review_on_a_phone(new_page: Callable[..., Page]) -> None:
    page = phone(new_page, "compliance")
    open_menu_item(page, "/tasks/")
    assert_fits(page)
    tasks = page.locator("#my-tasks tbody tr")
    assert tasks.count() > 0
    headers = [h for h in page.locator("#my-tasks thead th").all() if h.is_visible()]
    assert len(headers) == 3  # title, step, due
    assert_accessible(page)

    # A task's form: the case page, then the step's own form on the filing.
    review = page.locator("#my-tasks tbody tr", has_text="复审").first
    review.locator("a:visible").first.click()
    assert_fits(page)
    page.locator(".step-own-form").first.click()
    page.wait_for_selector("#my-step")
    assert_fits(page)
    for select in page.locator("#review-form select").all():
        assert box(select)["width"] >= 250  # one item under the other, full width
    assert box(page.locator("#review-pass"))["width"] >= 40
    assert_accessible(page)
