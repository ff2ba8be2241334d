"""The second factor by default for the powerful roles, and enrolment only with a valid code."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.audit.context import SYSTEM, acting_as
from kehu.core import services
from kehu.core.models import OrgUnit, Role, SecurityPolicy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

LOGIN = "/accounts/login/"
SECOND_FACTOR = "/accounts/second-factor/"


def sign_in(client: Client, username: str, password: str | None = None) -> Any:
    data = {"username": username, "password": password or settings.KEHU_DEMO_PASSWORD}
    return client.post(LOGIN, data)


def current_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    valid = {
        f"{totp(device.bin_key, device.step, device.t0, device.digits, d):06d}"
        for d in range(-3, 4)
    }
    return next(c for c in (f"{n:06d}" for n in range(0, 999999, 7919)) if c not in valid)


def test_the_default_policy_names_the_powerful_roles() -> None:
    required = set(SecurityPolicy.current().totp_required_roles)
    assert required == {
        Role.SYSTEM_ADMIN,
        Role.AUDITOR,
        Role.COMPLIANCE,
        Role.GENERAL_MANAGER,
    }


@pytest.mark.parametrize("username", ["admin", "auditor", "compliance", "gm"])
def test_the_password_alone_does_not_open_kehu_for_these_roles(username: str) -> None:
    client = Client()
    response = sign_in(client, username)
    assert response.status_code == 302
    assert response["Location"].startswith(SECOND_FACTOR)
    for url in ("/", "/users/", "/api/v1/users/"):
        blocked = client.get(url)
        assert blocked.status_code == 302, url
        assert blocked["Location"] == SECOND_FACTOR

    # The demo user has a device with the README's key: its code lets them in.
    page = client.get(SECOND_FACTOR)
    assert page.context["enrolling"] is False
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    key = base64.b32decode(settings.KEHU_DEMO_TOTP_SECRET, casefold=True)
    assert device.bin_key == key
    done = client.post(SECOND_FACTOR, {"token": current_code(device), "next": "/"})
    assert done.status_code == 302
    assert client.get("/").status_code == 200


def test_roles_outside_the_policy_sign_in_with_the_password() -> None:
    client = Client()
    assert sign_in(client, "manager1")["Location"] == "/"
    assert not TOTPDevice.objects.filter(user__username="manager1").exists()


def test_a_new_device_is_confirmed_only_by_a_valid_code(settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a right code right after a wrong one is accepted
    with acting_as(SYSTEM):
        newcomer = services.create_user(
            {
                "username": "newofficer",
                "full_name": "新合规",
                "unit": OrgUnit.objects.get(code="LEGAL"),
                "is_active": True,
                "password": "Lily-Orchard-Piano-93",
            }
        )
        services.grant_role(newcomer, Role.COMPLIANCE, OrgUnit.objects.get(code="BJ"))
    client = Client()
    assert sign_in(client, "newofficer", "Lily-Orchard-Piano-93")["Location"].startswith(
        SECOND_FACTOR
    )
    page = client.get(SECOND_FACTOR)
    assert page.context["enrolling"] is True
    device = TOTPDevice.objects.get(user=newcomer)

    # Codes that the device does not show confirm nothing and open nothing.
    for token in (wrong_code(device), "12345x", ""):
        client.post(SECOND_FACTOR, {"token": token, "next": "/"})
        device.refresh_from_db()
        assert device.confirmed is False
        assert client.get("/").status_code == 302
    # A fresh sign-in elsewhere finds the same unconfirmed device, still to be confirmed.
    other = Client()
    sign_in(other, "newofficer", "Lily-Orchard-Piano-93")
    assert other.get(SECOND_FACTOR).context["enrolling"] is True

    assert client.post(SECOND_FACTOR, {"token": current_code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/").status_code == 200
