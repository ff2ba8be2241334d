"""Shared fixtures: the demo organisation, signed-in clients and API clients per demo user."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kehu.api.services import create_token
from kehu.core.demo import load_demo
from kehu.core.models import User


@pytest.fixture
def demo(db: None) -> dict[str, User]:
    """The demo units and users of `make run` (one user per role)."""
    load_demo()
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def client_for(demo: dict[str, User]) -> Callable[[str], Client]:
    """A test client signed in as the named demo user."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(demo[username])
        return client

    return make


@pytest.fixture
def api_for(demo: dict[str, User]) -> Callable[[str], Client]:
    """A test client authenticating with a fresh API token of the named demo user."""

    def make(username: str) -> Client:
        raw = create_token(demo[username], "test")[1]
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make
