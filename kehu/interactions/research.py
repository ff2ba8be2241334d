"""Customer research (客户调研, seed 002): the parts of the form, how complete each is, and
signing, evaluating and voiding it. The decision-makers' name, gender, title, contact and
weight must be exact (required); the rest of the personal part fills in over time."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.audit.services import record
from kehu.core import policy
from kehu.core.access import DENIED
from kehu.customers.assignment import attachable_customers
from kehu.generic.services import audited_create, audited_update
from kehu.interactions.models import CustomerResearch
from kehu.interactions.personal import require_research_consent

RANKS = (1, 2, 3)
SUPPLIER_SLOTS = (1, 2, 3)
# The fields that must be exact for every decision-maker named.
EXACT = ("name", "gender", "title", "phone", "weight")
PERSONAL = {
    "name": gettext_lazy("name"),
    "gender": gettext_lazy("gender"),
    "title": gettext_lazy("job title"),
    "phone": gettext_lazy("phone"),
    "weight": gettext_lazy("weight in our business (%)"),
    "birthday": gettext_lazy("birthday"),
    "hometown": gettext_lazy("native place"),
    "education": gettext_lazy("education"),
    "family": gettext_lazy("family"),
    "career": gettext_lazy("career"),
    "interests": gettext_lazy("interests and habits"),
    "goals": gettext_lazy("goals and concerns"),
}
SUPPLIER = {
    "name": gettext_lazy("company"),
    "products": gettext_lazy("products supplied"),
    "share": gettext_lazy("share of the customer's purchases"),
    "price_level": gettext_lazy("price level"),
    "since": gettext_lazy("supplying since"),
    "contact": gettext_lazy("their contact at the customer"),
    "strengths": gettext_lazy("strengths"),
    "weaknesses": gettext_lazy("weaknesses"),
    "profile": gettext_lazy("company profile"),
}
PERSONAL_COMPLETE = 50
PARTNERS_COMPLETE = 70
FIELDS: tuple[str, ...] = ("researched_on", "decision_makers", "suppliers", "demand_analysis")
FIELDS += ("entry_points", "action_plan")


def _percent(rows: list[dict[str, Any]], keys: dict[str, Any]) -> int:
    if not rows:
        return 0
    filled = sum(1 for row in rows for key in keys if str(row.get(key) or "").strip())
    share = Decimal(100 * filled) / (len(rows) * len(keys))
    return int(share.quantize(Decimal("1"), ROUND_HALF_UP))


def personal_percent(research: CustomerResearch) -> int:
    return _percent(list(research.decision_makers), PERSONAL)


def partners_percent(research: CustomerResearch) -> int:
    return _percent(list(research.suppliers), SUPPLIER)


def completion(research: CustomerResearch) -> dict[str, Any]:
    personal, partners = personal_percent(research), partners_percent(research)
    return {
        "personal": personal,
        "partners": partners,
        "personal_complete": personal >= PERSONAL_COMPLETE,
        "partners_complete": partners >= PARTNERS_COMPLETE,
        "complete": personal >= PERSONAL_COMPLETE and partners >= PARTNERS_COMPLETE,
    }


def check(data: dict[str, Any]) -> None:
    """The exact part: each named decision-maker's name, gender, title, phone and weight;
    weights from 0 to 100 %."""
    errors: dict[str, list[str]] = {}
    for part in ("decision_makers", "suppliers"):
        rows = data.get(part) or []
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ValidationError({part: [_("A list of entries, each with its fields.")]})
    people = data.get("decision_makers") or []
    for person in people:
        rank = person.get("rank")
        if not any(str(person.get(k) or "").strip() for k in PERSONAL):
            continue
        for key in EXACT:
            if not str(person.get(key) or "").strip():
                errors[f"dm{rank}_{key}"] = [_("Required: this must be exact.")]
        weight = str(person.get("weight") or "").strip()
        if weight and not (weight.isdigit() and 0 <= int(weight) <= 100):
            errors[f"dm{rank}_weight"] = [_("A weight from 0 to 100 %.")]
    researched = data.get("researched_on")
    if researched and researched > timezone.localdate():
        errors["researched_on"] = [_("Research is recorded after it was done.")]
    if errors:
        raise ValidationError(errors)


def research_create(data: dict[str, Any]) -> CustomerResearch:
    user = data.get("submitted_by")
    customer = data["customer"]
    if user is None or not attachable_customers(user).filter(pk=customer.pk).exists():
        raise PermissionDenied(DENIED)
    require_research_consent(customer)
    check(data)
    research = CustomerResearch(
        customer=customer, author=user, **{k: data[k] for k in FIELDS if k in data}
    )
    research.full_clean()
    return audited_create(research)


def research_update(
    research: CustomerResearch, data: dict[str, Any], expected_version: int | None
) -> CustomerResearch:
    """Edit a research not signed nor voided (a signed one is the author's statement)."""
    stored = CustomerResearch.objects.get(pk=research.pk)
    if stored.signed_at is not None or stored.voided_at is not None:
        raise ValidationError(_("Signed or voided research no longer changes."))
    check({k: data.get(k, getattr(stored, k)) for k in FIELDS})
    values = {k: data[k] for k in FIELDS if k in data}
    updated = audited_update(research, values, expected_version)
    assert isinstance(updated, CustomerResearch)
    return updated


def _save(research: CustomerResearch, action: str, **values: Any) -> CustomerResearch:
    with transaction.atomic():
        current = CustomerResearch.objects.select_for_update().get(pk=research.pk)
        if current.voided_at is not None:
            raise ValidationError(_("This research was voided."))
        for name, value in values.items():
            setattr(current, name, value)
        current.version += 1
        current.save(update_fields=[*values, "version", "updated_at"])
        extra = {k: str(v) for k, v in values.items() if k in {"void_reason", "evaluation"}}
        record(f"interactions.customerresearch.{action}", current, extra=extra)
    return current


def research_sign(research: CustomerResearch, *, by: Any) -> CustomerResearch:
    """The author signs (填表人签名) once both parts reach their thresholds."""
    if research.author_id != by.pk:
        raise PermissionDenied(_("Only the author signs the research."))
    if research.signed_at is not None:
        raise ValidationError(_("Already signed."))
    state = completion(research)
    if not state["complete"]:
        raise ValidationError(
            _("Not complete yet: personal part %(p)s %% (needs 50 %%), current partners "
              "%(s)s %% (needs 70 %%).") % {"p": state["personal"], "s": state["partners"]}
        )  # fmt: skip
    return _save(research, "sign", signed_at=timezone.now())


def research_evaluate(research: CustomerResearch, *, by: Any, evaluation: str) -> CustomerResearch:
    """业务经理评定: the head evaluates signed research (never their own)."""
    if not policy.has_perm(by, "interactions.customerresearch.evaluate", research):
        raise PermissionDenied(DENIED)
    if research.author_id == by.pk:
        raise PermissionDenied(_("Somebody else evaluates your research."))
    if research.signed_at is None:
        raise ValidationError({"evaluation": [_("The author signs the research first.")]})
    if not evaluation.strip():
        raise ValidationError({"evaluation": [_("Write the evaluation.")]})
    return _save(research, "evaluate", evaluation=evaluation.strip(), evaluated_by=by,
                 evaluated_at=timezone.now())  # fmt: skip


def research_void(research: CustomerResearch, *, by: Any, reason: str) -> CustomerResearch:
    """Void research found inaccurate (调研结果作废), with the reason."""
    if not policy.has_perm(by, "interactions.customerresearch.evaluate", research):
        raise PermissionDenied(DENIED)
    if not reason.strip():
        raise ValidationError({"void_reason": [_("Give the reason for voiding.")]})
    return _save(research, "void", voided_at=timezone.now(), void_reason=reason.strip())
