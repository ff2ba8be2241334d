"""An administrator sees the state of the backups, starts a restore drill and watches it run
as a background job to its end; the Backups page then shows the drill's result. (The
scheduler of the test server runs its due jobs at its first tick, a drill among them.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_an_administrator_starts_a_restore_drill_and_watches_it(admin_page: Page) -> None:
    page = admin_page
    page.goto("/backups/")
    expect(page.locator("h2, .page-title").first).to_contain_text("备份")
    expect(page.locator("#backup-destinations")).to_contain_text("-backups")
    page.click("#start-drill")
    page.wait_for_url("**/jobs/*/")
    progress = page.locator("#job-progress")
    expect(progress).to_have_attribute("data-state", "succeeded", timeout=240_000)
    expect(page.locator("#job-summary")).to_contain_text("一致的数据表")
    page.click("#job-link")
    page.wait_for_url("**/backups/")
    expect(page.locator("#last-drill")).to_contain_text("完成")
    expect(page.locator("#last-drill")).to_contain_text("个数据表")
    # No problem but pgBackRest's, which the test server on PostgreSQL does not run.
    problems = page.locator("#backup-problems li")
    for index in range(problems.count()):
        expect(problems.nth(index)).to_contain_text("pgBackRest")
    expect(page.locator("#backup-runs")).to_contain_text("恢复演练")
