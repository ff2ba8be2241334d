"""Sign-in with lock-out and a per-address limit (SEC-5), and the TOTP second factor."""

from __future__ import annotations

import base64
import datetime
import io
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.audit.context import Actor, acting_as
from kehu.audit.models import AuditEvent
from kehu.audit.services import record
from kehu.core.models import User
from kehu.core.users import unlock_user


@dataclass
class SignInResult:
    user: User | None
    error: str = ""
    status: int = 200


def refused_message() -> str:
    """One answer for an unknown user, a wrong password and a locked account alike, so
    that the sign-in page does not tell which user names exist."""
    return _(
        "Wrong user name or password, or the account is locked for a while "
        "after too many failed sign-ins."
    )


def rate_limited_message() -> str:
    return _("Too many failed sign-ins from your address. Wait a minute and try again.")


def address_over_limit(source_ip: str) -> bool:
    """Whether this address failed to sign in KEHU_SIGNIN_ATTEMPTS_PER_MINUTE times in the
    last minute, whatever the user names (counted in the audit log, which every server
    process shares)."""
    since = timezone.now() - datetime.timedelta(minutes=1)
    recent = AuditEvent.objects.filter(
        action="auth.login_failed", source_ip=source_ip, occurred_at__gte=since
    )
    limit = settings.KEHU_SIGNIN_ATTEMPTS_PER_MINUTE
    return recent.values("pk")[:limit].count() >= limit


def register_failure(user: User, actor: Actor, reason: str) -> bool:
    """Count a failure; lock the account at every KEHU_LOCKOUT_THRESHOLD-th failure in a
    row, each lock twice as long as the one before. Returns True when now locked."""
    with transaction.atomic():
        # Judged before this failure is counted: the count also sets the earlier lock's length.
        was_locked = User.objects.select_for_update().get(pk=user.pk).is_locked
        User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
        user.refresh_from_db(fields=["failed_login_count", "locked_at"])
        record("auth.login_failed", user, actor=actor, extra={"reason": reason})
        threshold = settings.KEHU_LOCKOUT_THRESHOLD
        if not was_locked and user.failed_login_count % threshold == 0:
            user.locked_at = timezone.now()
            user.save(update_fields=["locked_at"])
            until = user.locked_until
            assert until is not None
            minutes = round((until - user.locked_at).total_seconds() / 60)
            record(
                "auth.lockout",
                user,
                actor=actor,
                extra={"failures": user.failed_login_count, "minutes": minutes},
            )
    return user.is_locked


def sign_in(request: Any, username: str, password: str, actor: Actor) -> SignInResult:
    if address_over_limit(actor.source_ip):
        record(
            "auth.login_failed",
            actor=actor,
            object_type="core.user",
            object_repr=username[:150],
            extra={"reason": "rate limited"},
        )
        return SignInResult(None, rate_limited_message(), status=429)
    known = User.objects.filter(username=username).first()
    # The password is checked for every name, locked or unknown too (Django's backend runs
    # the hasher for an unknown one): the answer takes as long whichever the case.
    user = authenticate(request, username=username, password=password)
    if known is not None and known.is_locked:
        record("auth.login_failed", known, actor=actor, extra={"reason": "locked"})
        return SignInResult(None, refused_message(), status=400)
    if user is None:
        if known is None:
            record(
                "auth.login_failed",
                actor=actor,
                object_type="core.user",
                object_repr=username[:150],
                extra={"reason": "unknown user"},
            )
        else:
            register_failure(known, actor, "wrong password")
        return SignInResult(None, refused_message(), status=400)
    assert isinstance(user, User)
    if user.failed_login_count or user.locked_at is not None:
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_at=None)
    return SignInResult(user)


def unlock(username: str, actor: Actor) -> User:
    """Lift a lock from the command line (audited as core.user.unlock, like the page)."""
    user = User.objects.get(username=username)
    with acting_as(actor):
        unlock_user(user)
    user.refresh_from_db()
    return user


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Kehu", confirmed=False)


def confirm_device(device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record("auth.totp_enrolled", device.user)
    return True


def enrol_known_secret(user: User, secret: str) -> TOTPDevice:
    """Give the user a confirmed TOTP device with a key that is already known (the demo's,
    documented in the README), replacing any other device."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="Kehu", key=key.hex(), confirmed=True)
        record("auth.totp_enrolled", user, extra={"known_secret": True})
    return device


def reset_second_factor(user: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        record("core.user.totp_reset", user)


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()
