"""The permission policy: the one place that answers

* may this user do this action (to this object)?  → `has_perm`
* which objects may this user see?                → `scope`

Permissions are strings "<app>.<model>.<action>" (wildcard "*" allowed in the action).
A role held in a unit grants its permissions for objects of that unit and everything below
it; a role held in a root unit (the group) grants them everywhere. Views, API, exports and
navigation all ask here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from django.db.models import Model, Q, QuerySet

from kehu.core.models import Role

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset(
        {
            "core.orgunit.*",
            "core.user.*",
            "core.roleassignment.*",
            "core.archivistcertification.*",
            "core.securitypolicy.*",
            "audit.auditevent.view",
            "audit.auditevent.export",
        }
    ),
    Role.AUDITOR: frozenset(
        {
            "core.orgunit.view",
            "core.orgunit.export",
            "core.user.view",
            "core.user.export",
            "audit.auditevent.view",
            "audit.auditevent.export",
        }
    ),
    Role.DEPARTMENT_HEAD: frozenset({"core.orgunit.view", "core.user.view"}),
    Role.GENERAL_MANAGER: frozenset({"core.orgunit.view", "core.user.view"}),
    Role.ACCOUNT_MANAGER: frozenset(),
    Role.COMPLIANCE: frozenset(),
    Role.ARCHIVIST: frozenset(),
    Role.CREDIT_MANAGER: frozenset(),
    Role.FINANCE: frozenset(),
}

PRIVILEGED_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.AUDITOR, Role.GENERAL_MANAGER})

# model label → lookup from that model to its owning unit's path ("" = not unit-scoped).
_UNIT_PATH_LOOKUPS: dict[str, str] = {}


def register_scope(model: type[Model], unit_path_lookup: str) -> None:
    """Declare how a record type belongs to a unit, e.g. "unit__path" or "path"."""
    _UNIT_PATH_LOOKUPS[model._meta.label_lower] = unit_path_lookup


@dataclass(frozen=True)
class Grant:
    role: str
    unit_path: str
    is_root: bool


def grants(user: Any) -> list[Grant]:
    """The user's role assignments, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_kehu_grants", None)
    if cached is None:
        rows = user.role_assignments.select_related("unit").values_list(
            "role", "unit__path", "unit__parent_id"
        )
        cached = [Grant(role, path, parent is None) for role, path, parent in rows]
        user._kehu_grants = cached
    return list(cached)


def roles(user: Any) -> set[str]:
    return {g.role for g in grants(user)}


def _grants_for(user: Any, perm: str) -> list[Grant]:
    return [
        g
        for g in grants(user)
        if any(fnmatchcase(perm, pattern) for pattern in ROLE_PERMISSIONS.get(g.role, ()))
    ]


def perm_name(model: type[Model] | Model, action: str) -> str:
    return f"{model._meta.label_lower}.{action}"


def _unit_path_of(obj: Model) -> str | None:
    lookup = _UNIT_PATH_LOOKUPS.get(obj._meta.label_lower)
    if not lookup:
        return None
    value: Any = obj
    for part in lookup.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return str(value)


def has_perm(user: Any, perm: str, obj: Model | None = None) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    matching = _grants_for(user, perm)
    if not matching:
        return False
    if obj is None or any(g.is_root for g in matching):
        return True
    label = obj._meta.label_lower
    if not _UNIT_PATH_LOOKUPS.get(label):
        return True
    path = _unit_path_of(obj)
    return path is not None and any(path.startswith(g.unit_path) for g in matching)


def has_any(user: Any, perms: Iterable[str]) -> bool:
    return any(has_perm(user, p) for p in perms)


def scope[M: Model](user: Any, queryset: QuerySet[M], action: str = "view") -> QuerySet[M]:
    """Only the rows of `queryset` on which `user` may do `action`."""
    model = queryset.model
    perm = perm_name(model, action)
    if getattr(user, "is_superuser", False) and user.is_active:
        return queryset
    matching = _grants_for(user, perm)
    if not matching:
        return queryset.none()
    lookup = _UNIT_PATH_LOOKUPS.get(model._meta.label_lower)
    if not lookup or any(g.is_root for g in matching):
        return queryset
    condition = Q()
    for grant in matching:
        condition |= Q(**{f"{lookup}__startswith": grant.unit_path})
    return queryset.filter(condition)


def requires_second_factor(user: Any) -> bool:
    from kehu.core.models import SecurityPolicy

    required = set(SecurityPolicy.current().totp_required_roles)
    return bool(required & roles(user))
