"""Every change to units, users, roles and certifications goes through here: validated,
in one transaction, audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import diff, record
from kehu.core import policy
from kehu.core.models import (
    ArchivistCertification,
    OrgUnit,
    Role,
    RoleAssignment,
    SecurityPolicy,
    User,
)
from kehu.generic.services import audited_create, audited_update, snapshot

UNIT_FIELDS = ("name", "code", "kind", "parent", "is_active", "note")
USER_FIELDS = (
    "username",
    "full_name",
    "email",
    "employee_no",
    "phone",
    "unit",
    "is_active",
)


def _path_for(unit: OrgUnit) -> str:
    return f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"


def create_unit(data: dict[str, Any]) -> OrgUnit:
    with transaction.atomic():
        unit = OrgUnit(**{k: data[k] for k in UNIT_FIELDS if k in data})
        unit.full_clean(exclude=["path"])
        unit.save()
        unit.path = _path_for(unit)
        unit.save(update_fields=["path"])
        return audited_create(unit)


def update_unit(unit: OrgUnit, data: dict[str, Any], expected_version: int | None) -> OrgUnit:
    with transaction.atomic():
        new_parent = data.get("parent", unit.parent)
        if new_parent is not None and (
            new_parent.pk == unit.pk or new_parent.path.startswith(unit.path)
        ):
            raise ValidationError(_("A unit cannot be moved under itself or its own sub-unit."))
        old_path = OrgUnit.objects.get(pk=unit.pk).path
        values = {k: data[k] for k in UNIT_FIELDS if k in data}
        updated = audited_update(unit, values, expected_version)
        assert isinstance(updated, OrgUnit)
        new_path = _path_for(updated)
        if new_path != old_path:
            # Move the whole subtree: every descendant's path starts with the old prefix.
            for node in OrgUnit.objects.filter(path__startswith=old_path).order_by("path"):
                node.path = new_path + node.path[len(old_path) :]
                node.save(update_fields=["path"])
            updated.refresh_from_db()
        return updated


def create_user(data: dict[str, Any]) -> User:
    with transaction.atomic():
        user = User(**{k: data[k] for k in USER_FIELDS if k in data})
        password = data.get("password1") or data.get("password")
        if password:
            user.set_password(password)
            user.password_changed_at = timezone.now()
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        return audited_create(user)


def update_user(user: User, data: dict[str, Any], expected_version: int | None) -> User:
    values = {k: data[k] for k in USER_FIELDS if k in data}
    updated = audited_update(user, values, expected_version)
    assert isinstance(updated, User)
    return updated


def valid_certification(user: User, day: datetime.date | None = None) -> bool:
    day = day or timezone.localdate()
    certification = ArchivistCertification.objects.filter(user=user).first()
    return certification is not None and certification.is_valid_on(day)


# Roles that read customer data; the system administrator role is never combined with one of
# them on one person, so that an administrator cannot read customers by handing out roles.
CUSTOMER_DATA_ROLES = frozenset(Role.values) - {Role.SYSTEM_ADMIN, Role.FINANCE}


def check_role_grant(user: User, role: str, unit: OrgUnit, by: User | None) -> None:
    """Refuse a role assignment the grantor may not make: to themselves; in a unit outside
    those where they administer roles; a role that reaches wider than their own reach (a
    role in the group only from who administers the whole group); or one that would give
    one person both the administrator's role and a role reading customer data."""
    if by is not None:
        if by.pk == user.pk:
            raise ValidationError(_("Nobody may assign roles to themselves."))
        reach = policy.unit_paths_where(by, "core.roleassignment.add")
        if reach is not None and not any(unit.path.startswith(path) for path in reach):
            raise ValidationError(_("You may assign roles only in the units you administer."))
    held = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) | {role}
    if Role.SYSTEM_ADMIN in held and held & CUSTOMER_DATA_ROLES:
        raise ValidationError(
            _(
                "The system administrator role cannot be combined with a role that reads "
                "customer data; give these roles to different people."
            )
        )


def grant_role(user: User, role: str, unit: OrgUnit, *, by: User | None = None) -> RoleAssignment:
    """Assign `role` in `unit`; `by` is the person assigning it (None: the system itself,
    such as the demo data or a command run on the server)."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    check_role_grant(user, role, unit, by)
    if role == Role.ARCHIVIST and not valid_certification(user):
        raise ValidationError(
            _(
                "The archivist role needs a valid archivist certification (training and exam, "
                "junior college (大专) education or above). Record the certification first."
            )
        )
    with transaction.atomic():
        if RoleAssignment.objects.filter(user=user, role=role, unit=unit).exists():
            raise ValidationError(_("The user already holds this role in this unit."))
        assignment = RoleAssignment.objects.create(user=user, role=role, unit=unit)
        record(
            "core.user.role_grant",
            user,
            changes={"roles": [None, f"{assignment.get_role_display()} @ {unit.code}"]},
            extra={"role": role, "unit": unit.code},
        )
        return assignment


def revoke_role(assignment: RoleAssignment) -> None:
    with transaction.atomic():
        user = assignment.user
        label = f"{assignment.get_role_display()} @ {assignment.unit.code}"
        extra = {"role": assignment.role, "unit": assignment.unit.code}
        assignment.delete()
        record("core.user.role_revoke", user, changes={"roles": [label, None]}, extra=extra)


def save_certification(user: User, data: dict[str, Any]) -> ArchivistCertification:
    """Record the archivist's education, training, exam and yearly re-training; only 大专
    (junior college) or above may be certified (ARC-8)."""
    fields = ("education", "training_date", "exam_date", "certificate_no", "valid_until")
    with transaction.atomic():
        certification = ArchivistCertification.objects.filter(user=user).first()
        before = snapshot(certification) if certification else {}
        if certification is None:
            certification = ArchivistCertification(user=user)
        for name in fields:
            setattr(certification, name, data[name])
        certification.last_training_on = data.get("last_training_on")
        if not certification.education_qualifies:
            raise ValidationError(
                {"education": [_("An archivist needs junior college (大专) education or above.")]}
            )
        if certification.exam_date < certification.training_date:
            raise ValidationError(_("The exam cannot be before the training."))
        if certification.valid_until < certification.exam_date:
            raise ValidationError(_("The certification cannot expire before the exam date."))
        if certification.last_training_on and certification.last_training_on < (
            certification.exam_date
        ):
            raise ValidationError(
                {"last_training_on": [_("The re-training cannot be before the exam.")]}
            )
        certification.full_clean()
        certification.save()
        record(
            "core.user.certification",
            user,
            changes=diff(before, snapshot(certification)),
        )
        return certification


def set_totp_required_roles(roles: list[str]) -> None:
    with transaction.atomic():
        security = SecurityPolicy.current()
        before = sorted(security.totp_required_roles)
        security.totp_required_roles = sorted(set(roles) & set(Role.values))
        security.save()
        record(
            "core.securitypolicy.update",
            security,
            changes={"totp_required_roles": [before, security.totp_required_roles]},
        )
