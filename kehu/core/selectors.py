"""Reads about the organisation used in several places."""

from __future__ import annotations

from django.db.models import QuerySet

from kehu.core.models import OrgUnit, User


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
