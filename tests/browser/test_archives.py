"""Archives in the browser: the whole borrowing path — an account manager from
another department asks for a SALE folder, the general manager (not the archivist) approves,
the archivist issues it, the overdue reminder reaches the borrower (fixed clock), the
archivist takes it back — and the archivist's daily pages (catalogue, dossier, check before
filing, cabinet check with its care items, hold, label PDF)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import Server, sign_in_ok, submit

pytestmark = pytest.mark.browser

SALE_DOSSIER = """
from kehu.archives.models import Dossier
d = (Dossier.objects.filter(customer__unit__code="SALE", customer__status="active")
     .exclude(archive_number="").order_by("-pk").first())
print(d.pk, d.archive_number)
"""


def act(page: Page, key: str, outcome: str, answers: dict[str, str] | None = None) -> None:
    """Complete the signed-in user's open step `key` on the case page with `outcome` (and
    the step's own questions: field name → the value of the radio button to choose)."""
    card = page.locator(f"[data-step-key='{key}']")
    card.wait_for()
    for name, value in (answers or {}).items():
        radio = card.locator(f"input[type=radio][name$='-{name}'][value='{value}']")
        assert not radio.is_checked(), f"{name} is answered before the user chose"
        radio.check()
    card.locator(f"input[type=radio][value='{outcome}']").check()
    with page.expect_navigation():
        card.locator("button[type=submit]").first.click()


def test_borrow_approve_issue_remind_return(new_page: Callable[..., Page], server: Server) -> None:
    pk, number = server.shell(SALE_DOSSIER).strip().splitlines()[-1].split()

    borrower = new_page()
    sign_in_ok(borrower, "manager3")  # 市场部: outside the dossier's department
    borrower.goto("/archives/loans/request/")
    borrower.fill("#id_archive_number", number)
    borrower.select_option("#id_kind", "physical")
    borrower.fill("#id_purpose", "核对合作协议条款")
    assert submit(borrower, "#send-request") == 302
    loan_url = re.sub(r"^https?://[^/]+", "", borrower.url)
    assert re.fullmatch(r"/archives/loans/\d+/", loan_url)
    assert borrower.get_attribute("#loan-status", "data-status") == "requested"
    case_url = borrower.get_attribute("#case-link", "href")
    assert case_url

    # Outside the department the archivist may not approve: no step for her on the case.
    archivist = new_page()
    sign_in_ok(archivist, "archivist")
    archivist.goto(case_url)
    assert archivist.locator("[data-step-key='approve']").count() == 0

    gm = new_page()
    sign_in_ok(gm, "gm")
    gm.goto("/tasks/")
    assert gm.locator(f"a[href='{case_url}']").count() >= 1
    gm.goto(case_url)
    act(gm, "approve", "approved")

    archivist.goto(case_url)
    act(archivist, "issue", "issued")
    borrower.goto(loan_url)
    assert borrower.get_attribute("#loan-status", "data-status") == "issued"
    due = borrower.inner_text("#loan-due").strip()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", due)

    # The day after the due date (a fixed clock): the daily job reminds the borrower.
    borrower.goto("/notifications/")
    before = borrower.locator(f"#notification-list a[href='{loan_url}']").count()
    loan_pk = loan_url.strip("/").split("/")[-1]
    counts = server.shell(
        "import datetime\n"
        "from kehu.archives.models import Loan\n"
        "from kehu.ops.reminders import run_reminders\n"
        f"loan = Loan.objects.get(pk={loan_pk})\n"
        "print(run_reminders(loan.due_date + datetime.timedelta(days=1), ['archives.loan']))\n"
    )
    assert "'archives.loan': " in counts and "'archives.loan': 0" not in counts
    borrower.goto("/notifications/")
    assert borrower.locator(f"#notification-list a[href='{loan_url}']").count() == before + 1

    # The archivist takes the folder back, complete and undamaged.
    archivist.goto(case_url)
    act(archivist, "return", "returned", {"complete": "True", "undamaged": "True"})
    borrower.goto(loan_url)
    assert borrower.get_attribute("#loan-status", "data-status") == "returned"
    slip = borrower.request.get(f"/archives/loans/{loan_pk}/slip.pdf")
    assert slip.status == 200 and slip.headers["content-type"] == "application/pdf"
    assert pk


def test_archivist_daily_pages(page: Page, server: Server) -> None:
    pk, number = server.shell(SALE_DOSSIER).strip().splitlines()[-1].split()
    sign_in_ok(page, "archivist")
    page.goto("/dossiers/")
    page.fill("#id_q", number)
    page.press("#id_q", "Enter")
    page.locator(f"#record-table a[href='/dossiers/{pk}/']").first.click()
    page.wait_for_url(f"**/dossiers/{pk}/")
    assert page.inner_text("#archive-number").strip() == number
    label = page.request.get(f"/dossiers/{pk}/label.pdf")
    assert label.status == 200 and label.headers["content-type"] == "application/pdf"

    page.fill("#hold-name", "诉讼保全")
    page.fill("#hold-reason", "（2026）京0105民初123号")
    assert submit(page, "#place-hold") == 302
    assert page.locator("#holds [data-hold]").count() >= 1

    # The check before filing: materials accepted, then the item is filed.
    page.click("#review-link")
    page.wait_for_selector("#review-form")
    for passed in ("authentic", "complete", "accurate"):
        page.check(f"input[name={passed}]")
    page.check("input[name=outcome][value=accepted]")
    assert submit(page, "#save-review") == 302
    page.wait_for_url(f"**/dossiers/{pk}/")
    assert page.locator("#archiving-reviews [data-outcome=accepted]").count() >= 1

    page.goto("/cabinets/")
    page.locator("#record-table tbody a").first.click()
    page.wait_for_selector("#check-form")
    checks = page.locator("#cabinet-checks [data-check]").count()
    page.uncheck("#id_damp_ok")
    page.fill("#id_damp_note", "柜内潮湿，已放置干燥剂")
    assert submit(page, "#record-check") == 302
    assert page.locator("#cabinet-checks [data-check]").count() == checks + 1
    assert page.locator("#cabinet-checks [data-problem]").count() >= 1
