"""API tokens (SEC-5): created with a name and an expiry, listed, revoked by their owner or an
administrator, and dead once the owner's password changes. A user whose role requires a
second factor creates one only from a session that passed it."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.api.models import ApiToken, hash_token
from kehu.audit.services import record
from kehu.core import policy
from kehu.core.models import AccessLimits, User
from kehu.infra.normalize import within_limit

REVOKE_PERM = "api.apitoken.revoke"
VIEW_PERM = "api.apitoken.view"


def max_days() -> int:
    """The longest lifetime a token may get (the administrator's access limits)."""
    return AccessLimits.current().token_max_days


def default_days() -> int:
    return max(1, min(int(settings.KEHU_API_TOKEN_DAYS), max_days()))


def create_token(
    user: User,
    name: str = "",
    *,
    days: int | None = None,
    second_factor_passed: bool | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user`, valid for `days` (default KEHU_API_TOKEN_DAYS, at most the
    administrator's maximum). `second_factor_passed` says whether the session asking for it
    passed the second factor; None means a command run on the server (no session)."""
    name = within_limit((name or "").strip(), 100, "name")
    errors: dict[str, list[str]] = {}
    if days is None:
        days = default_days()
    if days < 1 or days > max_days():
        errors["days"] = [_("A token may be valid for 1 to %(days)s days.") % {"days": max_days()}]
    if errors:
        raise ValidationError(errors)
    if second_factor_passed is False and policy.requires_second_factor(user):
        raise PermissionDenied(
            _("Your role requires the second factor: sign in with it before creating a token.")
        )
    raw = ApiToken.new_raw()
    expires_at = timezone.now() + datetime.timedelta(days=days)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=raw[3:11], digest=hash_token(raw), expires_at=expires_at
        )
        record(
            "api.apitoken.create",
            token,
            extra={"user": user.username, "name": name, "expires_at": expires_at.isoformat()},
        )
    return token, raw


def may_revoke(user: Any, token: ApiToken) -> bool:
    return token.user_id == getattr(user, "pk", None) or policy.has_perm(user, REVOKE_PERM, token)


def revoke_token(token: ApiToken, *, by: Any) -> ApiToken:
    if by is not None and not may_revoke(by, token):
        raise PermissionDenied(_("You may not revoke this token."))
    with transaction.atomic():
        current = ApiToken.objects.select_for_update().get(pk=token.pk)
        if current.revoked_at is None:
            current.revoked_at = timezone.now()
            current.save(update_fields=["revoked_at"])
            record("api.apitoken.revoke", current, extra={"user": current.user.username})
    return current


def revoke_all(user: User, reason: str) -> int:
    """Revoke every live token of `user` (after a password change or reset); audited."""
    now = timezone.now()
    with transaction.atomic():
        count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        if count:
            record("core.user.tokens_revoked", user, extra={"tokens": count, "reason": reason})
    return count


def on_password_changed(sender: Any, user: User, action: str, **kwargs: Any) -> None:
    """A user's API tokens end with the old password (the token check also refuses any token
    older than the change); revoked so that their list says so."""
    revoke_all(user, action)


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def tokens_visible_to(user: Any) -> QuerySet[ApiToken]:
    """Anyone's tokens, for an administrator (in the units they administer)."""
    rows = ApiToken.objects.select_related("user").order_by("-created_at")
    return policy.scope(user, rows)


def state_of(token: ApiToken, now: datetime.datetime | None = None) -> str:
    """ "active", "revoked", "expired" or "password" (ended by a password change)."""
    now = now or timezone.now()
    changed = token.user.password_changed_at
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is None or token.expires_at <= now:
        return "expired"
    if changed is not None and changed > token.created_at:
        return "password"
    return "active"


def with_states(tokens: Any) -> list[ApiToken]:
    now = timezone.now()
    rows = list(tokens)
    for token in rows:
        token.state = state_of(token, now)
    return rows
