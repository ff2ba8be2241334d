"""A user's password and lock-out: kernel services shared by the sign-in flows (kehu.accounts)
and the user administration pages. An app that keeps credentials of its own (the API's tokens)
ends them on `password_changed`, in the same transaction."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from kehu.audit.services import record
from kehu.core.models import User

# Sent with `user` and `action` (the audit action of the change) inside its transaction.
password_changed = Signal()


def _locked(user: User) -> User:
    # The model's manager, not type(user): request.user is a lazy proxy of the user.
    return User.objects.select_for_update().get(pk=user.pk)


def change_password(user: User, new_password: str, *, by_admin: bool = False) -> None:
    with transaction.atomic():
        locked = _locked(user)
        locked.set_password(new_password)
        locked.password_changed_at = timezone.now()
        locked.save(update_fields=["password", "password_changed_at"])
        action = "core.user.password_reset" if by_admin else "core.user.password_change"
        record(action, locked)
        password_changed.send(sender=User, user=locked, action=action)


def unlock_user(user: User) -> None:
    with transaction.atomic():
        locked = _locked(user)
        locked.locked_at = None
        locked.failed_login_count = 0
        locked.save(update_fields=["locked_at", "failed_login_count"])
        record("core.user.unlock", locked)
