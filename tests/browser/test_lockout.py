"""SEC-5 lock-out: wrong passwords lock the account for a while; an administrator unlocks it
at once, from the users page or with `kehu users unlock`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import (
    Server,
    create_user,
    lockout_threshold,
    login_error,
    new_password,
    sign_in,
    sign_in_ok,
    submit,
    unique,
)

pytestmark = pytest.mark.browser


def test_wrong_passwords_lock_the_account_until_an_admin_unlocks_it(
    admin_page: Page, new_page: Callable[..., Page]
) -> None:
    admin = admin_page
    username = unique("lock").lower()
    password = new_password()
    pk = create_user(admin, username=username, full_name=f"锁定{username}", password=password)

    user = new_page()
    threshold = lockout_threshold()
    messages = []
    for _attempt in range(threshold):
        assert sign_in(user, username, f"{password}-wrong") == 400
        messages.append(login_error(user))
        assert messages[-1], "a refused sign-in explains itself"
    # One answer every time: no count of attempts left that only a real user name gets.
    assert len(set(messages)) == 1
    lock_message = messages[-1]

    # The right password no longer helps: the same message, still on the sign-in page.
    assert sign_in(user, username, password) == 400
    assert "/accounts/login/" in user.url
    assert user.locator("#login-form .alert-danger").count() == 1
    assert login_error(user) == lock_message
    # A user name that does not exist gets exactly the same answer.
    assert sign_in(user, f"{username}-nobody", password) == 400
    assert login_error(user) == lock_message

    # The administrator sees the lock on the user's page and lifts it.
    admin.goto(f"/users/{pk}/")
    assert admin.locator("#locked-badge").count() == 1
    assert submit(admin, "#unlock") == 302
    assert admin.url.endswith(f"/users/{pk}/")
    assert admin.locator("#locked-badge").count() == 0
    assert admin.locator("#unlock").count() == 0

    sign_in_ok(user, username, password)
    assert user.url.endswith("/")
    assert user.locator("#main-nav").count() == 1


def test_the_command_line_unlocks_a_locked_administrator(
    admin_page: Page, new_page: Callable[..., Page], server: Server
) -> None:
    """A sole administrator locked out is not stuck: `kehu users unlock` lifts the lock."""
    admin = admin_page
    username = unique("lockadm").lower()
    password = new_password()
    create_user(admin, username=username, full_name=f"锁定{username}", password=password)
    user = new_page()
    for _attempt in range(lockout_threshold()):
        assert sign_in(user, username, f"{password}-wrong") == 400
    assert sign_in(user, username, password) == 400

    output = server.kehu("users", "unlock", username)
    assert f"unlocked {username}" in output
    sign_in_ok(user, username, password)
    assert user.locator("#main-nav").count() == 1
