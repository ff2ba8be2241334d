"""Human-readable audit events: action labels and field labels for pages and exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kehu.audit.models import AuditEvent

VERBS: dict[str, Any] = {
    "create": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    "export": _("exported"),
    "login": _("signed in"),
    "logout": _("signed out"),
    "login_failed": _("sign-in failed"),
    "lockout": _("account locked"),
    "unlock": _("account unlocked"),
    "otp_verified": _("second factor passed"),
    "totp_enrolled": _("authenticator set up"),
    "totp_reset": _("second factor reset"),
    "password_change": _("password changed"),
    "password_reset": _("password reset by administrator"),
    "role_grant": _("role granted"),
    "role_revoke": _("role revoked"),
    "certification": _("archivist certification recorded"),
    "status": _("status changed"),
    "classify": _("classification changed"),
    "verify": _("data verified"),
    "merge": _("merged another customer in"),
    "merged_into": _("merged into another customer"),
    "merge_move": _("moved to the surviving customer of a merge"),
    "sensitive_search": _("searched by a full ID or phone number"),
    "sensitive_duplicate": _("entered a full ID number another customer holds"),
    "duplicate_dismissed": _("marked as not a duplicate"),
    "accept": _("accepted"),
    "reject": _("rejected"),
    "download": _("downloaded"),
    "read": _("viewed"),
    "reveal": _("masked value revealed"),
}


def _model_for(object_type: str) -> Any:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def action_label(action: str, object_type: str = "") -> str:
    """Turn "core.user.role_grant" into "User · role granted" (translated)."""
    verb = action.rsplit(".", 1)[-1]
    model = _model_for(object_type) if object_type else None
    verb_label = VERBS.get(verb, verb)
    if model is None or action.startswith("auth."):
        return str(capfirst(verb_label))
    return f"{capfirst(model._meta.verbose_name)} · {verb_label}"


def field_label(model: Any, name: str) -> str:
    if model is None:
        return name
    try:
        return str(capfirst(model._meta.get_field(name).verbose_name))
    except (FieldDoesNotExist, AttributeError):
        return name


@dataclass
class EventView:
    event: AuditEvent
    label: str
    changes: list[tuple[str, Any, Any]]


def shown_changes(event: AuditEvent) -> dict[str, Any]:
    """An event's changes as every page, export and API shows them (`AuditEvent.shown_changes`)."""
    return event.shown_changes


def describe(events: Any) -> list[EventView]:
    views = []
    for event in events:
        model = _model_for(event.object_type) if event.object_type else None
        changes = [
            (field_label(model, name), pair[0], pair[1])
            for name, pair in shown_changes(event).items()
            if isinstance(pair, list) and len(pair) == 2
        ]
        views.append(EventView(event, action_label(event.action, event.object_type), changes))
    return views
