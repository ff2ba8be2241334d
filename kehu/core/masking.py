"""Masked display of sensitive values (SEC-3): 110105************, 138****5678, ****1234.

Models declare their personal data here, once: each sensitive field with how it is masked and
its tier (`register(Model, field, kind, applies=…)`), and which objects' reads are audit events
(`register_reads`). The generic machinery (list cells, detail fields, Excel export, read
audits), the API serializers, audit snapshots and the audit log's display, and the templates
(`{% sensitive obj "field" %}`) all read it. Audit snapshots mask a declared field whatever its
tier, because the audit chain cannot forget what it holds. Whether a value is stored encrypted
is its model field's type (kehu.core.crypto.EncryptedTextField). Showing the plain value is an
explicit, audited action (kehu.privacy: reveal with a reason), allowed by the permission
`<app>.<model>.reveal` on the object.

Each declared field has a sensitivity tier (一般 / 重要 / 核心): its declared default, which an
administrator may change (kehu.privacy.tiers). A GENERAL field is shown as it is; an IMPORTANT
one is masked and revealed with `reveal`; a CORE one is masked and revealed only by those who
also hold `privacy.core.reveal` on the object (CORE_PERMISSION)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Model

from kehu.core import policy
from kehu.core.crypto import Unreadable

ID_NUMBER = "id_number"
PHONE = "phone"
ACCOUNT = "account"
# Values that would rebuild a masked one (a birth date and gender are digits 7–14 and 17 of
# an ID number): hidden entirely.
DATE = "date"
HIDDEN = "hidden"

# Sensitivity tiers, from shown-in-full to the most guarded.
GENERAL = "general"
IMPORTANT = "important"
CORE = "core"
TIERS = (GENERAL, IMPORTANT, CORE)
# Revealing a CORE value (or opening a CORE document) needs this as well as `reveal`.
CORE_PERMISSION = "privacy.core.reveal"


def mask_id_number(value: str) -> str:
    """A resident ID number keeps its region (digits 1–6) only: its last four digits would
    give the gender (digit 17) and, with the check digit, leave ~3,000 birth dates to try;
    hidden, a number has millions of candidates. Other identity documents keep their last
    four characters."""
    text = str(value)
    if len(text) <= 8:
        return "*" * len(text)
    if len(text) in (15, 18):
        return f"{text[:6]}{'*' * (len(text) - 6)}"
    return f"{text[:6]}{'*' * (len(text) - 10)}{text[-4:]}" if len(text) > 10 else text[-4:]


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", str(value))
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_account(value: str) -> str:
    text = "".join(str(value).split())
    return "****" + text[-4:] if len(text) > 4 else "****"


def mask_date(value: str) -> str:
    return "****-**-**"


def mask_hidden(value: str) -> str:
    return "**"


MASKS: dict[str, Callable[[str], str]] = {
    ID_NUMBER: mask_id_number,
    PHONE: mask_phone,
    ACCOUNT: mask_account,
    DATE: mask_date,
    HIDDEN: mask_hidden,
}


def mask(kind: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, Unreadable):
        return value  # the marker says more than a mask of it would
    return MASKS[kind](str(value))


@dataclass(frozen=True)
class Sensitive:
    field: str
    kind: str
    # Whether the value is personal for this object (an organisation's switchboard number
    # is not); None = always.
    applies: Callable[[Any], bool] | None = None
    # The fields `applies` reads, so that it can be asked about a row of values() (the API's
    # fast lists, kehu.api.representation) as well as about an instance.
    uses: tuple[str, ...] = ()
    # The field whose value this one is part of (a birth date of the ID number): masked with
    # it and revealed together with it, never on its own.
    part_of: str = ""
    # The declared default tier; `tier_of` gives the one in force.
    tier: str = IMPORTANT


_REGISTRY: dict[str, dict[str, Sensitive]] = {}
# {"customers.customer.id_number": tier} chosen by an administrator (kehu.privacy.tiers sets
# the reader at start-up); a field not in it keeps its declared tier.
_tier_overrides: Callable[[], dict[str, str]] = dict


def register(
    model: type[Model],
    field: str,
    kind: str,
    applies: Callable[[Any], bool] | None = None,
    uses: tuple[str, ...] = (),
    part_of: str = "",
    tier: str = IMPORTANT,
) -> None:
    fields = _REGISTRY.setdefault(model._meta.label_lower, {})
    fields[field] = Sensitive(field, kind, applies, uses, part_of, tier)


_READS: dict[str, Callable[[Any], bool]] = {}


def register_reads(model: type[Model], applies: Callable[[Any], bool] | None = None) -> None:
    """Reads of `model`'s objects for which `applies` is True (every one when None) hold
    personal data: opening, listing or fetching them over the API is an audit event (AUD-1).
    `applies` may be asked about an instance or a row of the API's representation."""
    _READS[model._meta.label_lower] = applies or (lambda obj: True)


def read_audit_of(model: type[Model]) -> Callable[[Any], bool] | None:
    """Which of `model`'s objects are audited when read (None: none of them)."""
    return _READS.get(model._meta.label_lower)


def reads_audited(obj: Model) -> bool:
    """Whether reading `obj` is an audit event (`register_reads`)."""
    applies = _READS.get(obj._meta.label_lower)
    return applies is not None and applies(obj)


def set_tier_source(source: Callable[[], dict[str, str]]) -> None:
    """Where the administrator's tier choices are read from (kehu.privacy.tiers)."""
    global _tier_overrides
    _tier_overrides = source


def declared() -> dict[str, dict[str, Sensitive]]:
    """Every declared field by model label, whatever its tier in force."""
    return _REGISTRY


def declared_fields(model: type[Model] | Model) -> dict[str, Sensitive]:
    """The declared fields of `model`, including those an administrator made GENERAL."""
    return _REGISTRY.get(model._meta.label_lower, {})


def tier_of(label: str, field: str) -> str:
    """The tier in force of a declared field (GENERAL for a field that is not declared)."""
    found = _REGISTRY.get(label, {}).get(field)
    if found is None:
        return GENERAL
    chosen = _tier_overrides().get(f"{label}.{field}")
    return chosen if chosen in TIERS else found.tier


def _in_force(label: str, fields: dict[str, Sensitive]) -> dict[str, Sensitive]:
    shown: dict[str, Sensitive] = {}
    for name, found in fields.items():
        tier = tier_of(label, name)
        if tier != GENERAL:
            shown[name] = found if tier == found.tier else replace(found, tier=tier)
    return shown


def sensitive_fields(model: type[Model] | Model) -> dict[str, Sensitive]:
    """The fields of `model` masked now (tier IMPORTANT or CORE), with their tier in force."""
    label = model._meta.label_lower
    return _in_force(label, _REGISTRY.get(label, {}))


def sensitive_fields_of(label: str) -> dict[str, Sensitive]:
    """The sensitive fields of the model `label` ("customers.customer")."""
    return _in_force(label, _REGISTRY.get(label, {}))


def revealed_with(model: type[Model] | Model, field: str) -> tuple[str, list[str]]:
    """(the field a reveal of `field` names, every field that reveal shows): a birth date is
    revealed with the ID number it is part of, and the ID number with its parts."""
    fields = sensitive_fields(model)
    found = fields.get(field)
    head = found.part_of if found is not None and found.part_of else field
    return head, [head, *(name for name, s in fields.items() if s.part_of == head)]


def masked_changes(label: str, changes: dict[str, Any]) -> dict[str, Any]:
    """An audit event's {field: [before, after]} as shown: the values of the model's fields
    that are sensitive whatever the object (`applies` None) masked. Events written before a
    field was declared sensitive hold it in plain text; the chain cannot be rewritten, so
    every page, export and API masks it when showing it."""
    fields = sensitive_fields_of(label)
    if not fields or not isinstance(changes, dict):
        return changes
    shown = dict(changes)
    for name, pair in changes.items():
        found = fields.get(name)
        if found is not None and found.applies is None and isinstance(pair, list):
            shown[name] = [mask(found.kind, v) if v not in (None, "") else v for v in pair]
    return shown


def spec(obj: Any, field: str) -> Sensitive | None:
    """The sensitivity of `field` on this object, or None when it is shown as it is."""
    if not isinstance(obj, Model):
        return None
    found = declared_fields(obj).get(field)
    if found is None or (found.applies is not None and not found.applies(obj)):
        return None
    tier = tier_of(obj._meta.label_lower, field)
    if tier == GENERAL:
        return None
    return found if tier == found.tier else replace(found, tier=tier)


def masked(obj: Any, field: str, value: Any = None) -> Any:
    """The value of `field` on `obj` as everybody sees it by default."""
    if value is None:
        value = getattr(obj, field, None)
    found = spec(obj, field)
    return mask(found.kind, value) if found is not None else value


def keep_unchanged(instance: Any, data: Any, key: Callable[[str], str] = str) -> Any:
    """A copy of submitted `data` in which a sensitive field sent back exactly as it was shown
    (masked) holds the stored value again: an edit form or an API client may send back what
    it read without learning the value or overwriting it with stars. `key` maps a field name
    to its key in `data` (a form's prefix)."""
    if getattr(instance, "pk", None) is None or not hasattr(data, "copy"):
        return data
    data = data.copy()  # a QueryDict's copy is mutable and keeps its lists
    for name in sensitive_fields(instance):
        sent = data.get(key(name))
        if sent and spec(instance, name) is not None and sent == masked(instance, name):
            data[key(name)] = getattr(instance, name)
    return data


def may_reveal(user: Any, obj: Model, field: str = "") -> bool:
    """Whether `user` may reveal `field` of `obj` (any IMPORTANT field when none is named):
    `reveal` on the object, and for a CORE field also CORE_PERMISSION on it."""
    if not policy.has_perm(user, policy.perm_name(obj, "reveal"), obj):
        return False
    found = spec(obj, field) if field else None
    return found is None or found.tier != CORE or policy.has_perm(user, CORE_PERMISSION, obj)


def may_see_core(user: Any, obj: Model | None = None) -> bool:
    """Whether `user` may read CORE values (of `obj`, or of at least one object)."""
    return policy.has_perm(user, CORE_PERMISSION, obj)
