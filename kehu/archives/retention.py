"""Retention and disposition (ARC-7), as records-management standards do it: the category
decides the retention; the clock starts at cutoff (the end of the year in which the
relationship ended); named holds suspend disposition and every deletion until the last is
lifted; destruction needs the manager's approval, is entered in the destruction register and
leaves a tombstone, while the stored bytes of electronic files are really deleted."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.archives.models import (
    Destruction,
    DestructionStatus,
    Dossier,
    DossierItem,
    Hold,
    Retention,
    Tombstone,
)
from kehu.audit.services import record
from kehu.core import storage
from kehu.core.numbering import format_number, next_value
from kehu.documents.services import destroy_document
from kehu.workflow import services as workflow

PROCESS = "archives.destruction"


class HeldError(ValidationError):
    """A hold is in force: nothing of the dossier may be disposed of or deleted."""


def cutoff(dossier: Dossier) -> datetime.date | None:
    """The end of the year in which the relationship ended (None: still running)."""
    if dossier.closed_on is None:
        return None
    return datetime.date(dossier.closed_on.year, 12, 31)


def due_date(item: DossierItem, dossier: Dossier | None = None) -> datetime.date | None:
    """When the item may be destroyed (None: permanent or the clock has not started)."""
    years = Retention.years(item.retention)
    end = cutoff(dossier or item.dossier)
    if years is None or end is None:
        return None
    try:
        return end.replace(year=end.year + years)
    except ValueError:  # pragma: no cover (31 December always exists)
        return end


def active_holds(dossier: Dossier) -> QuerySet[Hold]:
    return Hold.objects.filter(dossier=dossier, lifted_at__isnull=True)


def assert_not_held(dossier: Dossier) -> None:
    names = list(active_holds(dossier).values_list("name", flat=True))
    if names:
        raise HeldError(
            _("Held (%(names)s): nothing of this dossier may be disposed of or deleted.")
            % {"names": "、".join(names)}
        )


def place_hold(dossier: Dossier, *, name: str, reason: str, by: Any) -> Hold:
    name, reason = (name or "").strip(), (reason or "").strip()
    if not name or not reason:
        raise ValidationError(_("Name the hold and give its reason."))
    with transaction.atomic():
        hold = Hold.objects.create(dossier=dossier, name=name[:100], reason=reason, placed_by=by)
        record(
            "archives.hold.place", dossier, extra={"hold": hold.pk, "name": name, "reason": reason}
        )
    return hold


def lift_hold(hold: Hold, *, reason: str, by: Any) -> Hold:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for lifting the hold."))
    with transaction.atomic():
        current = Hold.objects.select_for_update().get(pk=hold.pk)
        if current.lifted_at is not None:
            return current
        current.lifted_at, current.lifted_by, current.lift_reason = timezone.now(), by, reason
        current.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        record(
            "archives.hold.lift",
            current.dossier,
            extra={"hold": current.pk, "name": current.name, "reason": reason},
        )
    return current


def due_items(
    dossiers: QuerySet[Dossier], today: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Items due for disposition among `dossiers`, held ones marked, oldest due first."""
    today = today or timezone.localdate()
    rows: list[dict[str, Any]] = []
    items = DossierItem.objects.filter(
        dossier__in=dossiers.filter(closed_on__isnull=False),
        destroyed_at__isnull=True,
    ).exclude(retention=Retention.PERMANENT)
    held = set(
        Hold.objects.filter(lifted_at__isnull=True, dossier__in=dossiers).values_list(
            "dossier_id", flat=True
        )
    )
    pending = set(
        Destruction.items.through.objects.filter(
            destruction__status__in=[DestructionStatus.PROPOSED, DestructionStatus.APPROVED]
        ).values_list("dossieritem_id", flat=True)
    )
    for item in items.select_related("dossier__customer", "category"):
        due = due_date(item)
        if due is not None and due <= today:
            rows.append(
                {
                    "item": item,
                    "due": due,
                    "held": item.dossier_id in held,
                    "pending": item.pk in pending,
                }
            )
    rows.sort(key=lambda r: (r["due"], r["item"].reference_code))
    return rows


def _next_register_number() -> str:
    year = timezone.localdate().year
    return format_number(
        "XH-{year}-{seq:03d}", year=year, seq=next_value(f"archives.destruction:{year}")
    )


def destruction_propose(
    items: list[DossierItem],
    *,
    reason: str,
    method: str,
    by: Any,
    today: datetime.date | None = None,
) -> Destruction:
    """Propose the destruction of items that are due and not held; the manager approves."""
    if not items:
        raise ValidationError({"items": [_("Choose the items to destroy.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    today = today or timezone.localdate()
    units = {item.dossier.customer.unit_id for item in items}
    if len(units) > 1:
        raise ValidationError({"items": [_("One destruction covers one department's items.")]})
    with transaction.atomic():
        for item in items:
            if item.destroyed_at is not None:
                raise ValidationError({"items": [_("%s was destroyed already.") % item]})
            assert_not_held(item.dossier)
            due = due_date(item)
            if due is None or due > today:
                raise ValidationError({"items": [_("%s is not due for disposition.") % item]})
        destruction = Destruction.objects.create(
            number=_next_register_number(), reason=reason.strip(), method=method, proposed_by=by
        )
        destruction.items.set(items)
        case = workflow.open_case(
            PROCESS,
            destruction,
            unit=items[0].dossier.customer.unit,
            by=by,
            title=f"{_('Destruction')} {destruction.number}",
        )
        destruction.case_id = case.pk
        destruction.save(update_fields=["case_id"])
        record(
            "archives.destruction.propose",
            destruction,
            extra={"items": [i.reference_code for i in items], "reason": reason, "method": method},
        )
    return destruction


def destruction_decide(destruction: Destruction, *, approved: bool, by: Any) -> Destruction:
    """The manager's decision (called when the workflow's approval step completes)."""
    with transaction.atomic():
        current = Destruction.objects.select_for_update().get(pk=destruction.pk)
        if current.status != DestructionStatus.PROPOSED:
            return current
        if by.pk == current.proposed_by_id:
            raise ValidationError(_("The proposer cannot approve the destruction."))
        current.status = DestructionStatus.APPROVED if approved else DestructionStatus.REJECTED
        current.approved_by, current.approved_at = by, timezone.now()
        current.version += 1
        current.save()
        record(
            "archives.destruction.decide",
            current,
            changes={"status": [DestructionStatus.PROPOSED, current.status]},
        )
    return current


def destruction_execute(
    destruction: Destruction,
    *,
    by: Any,
    witnesses: list[Any],
    executed_on: datetime.date | None = None,
) -> Destruction:
    """Destroy the approved items: electronic files deleted from storage, a tombstone per
    item, the register entry completed (executor, ≥ 2 witnesses, date)."""
    witnesses = [w for w in witnesses if w is not None and w.pk != by.pk]
    if len({w.pk for w in witnesses}) < 2:
        raise ValidationError(
            {"witnesses": [_("Name at least two witnesses besides the executor.")]}
        )
    with transaction.atomic():
        current = Destruction.objects.select_for_update().get(pk=destruction.pk)
        if current.status != DestructionStatus.APPROVED:
            raise ValidationError(_("Only an approved destruction can be carried out."))
        items = list(current.items.select_related("dossier", "document__doc_type"))
        for item in items:
            assert_not_held(item.dossier)
        to_delete: list[str] = []
        for item in items:
            files: list[dict[str, Any]] = []
            if item.document is not None:
                files, names = destroy_document(item.document, reason=current.number)
                to_delete += names
            Tombstone.objects.create(
                destruction=current,
                item=item,
                reference_code=item.reference_code,
                title=item.title,
                files=files,
                destroyed_by=by,
            )
            DossierItem.objects.filter(pk=item.pk).update(
                destroyed_at=timezone.now(), document=None
            )
        current.status = DestructionStatus.EXECUTED
        current.executor = by
        current.executed_on = executed_on or timezone.localdate()
        current.version += 1
        current.save()
        current.witnesses.set(witnesses)
        record(
            "archives.destruction.execute",
            current,
            extra={
                "items": [i.reference_code for i in items],
                "files": len(to_delete),
                "witnesses": [str(w) for w in witnesses],
            },
        )
        transaction.on_commit(lambda: _delete_blobs(to_delete))
    return current


def _delete_blobs(names: list[str]) -> None:
    for name in names:
        storage.delete(name)
