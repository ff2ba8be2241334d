"""Relationship maintenance (INT-5): planned visits and greetings, reminded to the account
manager; carried out, each becomes an entry of the communication log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import policy
from kehu.core.access import DENIED
from kehu.customers.assignment import attachable_customers
from kehu.generic.services import audited_create, audited_update
from kehu.interactions import services
from kehu.interactions.models import Channel, VisitKind, VisitPlan, VisitStatus

FIELDS = ("kind", "planned_on", "purpose")


def visit_plan_create(data: dict[str, Any]) -> VisitPlan:
    user = data.get("submitted_by")
    customer = data["customer"]
    if user is None or not attachable_customers(user).filter(pk=customer.pk).exists():
        raise PermissionDenied(DENIED)
    if data["planned_on"] < timezone.localdate():
        raise ValidationError({"planned_on": [_("A plan is for today or later.")]})
    plan = VisitPlan(
        customer=customer, planner_id=customer.owner_id, **{k: data[k] for k in FIELDS}
    )
    plan.full_clean()
    return audited_create(plan)


def visit_plan_update(
    plan: VisitPlan, data: dict[str, Any], expected_version: int | None
) -> VisitPlan:
    stored = VisitPlan.objects.get(pk=plan.pk)
    if stored.status != VisitStatus.PLANNED:
        raise ValidationError(_("Only a planned visit changes."))
    values = {k: data[k] for k in FIELDS if k in data and data[k] != getattr(stored, k)}
    updated = audited_update(plan, values, expected_version)
    assert isinstance(updated, VisitPlan)
    return updated


def visit_done(plan: VisitPlan, *, by: Any, summary: str) -> VisitPlan:
    """Carried out: recorded in the communication log (a visit, or a greeting by phone)."""
    if plan.planner_id != by.pk and not policy.has_perm(by, "interactions.visitplan.change", plan):
        raise PermissionDenied(DENIED)
    if plan.status != VisitStatus.PLANNED:
        raise ValidationError(_("This plan is no longer open."))
    if not summary.strip():
        raise ValidationError({"summary": [_("Say briefly how it went.")]})
    with transaction.atomic():
        channel = Channel.VISIT if plan.kind == VisitKind.VISIT else Channel.PHONE
        communication = services.interaction_create(
            {"customer": plan.customer, "submitted_by": by, "occurred_at": timezone.now(),
             "channel": channel, "subject": f"{plan.get_kind_display()}：{plan.purpose}"[:200],
             "content": summary.strip()}
        )  # fmt: skip
        VisitPlan.objects.filter(pk=plan.pk).update(
            status=VisitStatus.DONE, communication=communication, version=plan.version + 1,
            updated_at=timezone.now(),
        )  # fmt: skip
        record("interactions.visitplan.done", plan, extra={"communication": communication.pk})
    plan.refresh_from_db()
    return plan
