"""The daily filing flow on Chinese screens, walked by clicks as its four people do it: every
page and the printed 客户备案表 read in Chinese — no internal code (`complete`, `approved`,
`in_filing`, `female`, …) and no English word — decisions start unchosen, over-long input is
refused with its limit, and the header works on a phone."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page
from pypdf import PdfReader

from tests.browser.helpers import DEMO_USERS, Server, sign_in_ok, submit, unique

pytestmark = pytest.mark.browser

PREPARE = """
import secrets
from kehu.core.models import User
from kehu.customers.identifiers import make_credit_code
from kehu.filing.tests.conftest import ready_customer
manager = User.objects.get(username="manager1")
code = make_credit_code(f"91110108MA{{1_000_000 + secrets.randbelow(8_000_000):07d}}")
print(ready_customer(manager, name="北京中文界面{tag}有限公司", credit_code=code).pk)
"""
# Values stored in the database or the code that a person must never read as such.
KNOWN_CODES = (
    "complete", "passed", "approved", "issued", "returned", "rejected", "done", "open",
    "in_filing", "active", "prospect", "female", "male", "state_owned", "private",
    "organization", "individual", "finance", "system", "assign", "wait", "True", "False",
    "None", "initial_review", "second_review", "ok", "doubtful", "missing",
)  # fmt: skip
# Text that is not a sentence: e-mail addresses, file names, MIME types, "(login name)".
NOT_WORDS = re.compile(
    r"\S+@\S+|[\w\-.]+\.(?:pdf|png|jpe?g|xlsx|csv)\b|\b[a-z]+/[a-z.+\-]+\b|\([\w.\-]+\)"
)
# Login names (the history names who acted by login name, as typed at sign-in).
LOGIN_NAMES = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, DEMO_USERS)) + r")(?![\w-])")
WORD = re.compile(r"\b[A-Za-z_]*[a-z_][A-Za-z_]*\b")
ALLOWED_WORDS = {"Kehu", "Excel", "App", "v"}


def foreign_words(text: str) -> list[str]:
    """Known codes and English words in a text meant for a Chinese reader."""
    text = LOGIN_NAMES.sub(" ", NOT_WORDS.sub(" ", text))
    found = [w for w in WORD.findall(text) if w not in ALLOWED_WORDS]
    codes = [c for c in KNOWN_CODES if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)]
    return sorted(set(found) | set(codes))


def assert_chinese(page: Page) -> None:
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    words = foreign_words(page.inner_text("body"))
    assert words == [], f"{page.url}: {words}"


def as_user(new_page: Callable[..., Page], username: str) -> Page:
    page = new_page()
    sign_in_ok(page, username)
    assert_chinese(page)  # the home page and its tiles
    return page


def open_my_task(page: Page, number: str) -> None:
    """Home → My tasks → the case → the step's form on the filing page."""
    page.click("#main-nav a[href='/tasks/']")
    assert_chinese(page)
    page.click(f"#my-tasks a:has-text('{number}')")
    assert_chinese(page)
    page.click(".step-own-form")
    page.wait_for_selector("#my-step")
    assert_chinese(page)


def test_the_filing_flow_reads_in_chinese_and_asks_for_decisions(
    new_page: Callable[..., Page], server: Server
) -> None:
    tag = unique("Z")
    customer_pk = int(server.shell(PREPARE.format(tag=tag)).split()[-1])
    manager = as_user(new_page, "manager1")

    # The customer list: its filters offer 全部, not dashes.
    manager.click("#main-nav a[href='/customers/']")
    assert "---------" not in manager.content()
    assert_chinese(manager)

    # The account manager opens the filing from the card and completes collection.
    manager.goto(f"/customers/{customer_pk}/")
    assert_chinese(manager)
    assert submit(manager, "#open-filing") == 302
    assert_chinese(manager)
    number = manager.inner_text("h2.page-title").split()[1]
    assert submit(manager, "#collection-complete") == 302
    assert_chinese(manager)

    # The initial review: nothing is marked until the reviewer marks it.
    selects = manager.locator("#review-form select").all()
    assert selects and all(s.input_value() == "" for s in selects)
    assert submit(manager, "#review-pass") == 400  # nothing marked: refused item by item
    assert manager.locator("#review-form .invalid-feedback").count() >= len(selects)
    assert_chinese(manager)
    for select in manager.locator("#review-form select").all():
        select.select_option("ok")
    assert submit(manager, "#review-pass") == 302
    manager.click("#case-link")
    assert "资料收集完毕" in manager.inner_text("#case-steps")
    assert_chinese(manager)

    # Compliance: the second review from My tasks.
    compliance = as_user(new_page, "compliance")
    open_my_task(compliance, number)
    for select in compliance.locator("#review-form select").all():
        assert select.input_value() == ""
        select.select_option("ok")
    assert submit(compliance, "#review-pass") == 302
    assert_chinese(compliance)

    # The department head: no decision is preselected; none chosen is refused in Chinese.
    head = as_user(new_page, "head_sale")
    open_my_task(head, number)
    assert head.input_value("#id_outcome") == ""
    assert submit(head, "#submit-decision") == 400
    assert "请选择审批意见" in head.inner_text("#decision-form")
    assert_chinese(head)
    head.select_option("#id_outcome", "approved")
    assert submit(head, "#submit-decision") == 302
    assert_chinese(head)

    gm = as_user(new_page, "gm")
    open_my_task(gm, number)
    gm.select_option("#id_outcome", "approved")
    assert submit(gm, "#submit-decision") == 302
    assert gm.get_attribute("#filing-stage", "data-stage") == "approved"
    assert_chinese(gm)
    gm.click("#case-link")
    assert gm.inner_text("#case-outcome").strip() == "已批准"
    assert_chinese(gm)

    # The account manager: card (with its history), notifications, tasks, the printed form.
    manager.goto(f"/customers/{customer_pk}/")
    assert manager.get_attribute("#customer-status", "data-status") == "active"
    assert_chinese(manager)
    manager.click("#notifications-link")
    assert "已批准" in manager.inner_text("body")
    assert_chinese(manager)
    manager.click("#main-nav a[href='/tasks/']")
    assert_chinese(manager)
    manager.click("#main-nav a[href='/filings/']")
    assert manager.locator("#filings-scope").count() == 1  # says what the list leaves out
    assert_chinese(manager)
    manager.click("#show-all-filings")
    manager.click(f"#filings a:has-text('{number}')")
    printed = manager.request.get(manager.get_attribute("#print-form", "href") or "")
    assert printed.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(printed.body()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "客户备案表" in text and "已批准" in text
    assert foreign_words(text) == [], foreign_words(text)


def test_a_long_name_is_refused_with_its_limit(
    new_page: Callable[..., Page], server: Server
) -> None:
    customer_pk = int(server.shell(PREPARE.format(tag=unique("L"))).split()[-1])
    page = as_user(new_page, "manager1")
    page.goto(f"/customers/{customer_pk}/")
    name = page.inner_text("h2.page-title")
    page.click("#edit-link")
    page.fill("#id_name", "北京" + "长" * 4998)
    assert len(page.input_value("#id_name")) == 5000  # the box does not cut it
    assert submit(page, "#save") == 400
    error = " ".join(page.locator(".invalid-feedback").all_inner_texts())
    assert "200" in error and "5000" in error, error
    page.goto(f"/customers/{customer_pk}/")
    assert page.inner_text("h2.page-title") == name


def test_the_header_on_a_phone_names_the_user_and_the_count_is_readable(
    new_page: Callable[..., Page],
) -> None:
    page = new_page(viewport={"width": 390, "height": 844})
    sign_in_ok(page, "manager1")
    assert page.locator("#user-name").is_visible()
    assert page.inner_text("#user-name").strip() == "张伟"
    assert page.locator("#unread-count").count() == 1  # the demo has unread notifications
    ratio = page.eval_on_selector("#unread-count", CONTRAST)
    assert ratio >= 4.5, ratio  # WCAG AA for small text


# The WCAG contrast ratio of an element's text colour against its background colour (both
# read back through a canvas, which turns any CSS colour syntax into sRGB).
CONTRAST = """e => {
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", {willReadFrequently: true});
    const luminance = colour => {
        context.clearRect(0, 0, 1, 1);
        context.fillStyle = colour;
        context.fillRect(0, 0, 1, 1);
        const [r, g, b] = [...context.getImageData(0, 0, 1, 1).data].slice(0, 3).map(v => {
            v /= 255;
            return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const style = getComputedStyle(e);
    const [a, b] = [luminance(style.color), luminance(style.backgroundColor)];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""
