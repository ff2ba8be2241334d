"""Generic, audited create and update with optimistic locking. Record types may replace
them with their own service functions; those call `audited_save` to keep one audit path."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from kehu.audit.selectors import changes_since
from kehu.audit.services import diff, record
from kehu.core import masking
from kehu.generic.models import SubmissionToken


class StaleEditError(Exception):
    """The record changed since the form was opened; `changes` says what others changed."""

    def __init__(self, changes: list[dict[str, Any]] | None = None) -> None:
        super().__init__(
            _(
                "Someone else changed this record after you opened it. "
                "Your changes were not saved; reload to see the current data."
            )
        )
        self.changes = changes or []


class DuplicateSubmissionError(Exception):
    def __init__(self, object_id: str) -> None:
        super().__init__(_("This form was already submitted; nothing was created twice."))
        self.object_id = object_id


# Columns that are bookkeeping or secrets, not facts worth an audit line.
NOT_AUDITED = frozenset(
    {"password", "groups", "user_permissions", "first_name", "last_name", "is_staff",
     "last_login", "date_joined", "version", "created_at", "updated_at", "path"}
)  # fmt: skip


def snapshot(obj: Model) -> dict[str, Any]:
    """The audited state of `obj`: related objects by their name, not their id; the fields
    declared sensitive (kehu.core.masking) masked, because the audit chain cannot forget what
    it holds and personal data must be erasable (PIPL); credentials redacted."""
    data = {k: v for k, v in model_to_dict(obj).items() if k not in NOT_AUDITED}
    for field in obj._meta.concrete_fields:
        if field.is_relation and field.name in data and data[field.name] is not None:
            data[field.name] = str(getattr(obj, field.name))
    # Masked whatever their tier in force: a field made GENERAL today may be guarded again.
    for name, found in masking.declared_fields(obj).items():
        if data.get(name) and (found.applies is None or found.applies(obj)):
            data[name] = masking.mask(found.kind, data[name])
    # Credentials a model names in AUDIT_REDACTED ({field: redact}) — a chat robot's webhook
    # key — are never revealed, so the chain holds only what `redact` makes of them.
    for name, redact in getattr(obj, "AUDIT_REDACTED", {}).items():
        if data.get(name):
            data[name] = redact(data[name])
    return data


def audited_create[M: Model](
    obj: M, *, action: str = "create", extra: dict[str, Any] | None = None
) -> M:
    """Save a new object and record its full state as the 'after' values."""
    with transaction.atomic():
        obj.save()
        # A new record's blank fields say nothing; its given values are the "after" side.
        filled = {k: v for k, v in snapshot(obj).items() if v not in (None, "", [])}
        record(f"{obj._meta.label_lower}.{action}", obj, changes=diff({}, filled), extra=extra)
    return obj


def lock_current(obj: Model, expected_version: int | None) -> Model:
    """Re-read `obj` under a row lock and check nobody changed it meanwhile."""
    # `_meta.model`, not type(obj): request.user is a lazy proxy of the user.
    current = obj._meta.model._default_manager.select_for_update().get(pk=obj.pk)
    if expected_version is not None and current.version != expected_version:  # type: ignore[attr-defined]
        raise StaleEditError(changes_since(current, expected_version))
    return current


def _field_values(obj: Model) -> dict[str, Any]:
    """Every column's value as the model holds it (not masked, as in `snapshot`): after
    `full_clean` a submitted value has the type the database returns."""
    return {f.attname: f.value_from_object(obj) for f in obj._meta.concrete_fields}


def _m2m_differs(obj: Model, m2m: dict[str, Any]) -> bool:
    for name, value in m2m.items():
        given = {getattr(v, "pk", v) for v in value}
        if given != set(getattr(obj, name).values_list("pk", flat=True)):
            return True
    return False


def audited_update(
    obj: Model,
    values: dict[str, Any],
    expected_version: int | None,
    *,
    action: str = "update",
    m2m: dict[str, Any] | None = None,
) -> Model:
    """Save `values` (and the many-to-many `m2m`) on `obj` if it is still at
    `expected_version`: a new version and an audit event — or, when nothing differs from the
    stored data, neither (a save or PATCH that changes nothing leaves the record as it was)."""
    with transaction.atomic():
        current = lock_current(obj, expected_version)
        before = snapshot(current)
        stored = _field_values(current)
        for name, value in values.items():
            setattr(current, name, value)
        current.full_clean()
        if _field_values(current) == stored and not _m2m_differs(current, m2m or {}):
            return current
        current.version += 1  # type: ignore[attr-defined]
        current.save()
        for name, value in (m2m or {}).items():
            getattr(current, name).set(value)
        changes = diff(before, snapshot(current))
        if changes:
            record(
                f"{current._meta.label_lower}.{action}",
                current,
                changes=changes,
                extra={"version": current.version},  # type: ignore[attr-defined]
            )
    return current


def claim_submission(token: str, user_id: int, obj: Model) -> None:
    """Bind a form's one-time token to the object it created, in the same transaction."""
    if not token:
        return
    try:
        with transaction.atomic():
            SubmissionToken.objects.create(
                token=token,
                user_id=user_id,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
            )
    except IntegrityError:
        existing = SubmissionToken.objects.get(token=token)
        raise DuplicateSubmissionError(existing.object_id) from None


def create_from_form(record_type: Any, form: Any, *, token: str = "", user_id: int = 0) -> Model:
    with transaction.atomic():
        if record_type.edit.create:
            obj = record_type.edit.create(form.cleaned_data)
        else:
            obj = audited_create(form.save(commit=False))
            form.save_m2m()
        claim_submission(token, user_id, obj)
    return obj


def update_from_form(record_type: Any, obj: Model, form: Any, expected_version: int) -> Model:
    if record_type.edit.update:
        return record_type.edit.update(obj, form.cleaned_data, expected_version)
    values = {
        name: form.cleaned_data[name]
        for name in form.cleaned_data
        if name in {f.name for f in obj._meta.concrete_fields}
    }
    return audited_update(obj, values, expected_version)
