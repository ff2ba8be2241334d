"""Privacy actions (SEC-3, PRV-1 … PRV-3): revealing a masked value, consent, data-subject
requests, retention. Every state change and every look at personal data is an audit event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import masking


def reveal(user: Any, obj: Model, field: str, *, purpose: str, reason: str) -> str:
    """The plain value of a masked field, for a user allowed to see it, with why (recorded:
    who, when, which field, purpose and reason)."""
    return reveal_values(user, obj, field, purpose=purpose, reason=reason)[field]


def reveal_values(
    user: Any, obj: Model, field: str, *, purpose: str, reason: str
) -> dict[str, str]:
    """{field: plain value} of a masked field and of the values revealed with it (an ID
    number with the birth date and gender it encodes: `masking.revealed_with`), in one
    recorded reveal."""
    spec = masking.spec(obj, field)
    if spec is None:
        raise ValidationError(_("This value is not masked."))
    if not masking.may_reveal(user, obj, field):
        raise PermissionDenied(_("You may not reveal this value."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for revealing this value.")]})
    _head, fields = masking.revealed_with(obj, field)
    shown = [name for name in fields if name == field or masking.spec(obj, name) is not None]
    extra: dict[str, Any] = {"field": field, "purpose": purpose, "reason": reason}
    if len(shown) > 1:
        extra["fields"] = shown
    with transaction.atomic():
        record(f"{obj._meta.label_lower}.reveal", obj, extra=extra)
    return {name: _plain(obj, name) for name in shown}


def _plain(obj: Model, name: str) -> str:
    """A revealed value as the API writes it: a date as YYYY-MM-DD, a choice by its code."""
    value = getattr(obj, name)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value or "")
