"""Lock-outs that expire and grow, the per-address limit, unlocking from the command line,
and one answer for every refused sign-in whichever the user name."""

from __future__ import annotations

import datetime
import re
from typing import Any, ClassVar

import pytest
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.core.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

LOGIN = "/accounts/login/"


def sign_in(username: str, password: str | None = None, address: str = "10.0.0.1") -> Any:
    data = {"username": username, "password": password or settings.KEHU_DEMO_PASSWORD}
    return Client(REMOTE_ADDR=address).post(LOGIN, data)


def fail_until_locked(username: str, threshold: int) -> None:
    for _attempt in range(threshold):
        assert sign_in(username, "wrong-password").status_code == 400


def move_lock_back(username: str, minutes: int) -> None:
    """Let `minutes` pass for the lock (its start moves into the past)."""
    user = User.objects.get(username=username)
    assert user.locked_at is not None
    earlier = user.locked_at - datetime.timedelta(minutes=minutes)
    User.objects.filter(pk=user.pk).update(locked_at=earlier)


@pytest.fixture
def lock_settings(settings: Any) -> int:
    settings.KEHU_LOCKOUT_THRESHOLD = 3
    settings.KEHU_LOCKOUT_MINUTES = 15
    settings.KEHU_LOCKOUT_MAX_MINUTES = 45
    settings.KEHU_SIGNIN_ATTEMPTS_PER_MINUTE = 100
    return 3


def test_a_lock_expires_and_the_next_one_lasts_twice_as_long(lock_settings: int) -> None:
    fail_until_locked("manager1", lock_settings)
    assert sign_in("manager1").status_code == 400  # locked: the right password is refused
    first = AuditEvent.objects.get(action="auth.lockout")
    assert first.extra == {"failures": 3, "minutes": 15}

    move_lock_back("manager1", 14)
    assert sign_in("manager1").status_code == 400  # still within the 15 minutes
    move_lock_back("manager1", 2)
    assert not User.objects.get(username="manager1").is_locked

    # Locked again: twice as long.
    fail_until_locked("manager1", lock_settings)
    second = AuditEvent.objects.filter(action="auth.lockout").order_by("-seq")[0]
    assert second.extra == {"failures": 6, "minutes": 30}
    move_lock_back("manager1", 16)
    assert sign_in("manager1").status_code == 400
    move_lock_back("manager1", 15)

    # A third lock reaches the cap (45 minutes, not 60).
    fail_until_locked("manager1", lock_settings)
    third = AuditEvent.objects.filter(action="auth.lockout").order_by("-seq")[0]
    assert third.extra == {"failures": 9, "minutes": 45}
    move_lock_back("manager1", 46)

    # Once the lock is over the right password signs in and starts the count afresh.
    response = sign_in("manager1")
    assert response.status_code == 302
    user = User.objects.get(username="manager1")
    assert (user.failed_login_count, user.locked_at) == (0, None)


def test_one_address_is_limited_across_user_names(settings: Any) -> None:
    settings.KEHU_SIGNIN_ATTEMPTS_PER_MINUTE = 4
    # An attacker tries one password on many names from one address: no account reaches
    # its own lock-out threshold, but the address is stopped.
    for name in ("manager2", "manager3", "ghost1", "credit"):
        assert sign_in(name, "Summer2026!", address="10.6.6.6").status_code == 400
    refused = sign_in("manager1", address="10.6.6.6")
    assert refused.status_code == 429
    assert "_auth_user_id" not in refused.wsgi_request.session
    event = AuditEvent.objects.filter(action="auth.login_failed").order_by("-seq")[0]
    assert (event.source_ip, event.extra) == ("10.6.6.6", {"reason": "rate limited"})
    # Other addresses are not affected, nor are the accounts tried.
    assert sign_in("manager1", address="10.7.7.7").status_code == 302
    assert not User.objects.get(username="manager2").is_locked

    # A minute later the address may try again.
    AuditEvent.objects.filter(source_ip="10.6.6.6").update(
        occurred_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    assert sign_in("manager1", address="10.6.6.6").status_code == 302


def test_unlock_from_the_command_line(lock_settings: int) -> None:
    fail_until_locked("admin", lock_settings)
    assert User.objects.get(username="admin").is_locked

    call_command("users", "unlock", "admin")
    admin = User.objects.get(username="admin")
    assert (admin.is_locked, admin.locked_at, admin.failed_login_count) == (False, None, 0)
    event = AuditEvent.objects.get(action="core.user.unlock")
    assert event.object_id == str(admin.pk)
    assert event.actor_username.startswith("command line (")
    response = sign_in("admin")
    assert response.status_code == 302

    with pytest.raises(CommandError, match="no such user"):
        call_command("users", "unlock", "nobody-here")


class CountingHasher(MD5PasswordHasher):
    """Django's MD5 hasher (the tests' cheap one) counting how often it hashes a password
    (checking one hashes it too)."""

    runs: ClassVar[list[str]] = []

    def encode(self, password: str, salt: str) -> str:
        self.runs.append(password)
        return super().encode(password, salt)


def refusal(response: Any, username: str) -> tuple[int, list[str], str]:
    """What the page tells: status, errors and the page without its per-response token."""
    page = response.content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = page.replace(f'value="{username}"', "")
    return response.status_code, list(response.context["form"].non_field_errors()), page


def test_unknown_real_and_locked_names_get_the_same_answer(
    lock_settings: int, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    User.objects.filter(username="manager2").update(locked_at=timezone.now(), failed_login_count=3)

    answers = {}
    runs = {}
    for username in ("ghost", "manager1", "manager2"):
        CountingHasher.runs.clear()
        answers[username] = refusal(sign_in(username, "wrong-password"), username)
        runs[username] = len(CountingHasher.runs)
    assert answers["ghost"] == answers["manager1"] == answers["manager2"]
    status, errors, _page = answers["ghost"]
    assert status == 400 and len(errors) == 1
    # No count of attempts left, which only a real user name would have.
    assert not re.search(r"\d", errors[0])
    # The password hasher runs once whichever the case (the time taken does not tell).
    assert runs == {"ghost": 1, "manager1": 1, "manager2": 1}
