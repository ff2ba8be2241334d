"""The permission policy: the one place that answers

* may this user do this action (to this object)?  → `has_perm`
* which objects may this user see?                → `scope`

Permissions are strings "<app>.<model>.<action>" (wildcard "*" allowed in the action).
A role held in a unit grants its permissions for objects of that unit and everything below
it; a role held in a root unit (the group) grants them everywhere. A permission written
"<perm>:own" applies only to objects the user owns (the record type's owner lookup), e.g. an
account manager edits the customers they manage. Views, API, exports and navigation all ask
here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from django.db.models import Model, Q, QuerySet

from kehu.core.models import Role

# Customers (issue 3): department staff see their department's customers, account managers
# edit the ones they own, department heads manage the department's, auditors read everything.
_CUSTOMER_READ = frozenset(
    {
        "customers.customer.view",
        "customers.contact.view",
        "customers.bankaccount.view",
        "customers.changerequest.view",
        "customers.classificationdimension.view",
        "customers.classificationvalue.view",
    }
)
_PROPOSE = frozenset({"customers.changerequest.add"})
# Documents (issue 4): whoever reads a customer reads its dossier; account managers upload to
# their own customers, department heads to the department's; administrators keep the types.
_DOCUMENT_READ = frozenset({"documents.document.view", "documents.documentversion.view"})
_CUSTOMER_READ = _CUSTOMER_READ | _DOCUMENT_READ

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
            "customers.classificationdimension.*",
            "customers.classificationvalue.*",
            "documents.documenttype.*",
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
            "customers.*.view",
            "customers.*.export",
            "documents.*.view",
            "documents.*.export",
        }
    ),
    Role.DEPARTMENT_HEAD: frozenset(
        {
            "core.orgunit.view",
            "core.user.view",
            "customers.customer.*",
            "customers.contact.*",
            "customers.bankaccount.*",
            "customers.changerequest.*",
            "documents.document.*",
            "documents.documentversion.*",
        }
    )
    | _CUSTOMER_READ,
    Role.GENERAL_MANAGER: frozenset(
        {
            "core.orgunit.view",
            "core.user.view",
            "customers.customer.export",
            "customers.customer.approve",
            "customers.customer.close",
            "customers.customer.merge",
            "customers.contact.export",
        }
    )
    | _CUSTOMER_READ
    | _PROPOSE,
    Role.ACCOUNT_MANAGER: frozenset(
        {
            "customers.customer.add",
            "customers.customer.change:own",
            "customers.customer.transition:own",
            "customers.customer.verify:own",
            "customers.contact.add:own",
            "customers.contact.change:own",
            "customers.bankaccount.add:own",
            "customers.bankaccount.change:own",
            "customers.changerequest.decide:own",
            "documents.document.add:own",
            "documents.documentversion.attest:own",
        }
    )
    | _CUSTOMER_READ
    | _PROPOSE,
    Role.COMPLIANCE: _CUSTOMER_READ | _PROPOSE,
    Role.CREDIT_MANAGER: _CUSTOMER_READ | _PROPOSE,
    Role.ARCHIVIST: frozenset(),
    Role.FINANCE: frozenset(),
}

PRIVILEGED_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.AUDITOR, Role.GENERAL_MANAGER})

OWN_SUFFIX = ":own"

# model label → lookup from that model to its owning unit's path ("" = not unit-scoped).
_UNIT_PATH_LOOKUPS: dict[str, str] = {}
# model label → lookup from that model to its owner's user id (for ":own" permissions).
_OWNER_LOOKUPS: dict[str, str] = {}


def register_scope(model: type[Model], unit_path_lookup: str, owner_lookup: str = "") -> None:
    """Declare how a record type belongs to a unit ("unit__path", "path") and, optionally,
    to an owner ("owner_id", "customer__owner_id")."""
    _UNIT_PATH_LOOKUPS[model._meta.label_lower] = unit_path_lookup
    if owner_lookup:
        _OWNER_LOOKUPS[model._meta.label_lower] = owner_lookup


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


def _grants_for(user: Any, perm: str) -> list[tuple[Grant, bool]]:
    """The user's grants that allow `perm`, each with whether it is limited to own objects
    (a grant both with and without ":own" counts as unlimited). Remembered per permission
    beside the grants cached on the user object (a page asks about the same ones often)."""
    held = grants(user)
    if not held:
        return []
    memo: tuple[list[Grant], dict[str, list[tuple[Grant, bool]]]] | None
    memo = getattr(user, "_kehu_grants_for", None)
    if memo is None or memo[0] is not user._kehu_grants:
        memo = (user._kehu_grants, {})
        user._kehu_grants_for = memo
    found = memo[1].get(perm)
    if found is None:
        found = memo[1][perm] = _matching(held, perm)
    return list(found)


def _matching(held: list[Grant], perm: str) -> list[tuple[Grant, bool]]:
    found = []
    for grant in held:
        patterns = ROLE_PERMISSIONS.get(grant.role, ())
        if any(fnmatchcase(perm, p) for p in patterns if not p.endswith(OWN_SUFFIX)):
            found.append((grant, False))
        elif any(
            fnmatchcase(perm, p.removesuffix(OWN_SUFFIX))
            for p in patterns
            if p.endswith(OWN_SUFFIX)
        ):
            found.append((grant, True))
    return found


def perm_name(model: type[Model] | Model, action: str) -> str:
    return f"{model._meta.label_lower}.{action}"


def _follow(obj: Model, lookup: str) -> Any:
    value: Any = obj
    for part in lookup.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _unit_path_of(obj: Model) -> str | None:
    lookup = _UNIT_PATH_LOOKUPS.get(obj._meta.label_lower)
    value = _follow(obj, lookup) if lookup else None
    return None if value is None else str(value)


def _owns(user: Any, obj: Model) -> bool:
    lookup = _OWNER_LOOKUPS.get(obj._meta.label_lower)
    return lookup is not None and _follow(obj, lookup) == user.pk


def has_perm(user: Any, perm: str, obj: Model | None = None) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    matching = _grants_for(user, perm)
    if not matching:
        return False
    if obj is None:
        return True
    label = obj._meta.label_lower
    path = _unit_path_of(obj) if _UNIT_PATH_LOOKUPS.get(label) else None
    for grant, own_only in matching:
        if own_only and not _owns(user, obj):
            continue
        if grant.is_root or not _UNIT_PATH_LOOKUPS.get(label):
            return True
        if path is not None and path.startswith(grant.unit_path):
            return True
    return False


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
    label = model._meta.label_lower
    lookup = _UNIT_PATH_LOOKUPS.get(label)
    owner_lookup = _OWNER_LOOKUPS.get(label)
    condition = Q()
    for grant, own_only in matching:
        part = Q()
        if lookup and not grant.is_root:
            part &= Q(**{f"{lookup}__startswith": grant.unit_path})
        if own_only:
            part &= Q(**{owner_lookup: user.pk}) if owner_lookup else Q(pk__in=[])
        if not part:
            return queryset  # an unlimited grant: every row
        condition |= part
    return queryset.filter(condition)


def units_where(user: Any, perm: str) -> QuerySet[Any]:
    """The organisation units in which `user` may do `perm` (for choosing a record's unit)."""
    from kehu.core.models import OrgUnit

    units = OrgUnit.objects.filter(is_active=True)
    if getattr(user, "is_superuser", False) and user.is_active:
        return units
    matching = _grants_for(user, perm)
    if not matching:
        return units.none()
    if any(grant.is_root for grant, _own in matching):
        return units
    condition = Q()
    for grant, _own in matching:
        condition |= Q(path__startswith=grant.unit_path)
    return units.filter(condition)


def requires_second_factor(user: Any) -> bool:
    from kehu.core.models import SecurityPolicy

    required = set(SecurityPolicy.current().totp_required_roles)
    return bool(required & roles(user))
