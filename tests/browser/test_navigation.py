"""Each demo role sees in the side navigation exactly what it may open (and nothing else
opens for it)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import DEMO_USERS, sign_in_ok

pytestmark = pytest.mark.browser

ADMIN_PAGES = ["/units/", "/users/", "/security-policy/", "/audit/"]
CUSTOMER_PAGES = {
    "/customers/",
    "/contacts/",
    "/change-requests/",
    "/documents/expiring/",
    "/filings/",
}
DOCUMENT_ADMIN = {"/document-types/", "/documents/integrity/"}
WORKFLOW_ADMIN = {"/calendar-days/", "/approver-rules/"}
FILING_ADMIN = {"/filing-checklist/", "/risk-rules/", "/watch-list/", "/watch-list/import/"}
WATCH_LIST = {"/watch-list/", "/watch-list/import/"}
PAGES = [*ADMIN_PAGES, *sorted(CUSTOMER_PAGES), "/classification-dimensions/"]
# Home, the API documentation and the workflow's task pages: every signed-in user.
ALWAYS = {"/", "/api/v1/docs/", "/tasks/", "/cases/", "/privacy/grants/", "/tokens/"}
ALWAYS |= {"/ops/due/", "/ops/reminders/", "/jobs/"}
# The register of customer data provided outside the owning department.
DISCLOSURES = {"/privacy/disclosures/"}
# The register review's campaigns: account managers, their heads, compliance, the general
# manager and the auditor.
REVIEWS = {"/reviews/"}
ARCHIVE_READ = {"/dossiers/", "/archive-items/"}
LOANS = {"/archives/loans/"}
ARCHIVIST = ARCHIVE_READ | LOANS | {"/archives/transfers/", "/cabinets/", "/archives/disposition/"}
ARCHIVIST |= {"/archives/destructions/", "/archive-categories/", "/archives/settings/"}
# Interactions: the business department, the general manager and the auditor.
INTERACTIONS = {"/interactions/", "/complaints/", "/surveys/", "/corrective-actions/"}
INTERACTIONS |= {"/customer-research/", "/visit-plans/", "/service-tickets/", "/purchases/"}
INTERACTIONS |= {"/survey-templates/", "/survey-reports/", "/complaint-reply-letters/"}
# The credit register and the contract ledger: the readers of a department's customers.
CREDIT_CONTRACTS = {"/credit/", "/contracts/", "/projects/"}

# From the apps' permissions.py (ROLE_PERMISSIONS) and kehu/core/context_processors.py NAVIGATION.
ALLOWED = {
    "admin": {"/units/", "/users/", "/security-policy/", "/audit/", "/classification-dimensions/"}
    | {"/privacy/retention/", "/ops/outbox/", "/access-limits/", "/tokens/all/", "/backups/"}
    | {"/privacy/tiers/", "/reviews/settings/", "/survey-templates/", "/chat-robots/"}
    | {"/complaint-reply-letters/"}
    | {"/credit/limit-bands/", "/credit/reply-letters/", "/credit/rating-scale/"}
    | {"/contract-checklist/", "/contracts/settings/"}
    | DOCUMENT_ADMIN
    | WORKFLOW_ADMIN
    | FILING_ADMIN,
    "auditor": {"/units/", "/users/", "/audit/", "/privacy/grant-register/"}
    | CUSTOMER_PAGES
    | DISCLOSURES
    | REVIEWS
    | ARCHIVE_READ
    | INTERACTIONS
    | CREDIT_CONTRACTS
    | {"/contracts/statistics/"}
    | {"/archives/transfers/", "/cabinets/", "/archives/destructions/", "/archive-categories/"},
    "head_sale": {"/units/", "/users/"}
    | CUSTOMER_PAGES
    | DISCLOSURES
    | REVIEWS
    | ARCHIVE_READ
    | LOANS
    | INTERACTIONS
    | CREDIT_CONTRACTS
    | {"/archives/transfers/"},
    "gm": {"/units/", "/users/"}
    | CUSTOMER_PAGES
    | DISCLOSURES
    | REVIEWS
    | ARCHIVE_READ
    | LOANS
    | INTERACTIONS
    | CREDIT_CONTRACTS
    | {"/contracts/statistics/", "/archives/destructions/"},
    "manager1": CUSTOMER_PAGES | LOANS | DISCLOSURES | REVIEWS | INTERACTIONS | CREDIT_CONTRACTS,
    "manager2": CUSTOMER_PAGES | LOANS | DISCLOSURES | REVIEWS | INTERACTIONS | CREDIT_CONTRACTS,
    "manager3": CUSTOMER_PAGES | LOANS | DISCLOSURES | REVIEWS | INTERACTIONS | CREDIT_CONTRACTS,
    "manager4": CUSTOMER_PAGES | LOANS | DISCLOSURES | REVIEWS | INTERACTIONS | CREDIT_CONTRACTS,
    "compliance": CUSTOMER_PAGES
    | WATCH_LIST
    | DISCLOSURES
    | REVIEWS
    | {"/contracts/", "/projects/", "/interactions/"},
    "credit": CUSTOMER_PAGES
    | ARCHIVE_READ
    | CREDIT_CONTRACTS
    | {"/archives/transfers/", "/interactions/", "/credit/import/"}
    | {"/contract-checklist/", "/contracts/settings/", "/contracts/statistics/"},
    # The archivist receives contract dossiers from the ledger.
    "archivist": ARCHIVIST | {"/contracts/"},
    "finance": {"/credit/", "/credit/import/"},
}
# Pages reachable without a navigation entry (account managers may read classifications).
ALSO_OPENS = {"/classification-dimensions/": CUSTOMER_PAGES}


def nav_links(page: Page) -> set[str]:
    return {
        href
        for href in page.locator("#main-nav a.nav-link").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        if href
    }


@pytest.mark.parametrize("username", DEMO_USERS)
def test_side_navigation_shows_what_the_role_allows(page: Page, username: str) -> None:
    sign_in_ok(page, username)
    assert page.url.endswith("/")
    assert nav_links(page) == ALWAYS | ALLOWED[username]
    for path in PAGES:
        response = page.goto(path)
        assert response is not None
        opens = path in ALLOWED[username] or bool(ALSO_OPENS.get(path, set()) & ALLOWED[username])
        expected = 200 if opens else 403
        assert response.status == expected, f"{username} {path}"


def test_account_manager_typing_an_admin_address_gets_403(page: Page) -> None:
    sign_in_ok(page, "manager1")
    for path in ("/users/", "/audit/"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 403, path
        # The 403 page is a full page of the application (navigation, no data).
        assert page.locator("#main-nav").count() == 1
        assert page.locator("#records, #events").count() == 0
        assert page.locator(".empty .ti-lock").count() == 1
