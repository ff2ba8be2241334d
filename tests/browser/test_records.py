"""The generic record forms: optimistic locking, one-time submission, validation."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import (
    create_unit,
    field_errors,
    fill_unit_form,
    submit,
    unique,
)

pytestmark = pytest.mark.browser


def list_rows(page: Page, slug: str, search: str) -> list[str]:
    page.goto(f"/{slug}/?q={quote(search)}")
    return page.locator("#records tbody tr").all_inner_texts()


def test_second_of_two_concurrent_edits_is_refused(admin_page: Page) -> None:
    page = admin_page
    code = unique("OPT")
    pk = create_unit(page, name=f"并发测试{code}", code=code)
    first_name, second_name = f"第一次保存{code}", f"第二次保存{code}"

    other = page.context.new_page()  # a second tab of the same user
    page.goto(f"/units/{pk}/edit/")
    other.goto(f"/units/{pk}/edit/")

    page.fill("#id_name", first_name)
    assert submit(page, "#save") == 302
    assert page.url.endswith(f"/units/{pk}/")

    other.fill("#id_name", second_name)
    assert submit(other, "#save") == 409
    assert other.locator("#record-form .alert-danger").count() == 1  # non-field error
    assert other.locator("#record-form #id_name").count() == 1  # the form is shown again
    assert other.input_value("#id_name") == second_name  # the user's typing is not lost

    page.goto(f"/units/{pk}/")
    assert first_name in page.inner_text(".page-title")
    details = page.inner_text("dl")
    assert first_name in details
    assert second_name not in details


def test_submitting_the_same_create_form_twice_creates_one_record(admin_page: Page) -> None:
    page = admin_page
    code = unique("DUP")
    name = f"重复提交{code}"
    page.goto("/units/add/")
    fill_unit_form(page, name=name, code=code, kind="department", parent="SH")
    token = page.input_value("input[name=_submission]")
    assert token
    assert submit(page, "#save") == 302
    created = page.url

    page.go_back()
    assert page.url.endswith("/units/add/")
    # A browser with a back/forward cache shows the form exactly as it was sent. Playwright's
    # Chromium runs without that cache and loads the form anew (with a new token), so put
    # the page back the way the user saw it: the same one-time token and the same values.
    hidden = page.locator("input[name=_submission]")
    if hidden.input_value() != token:
        hidden.evaluate("(input, token) => { input.value = token; }", token)
    fill_unit_form(page, name=name, code=code, kind="department", parent="SH")
    assert submit(page, "#save") == 302
    assert page.url == created  # the user lands on the record the first submission made
    assert page.locator(".alert-warning").count() == 1

    rows = list_rows(page, "units", name)
    assert len(rows) == 1 and code in rows[0], rows


def test_invalid_unit_code_is_reported_beside_the_field(admin_page: Page) -> None:
    page = admin_page
    name = f"校验测试{unique()}"
    page.goto("/units/add/")
    fill_unit_form(page, name=name, code="bad code", kind="department", parent="BJ")
    assert submit(page, "#save") == 400
    assert page.url.endswith("/units/add/")
    assert field_errors(page, "id_code")
    assert "is-invalid" in (page.get_attribute("#id_code", "class") or "")
    assert field_errors(page, "id_name") == []
    assert page.input_value("#id_name") == name  # nothing typed is lost
    assert list_rows(page, "units", name) == []
