"""Sign-in with lock-out (SEC-5) and the TOTP second factor."""

from __future__ import annotations

import base64
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

from kehu.audit.context import Actor
from kehu.audit.services import record
from kehu.core.models import User


@dataclass
class SignInResult:
    user: User | None
    error: str = ""


def _locked_message() -> str:
    return _(
        "This account is locked after too many failed sign-ins. "
        "Ask a system administrator to unlock it."
    )


def register_failure(user: User, actor: Actor, reason: str) -> bool:
    """Count a failure; lock the account at the threshold. Returns True when now locked."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
        user.refresh_from_db(fields=["failed_login_count", "locked_at"])
        record("auth.login_failed", user, actor=actor, extra={"reason": reason})
        if user.locked_at is None and user.failed_login_count >= settings.KEHU_LOCKOUT_THRESHOLD:
            user.locked_at = timezone.now()
            user.save(update_fields=["locked_at"])
            record("auth.lockout", user, actor=actor, extra={"failures": user.failed_login_count})
            return True
    return user.locked_at is not None


def sign_in(request: Any, username: str, password: str, actor: Actor) -> SignInResult:
    known = User.objects.filter(username=username).first()
    if known is not None and known.is_locked:
        record("auth.login_failed", known, actor=actor, extra={"reason": "locked"})
        return SignInResult(None, _locked_message())
    user = authenticate(request, username=username, password=password)
    if user is None:
        if known is None:
            record(
                "auth.login_failed",
                actor=actor,
                object_type="core.user",
                object_repr=username[:150],
                extra={"reason": "unknown user"},
            )
        elif register_failure(known, actor, "wrong password"):
            return SignInResult(None, _locked_message())
        else:
            left = settings.KEHU_LOCKOUT_THRESHOLD - known.failed_login_count
            return SignInResult(
                None,
                _("Wrong user name or password. %(left)s attempts left before the lock-out.")
                % {"left": left},
            )
        return SignInResult(None, _("Wrong user name or password."))
    assert isinstance(user, User)
    if user.failed_login_count:
        User.objects.filter(pk=user.pk).update(failed_login_count=0)
    return SignInResult(user)


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
