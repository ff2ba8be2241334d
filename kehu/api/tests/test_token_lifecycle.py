"""API tokens (SEC-5), tried as an attacker would: a token that never expires, cannot be
revoked, survives a password change or an administrator's reset, and skips the second
factor. Tokens expire, are revoked from the page, the API and the command line, die with the
password, and are created only from a session that passed the second factor when the role
requires one."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.api.models import ApiToken, hash_token
from kehu.api.services import create_token
from kehu.audit.models import AuditEvent
from kehu.core import services as core_services
from kehu.core.models import Role, User

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def works(raw: str) -> bool:
    status = bearer(raw).get("/api/v1/tasks/").status_code
    assert status in (200, 401), status
    return status == 200


def test_an_expired_token_is_refused(demo: dict[str, User]) -> None:
    token, raw = create_token(demo["head_sale"], "ci", days=1)
    assert token.expires_at is not None
    assert token.expires_at - timezone.now() <= datetime.timedelta(days=1)
    assert works(raw)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert not works(raw)


def test_a_token_gets_a_default_expiry_and_no_longer_than_the_maximum(
    demo: dict[str, User],
) -> None:
    token, _raw = create_token(demo["head_sale"], "ci")
    assert token.expires_at is not None
    days = (token.expires_at - timezone.now()).days
    assert days in (settings.KEHU_API_TOKEN_DAYS - 1, settings.KEHU_API_TOKEN_DAYS)
    with pytest.raises(Exception, match="1"):
        create_token(demo["head_sale"], "forever", days=100 * 365)
    assert ApiToken.objects.count() == 1


def test_the_owner_lists_creates_and_revokes_tokens_on_the_page(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    page = client_for("head_sale")
    created = page.post("/tokens/", {"name": "报表脚本", "days": 30})
    assert created.status_code == 200
    html = created.content.decode()
    token = ApiToken.objects.get(user=demo["head_sale"])
    raw = html.split('id="new-token"')[1].split("<code")[1].split(">")[1].split("<")[0]
    assert hash_token(raw) == token.digest and works(raw)
    # Shown once: the list afterwards has its name and prefix, never the token.
    listed = page.get("/tokens/").content.decode()
    assert "报表脚本" in listed and token.prefix in listed and raw not in listed
    assert works(raw)  # the last-used time is kept
    token.refresh_from_db()
    assert token.last_used_at is not None

    # Someone else cannot revoke it; its owner can, and it stops working at once.
    assert client_for("manager1").post(f"/tokens/{token.pk}/revoke/").status_code == 404
    assert works(raw)
    assert page.post(f"/tokens/{token.pk}/revoke/").status_code == 302
    assert not works(raw)
    assert AuditEvent.objects.filter(action="api.apitoken.revoke").count() == 1


def test_the_api_lists_creates_and_revokes_tokens(api_for: Callable[[str], Client]) -> None:
    api = api_for("head_sale")
    made = api.post("/api/v1/tokens/", {"name": "同步", "days": 10})
    assert made.status_code == 201
    raw, pk = made.json()["token"], made.json()["id"]
    assert works(raw)
    names = [row["name"] for row in api.get("/api/v1/tokens/").json()]
    assert "同步" in names and all("token" not in row for row in api.get("/api/v1/tokens/").json())
    assert api_for("manager1").post(f"/api/v1/tokens/{pk}/revoke/").status_code == 404
    assert api.post(f"/api/v1/tokens/{pk}/revoke/").json()["state"] == "revoked"
    assert not works(raw)
    too_long = api.post("/api/v1/tokens/", {"name": "x", "days": 100000})
    assert too_long.status_code == 400


def test_an_administrator_lists_and_revokes_anyones_tokens(
    demo: dict[str, User], client_for: Callable[[str], Client], api_for: Callable[[str], Client]
) -> None:
    token, raw = create_token(demo["manager1"], "手机同步")
    other, other_raw = create_token(demo["manager2"], "日报")
    page = client_for("admin").get("/tokens/all/", {"user": "manager1"}).content.decode()
    assert "手机同步" in page and "日报" not in page
    assert client_for("manager1").get("/tokens/all/").status_code == 403
    assert client_for("admin").post(f"/tokens/{token.pk}/revoke/").status_code == 302
    assert not works(raw)
    admin_api = api_for("admin")
    names = [row["name"] for row in admin_api.get("/api/v1/tokens/", {"all": "true"}).json()]
    assert "日报" in names
    assert api_for("manager1").get("/api/v1/tokens/", {"all": "true"}).status_code == 403
    assert admin_api.post(f"/api/v1/tokens/{other.pk}/revoke/").status_code == 200
    assert not works(other_raw)


def test_the_command_lists_and_revokes(demo: dict[str, User]) -> None:
    token, raw = create_token(demo["manager1"], "cli")
    out = io.StringIO()
    call_command("token", "list", "manager1", stdout=out)
    assert f"{token.pk}\tmanager1\tcli" in out.getvalue() and "active" in out.getvalue()
    call_command("token", "revoke", str(token.pk), stdout=io.StringIO())
    assert not works(raw)
    out = io.StringIO()
    call_command("token", "list", stdout=out)
    assert "revoked" in out.getvalue()


def test_a_password_change_or_reset_ends_every_token(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    _token, raw = create_token(demo["manager1"], "a")
    assert works(raw)
    reset = client_for("admin").post(
        f"/users/{demo['manager1'].pk}/password/", {"password": "Another-Secret-77"}
    )
    assert reset.status_code == 302
    assert not works(raw)

    _token, raw = create_token(demo["manager2"], "b")
    changed = client_for("manager2").post(
        "/accounts/password/",
        {
            "old_password": settings.KEHU_DEMO_PASSWORD,
            "new_password1": "Another-Secret-78",
            "new_password2": "Another-Secret-78",
        },
    )
    assert changed.status_code == 302
    assert not works(raw)
    # Even a password set another way ends older tokens (the check compares the times).
    _token, raw = create_token(demo["head_sale"], "c")
    later = timezone.now() + datetime.timedelta(seconds=1)
    User.objects.filter(pk=demo["head_sale"].pk).update(password_changed_at=later)
    assert not works(raw)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_creating_a_token_needs_the_second_factor_when_the_role_requires_it(
    demo: dict[str, User], settings: Any
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    core_services.set_totp_required_roles([Role.AUDITOR])
    TOTPDevice.objects.filter(user=demo["auditor"]).delete()  # the demo's device
    device = TOTPDevice.objects.create(user=demo["auditor"], name="Kehu", confirmed=True)
    # A token (made before, or by a command) does not pass for the second factor.
    _old, raw = create_token(demo["auditor"], "old")
    minted = bearer(raw).post("/api/v1/tokens/", {"name": "new"})
    assert minted.status_code == 403
    assert ApiToken.objects.filter(user=demo["auditor"]).count() == 1
    # A session with the password only is sent to the second factor.
    client = Client()
    client.post(
        "/accounts/login/", {"username": "auditor", "password": settings.KEHU_DEMO_PASSWORD}
    )
    assert client.post("/tokens/", {"name": "new", "days": 5}).status_code == 302
    assert client.post("/api/v1/tokens/", {"name": "new"}).status_code == 302
    assert ApiToken.objects.filter(user=demo["auditor"]).count() == 1
    # After the second factor, the token is made.
    client.post("/accounts/second-factor/", {"token": _code(device)})
    assert client.post("/tokens/", {"name": "new", "days": 5}).status_code == 200
    assert ApiToken.objects.filter(user=demo["auditor"]).count() == 2
