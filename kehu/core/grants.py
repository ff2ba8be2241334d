"""Time-limited access grants (SEC-1, ARC-6): one user, one object, some actions, until a time.

The policy (`kehu.core.policy.has_perm` / `scope`) honours active grants directly, so a grant
ends by itself when its time is up — no job has to remove it. Issuing and revoking are audit
events; who may issue a grant is the caller's decision (department head, general manager, or an
approved borrowing).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core.models import AccessGrant


def grant_access(
    *,
    user: Any,
    obj: Model,
    until: datetime.datetime,
    by: Any,
    reason: str,
    actions: Iterable[str] = ("view",),
) -> AccessGrant:
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Give the reason for this grant.")]
    if until <= timezone.now():
        errors["until"] = [_("The end of the grant must be in the future.")]
    if user is None or not user.is_active:
        errors["user"] = [_("Choose an active user.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        grant = AccessGrant.objects.create(
            user=user,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:255],
            actions=sorted(set(actions)),
            until=until,
            reason=reason,
            granted_by=by,
        )
        record(
            "core.accessgrant.grant",
            grant,
            extra={
                "grantee": user.username,
                "object": f"{grant.object_type}:{grant.object_id}",
                "actions": grant.actions,
                "until": until.isoformat(),
                "reason": reason,
            },
        )
    return grant


def revoke_access(grant: AccessGrant, *, by: Any, reason: str) -> AccessGrant:
    with transaction.atomic():
        current = AccessGrant.objects.select_for_update().get(pk=grant.pk)
        if current.revoked_at is None:
            current.revoked_at = timezone.now()
            current.revoked_by = by
            current.save(update_fields=["revoked_at", "revoked_by"])
            record("core.accessgrant.revoke", current, extra={"reason": (reason or "").strip()})
    return current


# The same condition, for the plain SQL statements that read grants with other facts
# (core.selectors.user_facts, customers.card): its one parameter is the current time.
RUNNING_SQL = "revoked_at IS NULL AND until > %s"


def active_grants(user: Any, model: type[Model] | None = None) -> QuerySet[AccessGrant]:
    grants = AccessGrant.objects.filter(
        user=user, revoked_at__isnull=True, until__gt=timezone.now()
    )
    return grants.filter(object_type=model._meta.label_lower) if model else grants
