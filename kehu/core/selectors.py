"""Reads about the organisation used in several places."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from kehu.core import policy
from kehu.core.models import (
    AccessGrant,
    ArchivistCertification,
    Notification,
    OrgUnit,
    Role,
    RoleAssignment,
    SecurityPolicy,
    User,
)
from kehu.core.policy import RUNNING_SQL
from kehu.core.request_memo import FACTS
from kehu.infra.prepared import prepared_statements


class RequestFacts(NamedTuple):
    totp_required_roles: tuple[str, ...]
    unread_notifications: int


def request_facts(request: HttpRequest) -> RequestFacts:
    """The signed-in user's facts (`user_facts`), read once per request."""
    facts = FACTS.get(request)
    if facts is None:
        facts = FACTS.set(request, user_facts(request.user))
    return facts


def user_facts(user: Any) -> RequestFacts:
    """What every request asks — the roles the security policy requires a second factor of
    (read afresh, see policy.requires_second_factor), the user's unread notifications, and
    their role assignments and running access grants (handed to the policy) — in one
    statement instead of four, on every page and API request. Every column is text, as UNION
    needs one type per column."""
    with prepared_statements(), connection.cursor() as cursor:
        cursor.execute(_FACTS_SQL, [user.pk, user.pk, user.pk, timezone.now()])
        rows = cursor.fetchall()
    stored_roles, unread = None, 0
    assignments: list[tuple[str, str, bool]] = []
    access: list[tuple[str, str, list[str]]] = []
    for kind, first, second, third in rows:
        if kind == "p":
            stored_roles = first
        elif kind == "n":
            unread = int(first)
        elif kind == "r":
            assignments.append((first, second, third is None))
        else:
            access.append((first, second, json.loads(third) if third else []))
    policy.preload(user, assignments, access)
    return RequestFacts(_roles(stored_roles), unread)


_FACTS_SQL = (
    "SELECT 'p', CAST(totp_required_roles AS TEXT), NULL, NULL "
    f"FROM {SecurityPolicy._meta.db_table} WHERE id = 1 "
    "UNION ALL SELECT 'n', CAST(COUNT(*) AS TEXT), NULL, NULL "
    f"FROM {Notification._meta.db_table} WHERE user_id = %s AND read_at IS NULL "
    "UNION ALL SELECT 'r', a.role, u.path, CAST(u.parent_id AS TEXT) "
    f"FROM {RoleAssignment._meta.db_table} a JOIN {OrgUnit._meta.db_table} u "
    "ON u.id = a.unit_id WHERE a.user_id = %s "
    "UNION ALL SELECT 'g', object_type, object_id, CAST(actions AS TEXT) "
    f"FROM {AccessGrant._meta.db_table} "
    f"WHERE user_id = %s AND {RUNNING_SQL}"
)


def _roles(stored: Any) -> tuple[str, ...]:
    if stored is None:  # no policy saved yet: the default one, saved by `current()`
        return tuple(SecurityPolicy.current().totp_required_roles)
    return tuple(json.loads(stored) if isinstance(stored, str) else stored)


def ancestor_ids(unit: OrgUnit) -> list[int]:
    """The unit and every unit above it (from the materialised path "/1/4/9/")."""
    return [int(part) for part in unit.path.strip("/").split("/") if part]


def holders_of(role: str, unit: OrgUnit) -> QuerySet[User]:
    """Active users holding `role` in `unit` or in a unit above it (whose role covers it)."""
    return User.objects.filter(
        is_active=True,
        role_assignments__role=role,
        role_assignments__unit_id__in=ancestor_ids(unit),
    ).distinct()


def attach_users(*lists: tuple[Iterable[Model], str]) -> None:
    """Set the user foreign key `field` on every row of each (rows, field) pair from one query
    of the users they name (none when no row names one). A page with several short lists
    naming users (the card: status changes, change requests, filings, grants) pays one
    query instead of a join per list, which Django compiles even for a list without rows."""
    wanted = {getattr(row, f"{field}_id") for rows, field in lists for row in rows}
    wanted.discard(None)
    if not wanted:
        return
    users = User.objects.in_bulk(wanted)
    for rows, field in lists:
        for row in rows:
            user = users.get(getattr(row, f"{field}_id"))
            if user is not None:
                setattr(row, field, user)


def user_panels(request: HttpRequest, user: User) -> dict[str, Any]:
    """What the user page's security panel offers: roles, units and the certification."""
    return {
        "role_choices": Role.choices,
        "unit_choices": OrgUnit.objects.filter(is_active=True).order_by("path"),
        "certification": ArchivistCertification.objects.filter(user=user).first(),
    }
