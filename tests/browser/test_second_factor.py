"""SEC-5 second factor: a role the policy names must pass TOTP at every sign-in."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import (
    create_user,
    field_errors,
    new_password,
    select_unit,
    sign_in,
    submit,
    totp,
    unique,
)

pytestmark = pytest.mark.browser

ROLE = "finance"


def test_totp_helper_matches_rfc_6238() -> None:
    # RFC 6238 appendix B, SHA-1, secret "12345678901234567890", last 6 of 8 digits.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp(secret, at=59) == "287082"
    assert totp(secret, at=1111111109) == "081804"
    assert totp(secret, at=2000000000) == "279037"


def set_role_required(admin: Page, required: bool) -> None:
    admin.goto("/security-policy/")
    box = admin.locator(f"#security-policy-form input[name=totp_required_roles][value={ROLE}]")
    box.set_checked(required)
    assert submit(admin, "#security-policy-form button[type=submit]") == 302
    assert box.is_checked() is required


def test_user_of_a_role_that_needs_a_second_factor_sets_up_totp(
    admin_page: Page, new_page: Callable[..., Page]
) -> None:
    admin = admin_page
    username = unique("otp").lower()
    password = new_password()
    pk = create_user(admin, username=username, full_name=f"动态码{username}", password=password)
    admin.select_option("#grant-role-form select[name=role]", ROLE)
    select_unit(admin, "#grant-role-form select[name=unit]", "FIN")
    assert submit(admin, "#grant-role-form button[type=submit]") == 302
    assert admin.url.endswith(f"/users/{pk}/")
    assert "(FIN)" in admin.inner_text("#roles-panel")

    admin.goto("/security-policy/")
    box = admin.locator(f"#security-policy-form input[name=totp_required_roles][value={ROLE}]")
    was_required = box.is_checked()
    set_role_required(admin, True)
    try:
        user = new_page()
        assert sign_in(user, username, password) == 302
        assert "/accounts/second-factor/" in user.url
        assert user.locator("#otp-qr svg").count() == 1
        secret = user.inner_text("#otp-secret").strip()
        assert len(secret) >= 16

        # No other page opens before the second factor is passed.
        user.goto("/")
        assert "/accounts/second-factor/" in user.url

        now = time.time()
        valid = {totp(secret, at=now + shift) for shift in (-60, -30, 0, 30, 60)}
        wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)
        user.fill("#id_token", wrong)
        assert submit(user, "#verify") == 200
        assert "/accounts/second-factor/" in user.url
        assert field_errors(user, "id_token")
        assert user.locator("#otp-secret").inner_text().strip() == secret  # same device

        # django-otp lets the next try through only 1 s after a wrong code (a person needs
        # that long to type again); a code sent sooner is refused like a wrong one.
        time.sleep(1.2)
        user.fill("#id_token", totp(secret))
        assert submit(user, "#verify") == 302
        assert user.url.endswith("/")
        assert user.locator("#main-nav").count() == 1
        user.goto("/accounts/password/")
        assert user.url.endswith("/accounts/password/")  # verified: pages open now
    finally:
        set_role_required(admin, was_required)
