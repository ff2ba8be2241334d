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
    "answer": _("answers recorded"),
    "attach": _("item attached"),
    "change": _("changed"),
    "close": _("closed"),
    "dispute": _("dispute recorded"),
    "end": _("ended"),
    "extend": _("extended"),
    "generate": _("generated"),
    "receive": _("received"),
    "section": _("section saved"),
    "settle": _("settled"),
    "sign": _("signed"),
    "test": _("test message sent"),
    "transition": _("status changed"),
    "follow_up_done": _("follow-up done"),
    "send": _("sent"),
    "create": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    "export": _("exported"),
    "login": _("signed in"),
    "logout": _("signed out"),
    "login_failed": _("sign-in failed"),
    "late": _("late"),
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
    "package": _("dossier package made"),
    "add": _("added"),
    "alarm": _("integrity alarm raised"),
    "anonymise": _("anonymised"),
    "approve": _("approved"),
    "assign": _("step assigned"),
    "attest": _("attested"),
    "cancel": _("cancelled"),
    "check": _("checked"),
    "closed": _("closed"),
    "complete": _("step completed"),
    "conclude": _("concluded"),
    "confirm": _("confirmed"),
    "contact": _("contacted for marketing"),
    "decide": _("decided"),
    "declare": _("purpose of use declared"),
    "destroy": _("destroyed"),
    "done": _("carried out"),
    "escalate": _("escalated"),
    "execute": _("carried out"),
    "failed": _("failed"),
    "finish": _("closed"),
    "finished": _("finished"),
    "grant": _("granted"),
    "import": _("imported"),
    "incident": _("incident recorded"),
    "lift": _("lifted"),
    "number": _("archive number given"),
    "open": _("newly opened"),
    "overdue": _("overdue"),
    "place": _("placed"),
    "preview": _("previewed"),
    "print": _("printed"),
    "photo": _("photo added"),
    "profile_change": _("profile changed"),
    "profile_open": _("profile opened"),
    "propose": _("proposed"),
    "provide": _("provided"),
    "reclaim": _("reclaimed"),
    "recompute": _("deadlines recomputed"),
    "rejected": _("refused"),
    "renewal_request": _("renewal requested"),
    "request": _("requested"),
    "restrict": _("processing restricted"),
    "resume": _("resumed"),
    "retry": _("retried"),
    "return": _("returned for correction"),
    "review": _("reviewed"),
    "revoke": _("revoked"),
    "risk": _("risk assessed"),
    "run": _("run"),
    "stage": _("stage changed"),
    "started": _("started"),
    "submit": _("submitted"),
    "tier_expired": _("sensitivity tier expired"),
    "overrun": _("running past its time limit"),
    "tokens_revoked": _("API tokens revoked"),
    "upload": _("uploaded"),
    "verified": _("verified"),
    "verify_failed": _("verification failed"),
    "watch_list_hit": _("found on the watch list"),
    "watch_list_clear": _("watch-list match cleared"),
    "wait": _("waiting for a supplement"),
    "start": _("started"),
    "succeeded": _("succeeded"),
    "cancelled": _("cancelled"),
    "withdraw": _("withdrawn"),
    "round": _("yearly round sent"),
    "id_check": _("ID original checked"),
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


def value_label(model: Any, name: str, value: Any) -> Any:
    """A recorded value as the field shows it: a choice's label, yes or no; other values
    (and values of fields no longer declared) as recorded."""
    if model is None or value is None:
        return value
    try:
        field = model._meta.get_field(name)
    except (FieldDoesNotExist, AttributeError):
        return value
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    choices = dict(getattr(field, "flatchoices", None) or ())
    if choices and not isinstance(value, (list, dict)):
        return choices.get(value, value)
    return value


# Changes recorded under a name that is no field of the object's model.
_OTHER_NAMES: dict[str, Any] = {"roles": _("Roles")}


def field_label(model: Any, name: str) -> str:
    """The field's name in the reader's language; a change recorded on an object for one of
    its related records (a user's certification) is named by the related model's field."""
    if model is None:
        return name
    try:
        return str(capfirst(model._meta.get_field(name).verbose_name))
    except (FieldDoesNotExist, AttributeError):
        pass
    if name in _OTHER_NAMES:
        return str(_OTHER_NAMES[name])
    for relation in getattr(model._meta, "related_objects", ()):
        try:
            field = relation.related_model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not field.is_relation:
            return str(capfirst(field.verbose_name))
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
            (
                field_label(model, name),
                value_label(model, name, pair[0]),
                value_label(model, name, pair[1]),
            )
            for name, pair in shown_changes(event).items()
            if isinstance(pair, list) and len(pair) == 2
        ]
        views.append(EventView(event, action_label(event.action, event.object_type), changes))
    return views
