"""Shared fixtures: the demo organisation, signed-in clients and API clients per demo user."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.api.services import create_token
from kehu.audit.purpose import SESSION_KEY as PURPOSE_SESSION_KEY
from kehu.core.demo import load_demo
from kehu.core.models import User

TEST_PURPOSE = {"choice": "review", "note": "", "declared_at": "2026-01-05T09:00:00+08:00"}


@pytest.fixture
def demo(db: None) -> dict[str, User]:
    """The demo units and users of `make run` (one user per role)."""
    load_demo()
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def client_for(demo: dict[str, User]) -> Callable[..., Client]:
    """A test client signed in as the named demo user, who has declared a purpose of use
    ("review") unless `declared=False`."""

    def make(username: str, declared: bool = True) -> Client:
        client = Client()
        client.force_login(demo[username])
        session = client.session
        # A demo user with a second factor has passed it too (as after the sign-in page).
        device = TOTPDevice.objects.filter(user=demo[username], confirmed=True).first()
        if device is not None:
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        if declared:
            session[PURPOSE_SESSION_KEY] = TEST_PURPOSE
        session.save()
        return client

    return make


@pytest.fixture
def api_for(demo: dict[str, User]) -> Callable[[str], Client]:
    """A test client authenticating with a fresh API token of the named demo user."""

    def make(username: str) -> Client:
        raw = create_token(demo[username], "test")[1]
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make
