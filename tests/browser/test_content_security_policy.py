"""Every page carries a Content-Security-Policy, and Kehu's own pages break none of it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import ConsoleMessage, Page

from tests.browser.helpers import sign_in_ok

pytestmark = pytest.mark.browser

MANAGER_PAGES = ["/", "/customers/", "/customers/add/", "/tasks/", "/cases/", "/filings/"]
ADMIN_PAGES = ["/users/", "/units/", "/security-policy/", "/api/v1/docs/"]
AUDITOR_PAGES = ["/audit/"]

# Catches what the browser reports to the page (the console text varies by browser version).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def watched(page: Page) -> list[str]:
    """The CSP violations the page will report (also those the console names)."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            problems.append(f"{page.url}: {message.text}")

    page.add_init_script(LISTEN)
    page.on("console", on_console)
    return problems


def visit(page: Page, urls: list[str], problems: list[str]) -> None:
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        policy = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in policy, url
        assert "script-src 'self'" in policy, url
        page.wait_for_load_state("load")
        problems.extend(f"{url}: {found}" for found in page.evaluate("window.__cspViolations"))


def test_main_pages_have_a_policy_and_no_violations(new_page: Callable[..., Page]) -> None:
    manager = new_page()
    problems = watched(manager)
    sign_in_ok(manager, "manager1")
    visit(manager, MANAGER_PAGES, problems)
    manager.goto("/customers/")
    card = manager.get_attribute("#records tbody a >> nth=0", "href")
    assert card
    visit(manager, [card], problems)
    # The header's language switch (no inline handler) still submits on change.
    with manager.expect_navigation():
        manager.select_option("#language-form select[name=language]", "en")
    assert manager.get_attribute("html", "lang") == "en"

    admin = new_page()
    admin_problems = watched(admin)
    sign_in_ok(admin, "admin")  # passes the demo second factor
    visit(admin, ADMIN_PAGES, admin_problems)
    admin.wait_for_selector(".swagger-ui .info")  # the API docs page drew itself

    auditor = new_page()
    auditor_problems = watched(auditor)
    sign_in_ok(auditor, "auditor")
    visit(auditor, AUDITOR_PAGES, auditor_problems)
    assert problems + admin_problems + auditor_problems == []
