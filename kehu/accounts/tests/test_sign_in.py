"""Sign-in security (SEC-5): lock-out, unlock, TOTP second factor, sessions, passwords."""

from __future__ import annotations

import datetime
import os
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.accounts import services as account_services
from kehu.api.services import create_token
from kehu.audit.models import AuditEvent
from kehu.core import services
from kehu.core.models import Role, User

# The demo data is loaded once per module (see conftest.py); each test rolls back.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

LOGIN = "/accounts/login/"
SECOND_FACTOR = "/accounts/second-factor/"


def password() -> str:
    return str(settings.KEHU_DEMO_PASSWORD)


def sign_in(client: Client, username: str, secret: str | None = None, **extra: Any) -> Any:
    data = {"username": username, "password": password() if secret is None else secret}
    data.update(extra)
    return client.post(LOGIN, data)


def signed_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def non_field_errors(response: Any) -> list[str]:
    return list(response.context["form"].non_field_errors())


@pytest.fixture
def threshold(settings: Any) -> int:
    settings.KEHU_LOCKOUT_THRESHOLD = 3
    return 3


# --- lock-out --------------------------------------------------------------------------


def test_correct_password_signs_in_and_resets_the_failure_count(demo: dict[str, User]) -> None:
    User.objects.filter(username="manager1").update(failed_login_count=2)
    client = Client()
    response = sign_in(client, "manager1")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_as(client) == demo["manager1"].pk
    assert User.objects.get(username="manager1").failed_login_count == 0


def test_lock_out_after_the_threshold(demo: dict[str, User], threshold: int) -> None:
    client = Client()
    for attempt in range(1, threshold + 1):
        response = sign_in(client, "manager1", "wrong-password")
        assert response.status_code == 400
        user = User.objects.get(username="manager1")
        assert user.failed_login_count == attempt
        assert user.is_locked == (attempt == threshold)
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == threshold
    lockout = AuditEvent.objects.get(action="auth.lockout")
    assert lockout.object_id == str(demo["manager1"].pk)
    assert lockout.extra == {"failures": threshold, "minutes": settings.KEHU_LOCKOUT_MINUTES}

    # The right password no longer helps; the page gives its one answer for every refusal.
    response = sign_in(client, "manager1")
    assert response.status_code == 400
    assert signed_in_as(client) is None
    with translation.override(settings.LANGUAGE_CODE):
        refused_message = account_services.refused_message()
    assert refused_message in non_field_errors(response)
    refused = AuditEvent.objects.filter(action="auth.login_failed").order_by("-seq")[0]
    assert refused.extra == {"reason": "locked"}
    # Other accounts are not affected.
    assert sign_in(Client(), "manager2").status_code == 302


def test_lock_message_in_english(demo: dict[str, User], threshold: int) -> None:
    User.objects.filter(username="finance").update(locked_at=timezone.now())
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = sign_in(client, "finance")
    assert response.status_code == 400
    with translation.override("en"):
        expected = account_services.refused_message()
    assert expected in non_field_errors(response)


def test_unknown_user_does_not_lock_anything(demo: dict[str, User], threshold: int) -> None:
    for _attempt in range(threshold + 2):
        assert sign_in(Client(), "ghost", "whatever").status_code == 400
    assert not User.objects.filter(locked_at__isnull=False).exists()


def test_inactive_user_cannot_sign_in(demo: dict[str, User]) -> None:
    User.objects.filter(username="credit").update(is_active=False)
    client = Client()
    assert sign_in(client, "credit").status_code == 400
    assert signed_in_as(client) is None


# --- unlock by an administrator --------------------------------------------------------


def test_admin_unlock_lets_the_user_back_in(
    client_for: Callable[[str], Client], demo: dict[str, User], threshold: int
) -> None:
    for _attempt in range(threshold):
        sign_in(Client(), "manager2", "wrong-password")
    target = User.objects.get(username="manager2")
    assert target.is_locked

    response = client_for("admin").post(reverse("core:unlock", args=[target.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("generic:users_detail", args=[target.pk])
    target.refresh_from_db()
    assert (target.locked_at, target.failed_login_count) == (None, 0)
    assert AuditEvent.objects.filter(action="core.user.unlock", actor_username="admin").exists()

    client = Client()
    assert sign_in(client, "manager2").status_code == 302
    assert signed_in_as(client) == target.pk


@pytest.mark.parametrize("username", ["manager1", "head_sale", "auditor", "gm"])
def test_unlock_needs_the_permission(
    client_for: Callable[[str], Client], demo: dict[str, User], username: str
) -> None:
    target = demo["manager2"]
    User.objects.filter(pk=target.pk).update(locked_at=timezone.now(), failed_login_count=5)
    response = client_for(username).post(reverse("core:unlock", args=[target.pk]))
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.is_locked
    assert not AuditEvent.objects.filter(action="core.user.unlock").exists()


def test_unlock_needs_post(client_for: Callable[[str], Client], demo: dict[str, User]) -> None:
    target = demo["manager2"]
    response = client_for("admin").get(reverse("core:unlock", args=[target.pk]))
    assert response.status_code == 405


# --- second factor (TOTP) --------------------------------------------------------------


def current_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    valid = {
        f"{totp(device.bin_key, device.step, device.t0, device.digits, d):06d}"
        for d in range(-3, 4)
    }
    return next(c for c in (f"{n:06d}" for n in range(0, 999999, 7919)) if c not in valid)


@pytest.fixture
def totp_for_managers(demo: dict[str, User], settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a right code right after a wrong one is accepted
    services.set_totp_required_roles([Role.ACCOUNT_MANAGER])


def test_totp_enrolment_and_sign_in(totp_for_managers: None, demo: dict[str, User]) -> None:
    client = Client()
    response = sign_in(client, "manager1", next="/units/")
    assert response.status_code == 302
    assert response["Location"].startswith(SECOND_FACTOR)
    assert "next=/units/" in response["Location"]

    # Until the code is given every page sends the user back to the second factor.
    blocked = client.get("/")
    assert blocked.status_code == 302
    assert blocked["Location"] == SECOND_FACTOR

    page = client.get(SECOND_FACTOR)
    assert page.status_code == 200
    assert page.context["enrolling"] is True
    device = TOTPDevice.objects.get(user=demo["manager1"])
    assert device.confirmed is False
    assert page.context["secret"]
    assert "<svg" in page.context["qr_svg"]

    bad = client.post(SECOND_FACTOR, {"token": wrong_code(device), "next": "/"})
    assert bad.status_code == 200
    assert "token" in bad.context["form"].errors
    assert User.objects.get(username="manager1").failed_login_count == 1
    failure = AuditEvent.objects.filter(action="auth.login_failed").order_by("-seq")[0]
    assert failure.extra == {"reason": "wrong second-factor code"}
    assert client.get("/").status_code == 302

    good = client.post(SECOND_FACTOR, {"token": current_code(device), "next": "/"})
    assert good.status_code == 302
    assert good["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/").status_code == 200
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"auth.totp_enrolled", "auth.otp_verified"} <= actions


def test_views_get_the_user_itself_with_its_second_factor_state(
    totp_for_managers: None, demo: dict[str, User]
) -> None:
    """ResolvedUserMiddleware: no lazy proxies around request.user after the middlewares
    that wrap it, and the second-factor state they set up is on the user itself."""
    from django.contrib.auth.models import AnonymousUser

    assert type(Client().get("/").wsgi_request.user) is AnonymousUser
    client = Client()
    sign_in(client, "manager1")
    blocked = client.get("/")
    assert blocked.status_code == 302
    assert type(blocked.wsgi_request.user) is User
    assert blocked.wsgi_request.user.is_verified() is False  # type: ignore[attr-defined]
    client.get(SECOND_FACTOR)  # enrols a device
    device = TOTPDevice.objects.get(user=demo["manager1"])
    client.post(SECOND_FACTOR, {"token": current_code(device), "next": "/"})
    page = client.get("/")
    assert page.status_code == 200
    user = page.wsgi_request.user
    assert type(user) is User and user.username == "manager1"
    assert user.is_verified() is True  # type: ignore[attr-defined]


def test_confirmed_device_is_asked_for_at_the_next_sign_in(
    totp_for_managers: None, demo: dict[str, User]
) -> None:
    user = demo["manager1"]
    device = TOTPDevice.objects.create(user=user, name="Kehu", confirmed=True)
    client = Client()
    assert sign_in(client, "manager1")["Location"].startswith(SECOND_FACTOR)
    page = client.get(SECOND_FACTOR)
    assert page.context["enrolling"] is False
    assert "secret" not in page.context  # the key is shown only while enrolling
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert client.post(SECOND_FACTOR, {"token": current_code(device)}).status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_codes_count_toward_the_lock_out(
    totp_for_managers: None, demo: dict[str, User], threshold: int
) -> None:
    client = Client()
    sign_in(client, "manager2")
    client.get(SECOND_FACTOR)
    device = TOTPDevice.objects.get(user=demo["manager2"])
    for _attempt in range(threshold - 1):
        assert client.post(SECOND_FACTOR, {"token": wrong_code(device)}).status_code == 200
    last = client.post(SECOND_FACTOR, {"token": wrong_code(device)})
    assert last.status_code == 302
    assert last["Location"] == LOGIN
    assert signed_in_as(client) is None
    assert User.objects.get(username="manager2").is_locked
    assert AuditEvent.objects.filter(action="auth.lockout").count() == 1
    # Locked: even the password and a right code do not get back in.
    assert sign_in(Client(), "manager2").status_code == 400


def test_next_url_with_a_query_survives_the_second_factor(
    totp_for_managers: None, demo: dict[str, User]
) -> None:
    client = Client()
    target = "/users/?q=zhang&size=25"
    response = sign_in(client, "manager1", next=target)
    location = urlsplit(response["Location"])
    assert location.path == SECOND_FACTOR
    assert parse_qs(location.query) == {"next": [target]}
    client.get(response["Location"])
    device = TOTPDevice.objects.get(user=demo["manager1"])
    done = client.post(SECOND_FACTOR, {"token": current_code(device), "next": target})
    assert done["Location"] == target


def test_password_alone_does_not_open_the_api(demo: dict[str, User]) -> None:
    services.set_totp_required_roles([Role.AUDITOR])
    client = Client()
    sign_in(client, "auditor")
    for url in ("/api/v1/audit-events/", "/api/v1/users/", "/audit/", "/users/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == SECOND_FACTOR
    client.get(SECOND_FACTOR)
    device = TOTPDevice.objects.get(user=demo["auditor"])
    assert client.post(SECOND_FACTOR, {"token": current_code(device)}).status_code == 302
    assert client.get("/api/v1/audit-events/").status_code == 200
    # A bearer token is a credential of its own and is not sent to the second factor.
    _token, raw = create_token(demo["auditor"])
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/users/").status_code == 200


def test_roles_without_the_requirement_skip_the_second_factor(
    totp_for_managers: None, demo: dict[str, User]
) -> None:
    client = Client()
    response = sign_in(client, "finance")
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert not TOTPDevice.objects.filter(user=demo["finance"]).exists()


def test_security_policy_page_sets_the_roles(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    response = client_for("admin").post(
        reverse("core:security_policy"), {"totp_required_roles": [Role.AUDITOR, Role.FINANCE]}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="core.securitypolicy.update")
    default = sorted(settings.KEHU_TOTP_REQUIRED_ROLES)
    assert event.changes == {"totp_required_roles": [default, ["auditor", "finance"]]}
    client = Client()
    assert sign_in(client, "auditor")["Location"].startswith(SECOND_FACTOR)


def test_admin_resets_the_second_factor(
    client_for: Callable[[str], Client], totp_for_managers: None, demo: dict[str, User]
) -> None:
    user = demo["manager1"]
    TOTPDevice.objects.create(user=user, name="Kehu", confirmed=True)
    response = client_for("admin").post(reverse("core:reset_totp", args=[user.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="core.user.totp_reset").count() == 1
    client = Client()
    sign_in(client, "manager1")
    assert client.get(SECOND_FACTOR).context["enrolling"] is True


# --- sessions --------------------------------------------------------------------------


def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, Any]:
    """Evaluate kehu/settings.py afresh with the given environment."""
    for name in list(os.environ):
        if name.startswith("KEHU_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("KEHU_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(settings.BASE_DIR) / "settings.py"))


def test_session_timeout_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert load_settings(monkeypatch, tmp_path)["SESSION_COOKIE_AGE"] == 30 * 60
    configured = load_settings(monkeypatch, tmp_path, KEHU_SESSION_TIMEOUT_MINUTES="7")
    assert configured["SESSION_COOKIE_AGE"] == 7 * 60
    assert configured["SESSION_SAVE_EVERY_REQUEST"] is True
    assert configured["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert configured["KEHU_LOCKOUT_THRESHOLD"] == 5
    threshold = load_settings(monkeypatch, tmp_path, KEHU_LOCKOUT_THRESHOLD="9")
    assert threshold["KEHU_LOCKOUT_THRESHOLD"] == 9


def session_of(client: Client) -> Session:
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Session.objects.get(session_key=key)


def test_session_is_idle_timed_out(demo: dict[str, User], settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 600
    client = Client()
    response = sign_in(client, "credit")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""  # a browser-session cookie: gone when the browser closes
    assert cookie["expires"] == ""
    assert cookie["httponly"]

    def remaining() -> float:
        return (session_of(client).expire_date - timezone.now()).total_seconds()

    assert 540 < remaining() <= 600

    # Each request extends the idle timeout.
    Session.objects.filter(pk=session_of(client).pk).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=30)
    )
    assert client.get("/").status_code == 200
    assert 540 < remaining() <= 600

    # Once idle for longer than the timeout the session is gone.
    Session.objects.filter(pk=session_of(client).pk).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/units/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# --- password change -------------------------------------------------------------------


def test_password_change_works_and_is_audited(demo: dict[str, User]) -> None:
    client = Client()
    sign_in(client, "archivist")
    url = reverse("accounts:change_password")
    assert client.get(url).status_code == 200

    wrong_old = client.post(
        url,
        {
            "old_password": "not-it",
            "new_password1": "Brand-New-Secret-7",
            "new_password2": "Brand-New-Secret-7",
        },
    )
    assert wrong_old.status_code == 200
    assert wrong_old.context["form"].has_error("old_password", "password_incorrect")

    weak = client.post(
        url, {"old_password": password(), "new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 200
    assert weak.context["form"].has_error("new_password2", "password_too_short")

    response = client.post(
        url,
        {
            "old_password": password(),
            "new_password1": "Brand-New-Secret-7",
            "new_password2": "Brand-New-Secret-7",
        },
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 302
    user = User.objects.get(username="archivist")
    assert user.check_password("Brand-New-Secret-7")
    assert user.password_changed_at is not None
    assert client.get("/").status_code == 200  # still signed in
    event = AuditEvent.objects.get(action="core.user.password_change")
    assert (event.object_id, event.actor_username, event.source_ip) == (
        str(user.pk),
        "archivist",
        "10.1.1.1",
    )
    assert "Brand-New-Secret-7" not in str(event.changes) + str(event.extra)

    fresh = Client()
    assert sign_in(fresh, "archivist").status_code == 400
    assert sign_in(fresh, "archivist", "Brand-New-Secret-7").status_code == 302


def test_password_change_needs_sign_in(db: None) -> None:
    response = Client().get(reverse("accounts:change_password"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# --- the next URL after sign-in --------------------------------------------------------


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/units/", "/units/"),
        ("/users/?q=zhang", "/users/?q=zhang"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("http://testserver.evil.example/", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_url_stays_on_this_site(demo: dict[str, User], target: str, expected: str) -> None:
    client = Client()
    response = sign_in(client, "credit", next=target)
    assert response.status_code == 302
    assert response["Location"] == expected
    # Signed in already: the login page redirects, again only to this site.
    again = client.get(LOGIN, {"next": target})
    assert again.status_code == 302
    assert again["Location"] == expected


def test_external_next_is_not_passed_on_to_the_second_factor(
    totp_for_managers: None, demo: dict[str, User]
) -> None:
    response = sign_in(Client(), "manager1", next="https://evil.example/")
    assert response["Location"] == f"{SECOND_FACTOR}?next=/"


def test_pages_need_sign_in(db: None) -> None:
    for url in ("/", "/units/", "/users/", "/audit/"):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{LOGIN}?next=")


def test_sign_out_needs_post(demo: dict[str, User]) -> None:
    client = Client()
    sign_in(client, "credit")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert signed_in_as(client) is None
