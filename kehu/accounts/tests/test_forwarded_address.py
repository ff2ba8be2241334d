"""Behind a proxy the client's address is the one the trusted proxy appended to
X-Forwarded-For (the rightmost entries), never what the client wrote there: rotating the
header neither escapes the per-address sign-in limit nor changes the audited address."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from kehu.audit.middleware import client_ip
from kehu.audit.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

LOGIN = "/accounts/login/"
PROXY = "10.0.0.2"
ATTACKER = "203.0.113.9"


def through_proxy(username: str, password: str, forwarded: str) -> Any:
    """A sign-in as the proxy passes it on: from the proxy's address, the client's
    header with the address the proxy received from appended."""
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    return client.post(LOGIN, {"username": username, "password": password})


def test_rotating_the_header_does_not_escape_the_address_limit(settings: Any) -> None:
    settings.SECURE = True  # KEHU_SECURE=1: behind a proxy
    settings.KEHU_PROXY_HOPS = 1
    settings.KEHU_SIGNIN_ATTEMPTS_PER_MINUTE = 4
    for n, name in enumerate(("manager2", "manager3", "ghost1", "credit")):
        spoofed = f"198.51.100.{n}, {ATTACKER}"
        assert through_proxy(name, "Summer2026!", spoofed).status_code == 400
    refused = through_proxy("manager1", settings.KEHU_DEMO_PASSWORD, f"192.0.2.77, {ATTACKER}")
    assert refused.status_code == 429
    failures = AuditEvent.objects.filter(action="auth.login_failed")
    assert set(failures.values_list("source_ip", flat=True)) == {ATTACKER}
    # Another client behind the same proxy is not affected.
    honest = through_proxy("manager1", settings.KEHU_DEMO_PASSWORD, "198.51.100.200")
    assert honest.status_code == 302


@pytest.mark.parametrize(
    "hops, forwarded, expected",
    [
        (0, "198.51.100.1", "10.0.0.2"),  # no proxy: the header is the client's own words
        (1, "", "10.0.0.2"),
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "1.1.1.1, 2.2.2.2, 198.51.100.1", "198.51.100.1"),
        (2, "1.1.1.1, 198.51.100.1, 10.0.0.3", "198.51.100.1"),
        (2, "10.0.0.3", "10.0.0.2"),  # fewer entries than proxies: not to be trusted
        (1, "1.1.1.1, not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_address_is_counted_from_the_right(
    settings: Any, hops: int, forwarded: str, expected: str
) -> None:
    settings.KEHU_PROXY_HOPS = hops
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_one_trusted_proxy_by_default_when_secure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in list(os.environ):
        if name.startswith("KEHU_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("KEHU_DATA_DIR", str(tmp_path / "data"))
    settings_file = str(Path(settings.BASE_DIR) / "settings.py")
    assert runpy.run_path(settings_file)["KEHU_PROXY_HOPS"] == 0
    monkeypatch.setenv("KEHU_SECURE", "1")
    assert runpy.run_path(settings_file)["KEHU_PROXY_HOPS"] == 1
    monkeypatch.setenv("KEHU_PROXY_HOPS", "2")
    assert runpy.run_path(settings_file)["KEHU_PROXY_HOPS"] == 2
