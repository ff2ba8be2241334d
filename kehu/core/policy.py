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

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from kehu.core.models import AccessGrant, Role, SecurityPolicy
from kehu.core.request_memo import ACCESS, HELD_ROLES, HELD_ROLES_FOR, USABLE
from kehu.infra.prepared import prepared_statements

# role → the permissions it holds, assembled from each app's `permissions.py`
# (`ROLE_PERMISSIONS` there) when the apps are ready: every app declares its own.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {}

PRIVILEGED_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.AUDITOR, Role.GENERAL_MANAGER})

# Actions that read (a reveal is a read, audited with its reason): a role holding nothing
# else is read-only.
READ_ACTIONS = frozenset({"view", "export", "reveal", "full"})
# Roles whose every permission reads (filled with ROLE_PERMISSIONS).
READ_ONLY_ROLES: set[str] = set()


def declare_role_permissions(declared: Mapping[str, Iterable[str]]) -> None:
    """Add an app's permissions per role to the table the policy reads."""
    for role, perms in declared.items():
        ROLE_PERMISSIONS[role] = ROLE_PERMISSIONS.get(role, frozenset()) | frozenset(perms)
    _role_reach.cache_clear()
    READ_ONLY_ROLES.clear()
    READ_ONLY_ROLES.update(
        role
        for role, perms in ROLE_PERMISSIONS.items()
        if perms and all(perm.split(":")[0].rsplit(".", 1)[-1] in READ_ACTIONS for perm in perms)
    )


OWN_SUFFIX = ":own"

# model label → lookup from that model to its owning unit's path ("" = not unit-scoped).
_UNIT_PATH_LOOKUPS: dict[str, str] = {}
# model label → lookup from that model to its owner's user id (for ":own" permissions).
_OWNER_LOOKUPS: dict[str, str] = {}


# model label → (label of the model whose access grants also cover it, lookup to its id).
_GRANT_PARENTS: dict[str, tuple[str, str]] = {}
# model label → the access-grant actions that apply to it (a grant's "change" on a customer
# is not a "change" of its archive dossier); a model not declared honours "view" only.
_GRANT_ACTIONS: dict[str, frozenset[str]] = {}
DEFAULT_GRANT_ACTIONS = frozenset({"view"})


def register_scope(
    model: type[Model],
    unit_path_lookup: str,
    owner_lookup: str = "",
    grant_parent: tuple[type[Model], str] | None = None,
    grant_actions: Iterable[str] = DEFAULT_GRANT_ACTIONS,
) -> None:
    """Declare how a record type belongs to a unit ("unit__path", "path") and, optionally,
    to an owner ("owner_id", "customer__owner_id"), to a parent whose time-limited access
    grants cover it too ((Customer, "customer_id") for a customer's documents), and which
    grant actions apply to it (those of its own grants and of its parent's)."""
    label = model._meta.label_lower
    _UNIT_PATH_LOOKUPS[label] = unit_path_lookup
    if owner_lookup:
        _OWNER_LOOKUPS[label] = owner_lookup
    if grant_parent:
        parent_model, parent_lookup = grant_parent
        _GRANT_PARENTS[label] = (parent_model._meta.label_lower, parent_lookup)
    _GRANT_ACTIONS[label] = frozenset(grant_actions)


def grant_applies(label: str, action: str) -> bool:
    """Whether an access grant's `action` opens that action on `label` objects."""
    return action in _GRANT_ACTIONS.get(label, DEFAULT_GRANT_ACTIONS)


def grant_children(label: str) -> list[tuple[str, str]]:
    """The models whose access is granted through a grant on `label` objects, each with its
    lookup to that object's id (a customer's contacts: ("customers.contact", "customer_id"))."""
    return [
        (child, lookup) for child, (parent, lookup) in _GRANT_PARENTS.items() if parent == label
    ]


# model label → the condition a row must meet to be used at all: personal data restricted
# after a deletion request (PIPL art. 47) is kept in storage but out of every scope. With it,
# the relation whose object decides it (a contact is usable when its customer is).
_USABLE: dict[str, tuple[Q, str]] = {}


def register_usable(model: type[Model], condition: Q, via: str = "") -> None:
    _USABLE[model._meta.label_lower] = (condition, via)


def loaded_in_scope[M: Model](obj: M) -> M:
    """Note that `obj` was read through `scope()`, which applied its usable condition, so
    that permission checks on it (and on its related objects) need not ask again."""
    USABLE.set(obj, True)
    return obj


def _usable(obj: Model) -> bool:
    """Whether the object may be used at all (one query per object, kept on it; none when
    it came through `scope()`, or its deciding relation did and is loaded)."""
    usable = _USABLE.get(obj._meta.label_lower)
    if usable is None or obj.pk is None:
        return True
    condition, via = usable
    known = USABLE.get(obj)
    if known is None and via:
        parent = obj._state.fields_cache.get(via)
        known = None if parent is None else USABLE.get(parent)
    if known is None:
        known = obj._meta.model._default_manager.filter(condition, pk=obj.pk).exists()
    return USABLE.set(obj, known)


@dataclass(frozen=True)
class HeldRole:
    role: str
    unit_path: str
    is_root: bool


def held_roles(user: Any) -> list[HeldRole]:
    """The user's role assignments, kept on the user object for the request (request_memo)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = HELD_ROLES.get(user)
    if cached is None:
        rows = user.role_assignments.select_related("unit").values_list(
            "role", "unit__path", "unit__parent_id"
        )
        with prepared_statements():
            cached = [HeldRole(role, path, parent is None) for role, path, parent in rows]
        HELD_ROLES.set(user, cached)
    return list(cached)


def preload(
    user: Any,
    assignments: Iterable[tuple[str, str, bool]],
    access: Iterable[tuple[str, str, list[str]]],
) -> None:
    """The user's role assignments (role, unit path, unit is the root) and running access
    grants (object type, object id, actions), read by the caller with the request's other
    facts (`core.selectors.user_facts`): the policy asks no query for them afterwards."""
    if HELD_ROLES.get(user) is None:
        HELD_ROLES.set(user, [HeldRole(role, path, is_root) for role, path, is_root in assignments])
    if ACCESS.get(user) is None:
        ACCESS.set(user, _by_object_type(access))


def _by_object_type(
    access: Iterable[tuple[str, str, list[str]]],
) -> dict[str, list[tuple[str, list[str]]]]:
    """Running access grants as `_granted_ids` keeps them: object type → (id, actions)."""
    cache: dict[str, list[tuple[str, list[str]]]] = {}
    for object_type, object_id, actions in access:
        cache.setdefault(object_type, []).append((object_id, list(actions or [])))
    return cache


def roles(user: Any) -> set[str]:
    return {g.role for g in held_roles(user)}


def is_read_only(user: Any) -> bool:
    """Whether every role the user holds only reads (the auditor): such a user writes
    nothing anywhere, whatever a page or grant would otherwise allow."""
    held = roles(user)
    return bool(held) and held <= READ_ONLY_ROLES


def _held_roles_for(user: Any, perm: str) -> list[tuple[HeldRole, bool]]:
    """The user's held roles that allow `perm`, each with whether it is limited to own objects
    (a role held both with and without ":own" counts as unlimited). Remembered per permission
    beside the roles cached on the user object (a page asks about the same ones often)."""
    held = held_roles(user)
    if not held:
        return []
    cached = HELD_ROLES.get(user)
    memo = HELD_ROLES_FOR.get(user)
    if memo is None or memo[0] is not cached:
        memo = HELD_ROLES_FOR.set(user, (cached or held, {}))
    found = memo[1].get(perm)
    if found is None:
        found = memo[1][perm] = _matching(held, perm)
    return list(found)


def _matching(held: list[HeldRole], perm: str) -> list[tuple[HeldRole, bool]]:
    found = []
    for role in held:
        reach = _role_reach(role.role, perm)
        if reach is not None:
            found.append((role, reach))
    return found


@functools.cache  # roles' permissions are constants: match each pair once per process
def _role_reach(role: str, perm: str) -> bool | None:
    """Whether `role` allows `perm`: None if not, else whether only on own objects."""
    patterns = ROLE_PERMISSIONS.get(role, ())
    if any(fnmatchcase(perm, p) for p in patterns if not p.endswith(OWN_SUFFIX)):
        return False
    if any(
        fnmatchcase(perm, p.removesuffix(OWN_SUFFIX)) for p in patterns if p.endswith(OWN_SUFFIX)
    ):
        return True
    return None


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


# The condition of active_grants, for the plain SQL statements that read grants with other
# facts (core.selectors.user_facts, customers.card): its one parameter is the current time.
RUNNING_SQL = "revoked_at IS NULL AND until > %s"


def active_grants(user: Any, model: type[Model] | None = None) -> QuerySet[AccessGrant]:
    """The user's access grants that are running now (of `model`'s objects when given)."""
    grants = AccessGrant.objects.filter(
        user=user, revoked_at__isnull=True, until__gt=timezone.now()
    )
    return grants.filter(object_type=model._meta.label_lower) if model else grants


def _granted_ids(user: Any, label: str, action: str) -> set[str]:
    """Ids of `label` objects the user holds an active access grant for `action` on
    (cached on the user object for the request, like the held roles)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cache = ACCESS.get(user)
    if cache is None:
        rows = active_grants(user).values_list("object_type", "object_id", "actions")
        with prepared_statements():
            cache = ACCESS.set(user, _by_object_type(rows))
    return {oid for oid, actions in cache.get(label, []) if action in actions}


def _split(perm: str) -> tuple[str, str]:
    label, _dot, action = perm.rpartition(".")
    return label, action


def _granted(user: Any, perm: str, obj: Model) -> bool:
    """Whether a time-limited access grant allows `perm` on `obj` (or on its grant parent)."""
    label, action = _split(perm)
    if not grant_applies(label, action):
        return False
    if str(obj.pk) in _granted_ids(user, label, action):
        return True
    parent = _GRANT_PARENTS.get(label)
    if parent:
        parent_id = _follow(obj, parent[1])
        return parent_id is not None and str(parent_id) in _granted_ids(user, parent[0], action)
    return False


def _grant_condition(user: Any, perm: str) -> Q | None:
    label, action = _split(perm)
    if not grant_applies(label, action):
        return None
    condition = Q()
    ids = _granted_ids(user, label, action)
    if ids:
        condition |= Q(pk__in=ids)
    parent = _GRANT_PARENTS.get(label)
    if parent:
        parent_ids = _granted_ids(user, parent[0], action)
        if parent_ids:
            condition |= Q(**{f"{parent[1]}__in": parent_ids})
    return condition or None


def has_perm(user: Any, perm: str, obj: Model | None = None) -> bool:
    if obj is not None and not _usable(obj):
        return False
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    if obj is not None and _role_allows(user, perm, obj):
        return True
    if obj is not None:
        return _granted(user, perm, obj)
    # Without an object: a role that allows it, or a grant on at least one such object.
    return bool(_held_roles_for(user, perm)) or _grant_condition(user, perm) is not None


def _role_allows(user: Any, perm: str, obj: Model) -> bool:
    matching = _held_roles_for(user, perm)
    if not matching:
        return False
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


def role_allows(user: Any, perm: str, obj: Model) -> bool:
    """Whether one of the user's roles (not an access grant) allows `perm` on `obj`."""
    if not _usable(obj):
        return False
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return _role_allows(user, perm, obj)


def reads_everywhere(user: Any, perm: str) -> bool:
    """Whether a role allows `perm` on every object, in every unit (not only own ones)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    unit_scoped = bool(_UNIT_PATH_LOOKUPS.get(_split(perm)[0]))
    return any(
        (grant.is_root or not unit_scoped) and not own for grant, own in _held_roles_for(user, perm)
    )


def has_any(user: Any, perms: Iterable[str]) -> bool:
    return any(has_perm(user, p) for p in perms)


def scope[M: Model](user: Any, queryset: QuerySet[M], action: str = "view") -> QuerySet[M]:
    """Only the rows of `queryset` on which `user` may do `action`."""
    model = queryset.model
    perm = perm_name(model, action)
    usable = _USABLE.get(model._meta.label_lower)
    if usable is not None:
        queryset = queryset.filter(usable[0])
    if getattr(user, "is_superuser", False) and user.is_active:
        return queryset
    matching = _held_roles_for(user, perm)
    granted = _grant_condition(user, perm)
    if not matching:
        return queryset.filter(granted) if granted else queryset.none()
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
    if granted:
        condition |= granted
    return queryset.filter(condition)


def sees_all_of(user: Any, model: type[Model], action: str, field: str, parent: Model) -> bool:
    """Whether `user` may do `action` on every `model` row whose `field` is `parent` (every
    document of a customer). True only when the model's scope is decided by that relation
    alone — its unit, owner, grant and usable lookups all go through `field` — and a row of
    `parent` would be allowed; a no says nothing (single rows may still be granted)."""
    label = model._meta.label_lower
    through = (f"{field}__", f"{field}_id")
    lookups = [_UNIT_PATH_LOOKUPS.get(label), _OWNER_LOOKUPS.get(label)]
    if label in _GRANT_PARENTS:
        lookups.append(_GRANT_PARENTS[label][1])
    if any(lookup and not lookup.startswith(through) for lookup in lookups):
        return False
    usable = _USABLE.get(label)
    if usable is not None and (usable[1] != field or not _usable(parent)):
        return False
    return has_perm(user, perm_name(model, action), model(**{field: parent}))


def rows_of[M: Model](
    user: Any, queryset: QuerySet[M], field: str, parent: Model, action: str = "view"
) -> QuerySet[M]:
    """The rows of `queryset` whose `field` is `parent` that `user` may do `action` on:
    without joining the parent again for the scope when `sees_all_of` says yes."""
    rows = queryset.filter(**{field: parent})
    if sees_all_of(user, queryset.model, action, field, parent):
        return rows
    return scope(user, rows, action)


def units_where(user: Any, perm: str) -> QuerySet[Any]:
    """The organisation units in which `user` may do `perm` (for choosing a record's unit)."""
    return units_within(unit_paths_where(user, perm))


def units_within(paths: tuple[str, ...] | None) -> QuerySet[Any]:
    """The active units in the subtrees `paths` (None: every active unit)."""
    from kehu.core.models import OrgUnit

    units = OrgUnit.objects.filter(is_active=True)
    if paths is None:
        return units
    condition = Q(pk__in=[])  # no path: no unit
    for path in paths:
        condition |= Q(path__startswith=path)
    return units.filter(condition)


def unit_paths_where(user: Any, perm: str) -> tuple[str, ...] | None:
    """The paths of the unit subtrees in which `user` may do `perm`, sorted; None when that
    is everywhere (a key for caching what `units_where` selects)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    matching = _held_roles_for(user, perm)
    if any(grant.is_root for grant, _own in matching):
        return None
    return tuple(sorted({grant.unit_path for grant, _own in matching}))


def requires_second_factor(user: Any, required: Iterable[str] | None = None) -> bool:
    """Whether one of the user's roles must pass a second factor; `required` is the security
    policy's list when the caller has read it (the request's facts), else it is read now."""
    # Read afresh on every request, not from a per-process cache: a role newly required to
    # pass a second factor must be asked for it at once by every server process.
    if required is None:
        required = SecurityPolicy.current().totp_required_roles
    return bool(set(required) & roles(user))
