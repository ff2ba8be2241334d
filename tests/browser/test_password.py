"""A user changes their own password from the user menu."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import (
    create_user,
    new_password,
    sign_in,
    sign_in_ok,
    sign_out,
    submit,
    unique,
)

pytestmark = pytest.mark.browser


def test_change_password_then_sign_in_with_the_new_one(
    admin_page: Page, new_page: Callable[..., Page]
) -> None:
    admin = admin_page
    username = unique("pw").lower()
    old, new = new_password(), new_password()
    create_user(admin, username=username, full_name=f"改密{username}", password=old)

    page = new_page()
    sign_in_ok(page, username, old)
    page.click("#user-menu")
    with page.expect_navigation():
        page.click("a[href='/accounts/password/']")
    assert page.url.endswith("/accounts/password/")
    page.fill("#id_old_password", old)
    page.fill("#id_new_password1", new)
    page.fill("#id_new_password2", new)
    assert submit(page, "#password-form button[type=submit]") == 302
    assert page.url.endswith("/")  # still signed in, on the home page

    sign_out(page)
    assert sign_in(page, username, old) == 400
    sign_in_ok(page, username, new)
    assert page.url.endswith("/")
