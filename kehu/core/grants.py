"""Time-limited access grants (SEC-1, ARC-6): one user, one object, some actions, until a time.

The policy (`kehu.core.policy.has_perm` / `scope`) honours active grants directly, so a grant
ends by itself when its time is up — no job has to remove it. Issuing and revoking are audit
events; who may issue a grant is the caller's decision (department head, general manager, or an
approved borrowing). Whoever issues it, the rules hold here: nobody grants to themselves, a
grant runs no longer than the administrator's maximum (`AccessLimits`), and a person grants
only actions their own roles allow on the object — unless an approved case (a borrowing)
authorises the grant.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import policy
from kehu.core.models import AccessGrant, AccessLimits


def max_duration() -> datetime.timedelta:
    """The longest a grant may run, as the system administrator set it (default 30 days)."""
    return datetime.timedelta(days=AccessLimits.current().grant_max_days)


def role_holds(user: Any, action: str, obj: Model) -> bool:
    """Whether `user`'s own roles (not another grant) allow `action` on `obj`; for an action
    that applies only to related records (a customer's contacts' "profile"), on those."""
    label = obj._meta.label_lower
    if policy.grant_applies(label, action):
        return policy.role_allows(user, policy.perm_name(obj, action), obj)
    children = [
        (apps.get_model(child), lookup)
        for child, lookup in policy.grant_children(label)
        if policy.grant_applies(child, action) and "__" not in lookup
    ]
    return bool(children) and all(
        policy.role_allows(
            user, policy.perm_name(model, action), model(**{lookup.removesuffix("_id"): obj})
        )
        for model, lookup in children
    )


def grant_access(
    *,
    user: Any,
    obj: Model,
    until: datetime.datetime,
    by: Any,
    reason: str,
    actions: Iterable[str] = ("view",),
    authority: str = "",
) -> AccessGrant:
    """Grant `user` the `actions` on `obj` until a time. `authority` names the approved case
    that authorises the grant (a borrowing); without one, `by` must hold every action."""
    reason = (reason or "").strip()
    actions = sorted(set(actions))
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Give the reason for this grant.")]
    if until <= now:
        errors["until"] = [_("The end of the grant must be in the future.")]
    elif until - now > max_duration():
        errors["until"] = [
            _("A grant may run for at most %(days)s days.") % {"days": max_duration().days}
        ]
    if user is None or not user.is_active:
        errors["user"] = [_("Choose an active user.")]
    elif by is not None and user.pk == by.pk:
        errors["user"] = [_("Nobody may grant access to themselves.")]
    if not authority:
        missing = [a for a in actions if by is None or not role_holds(by, a, obj)]
        if missing:
            errors["actions"] = [
                _("You may grant only what your own role allows on this object; not: %(actions)s.")
                % {"actions": ", ".join(missing)}
            ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        grant = AccessGrant.objects.create(
            user=user,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:255],
            actions=actions,
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
                **({"authority": authority} if authority else {}),
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
