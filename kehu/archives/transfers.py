"""Transfer of paper dossiers (ARC-5): the current and the previous year's dossiers stay with
the department; a daily job proposes older ones for transfer to the credit management office,
which confirms receipt and within a month hands them to the archive room, which confirms too.
Each hand-over is a row and an audit event; late hand-overs are flagged."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.archives.models import Dossier, Stage, Transfer, TransferStatus
from kehu.archives.services import add_month
from kehu.audit.services import record
from kehu.core import calendar
from kehu.core.models import Role
from kehu.core.notifications import notify
from kehu.core.selectors import holders_of

RECEIVER_ROLE = {Stage.CREDIT_OFFICE: Role.CREDIT_MANAGER, Stage.ARCHIVE_ROOM: Role.ARCHIVIST}
NEXT_STAGE = {Stage.DEPARTMENT: Stage.CREDIT_OFFICE, Stage.CREDIT_OFFICE: Stage.ARCHIVE_ROOM}


def receivers(transfer: Transfer) -> list[Any]:
    return list(holders_of(RECEIVER_ROLE[Stage(transfer.to_stage)], transfer.dossier.customer.unit))


def may_confirm(user: Any, transfer: Transfer) -> bool:
    return transfer.status == TransferStatus.PROPOSED and any(
        r.pk == user.pk for r in receivers(transfer)
    )


def hand_over_by(
    start: datetime.date, overrides: calendar.Overrides | None = None
) -> datetime.date:
    """A month after `start`; a day that is not a working day moves to the next working day.
    `overrides`: the calendar entries to count with (default: as they are now)."""
    return calendar.next_working_day(add_month(start), overrides)


def recount_due_dates(
    before: calendar.Overrides, after: calendar.Overrides, first: datetime.date
) -> list[dict[str, Any]]:
    """The calendar changed from `before` to `after` (from the day `first` on): move the
    hand-over dates still waiting to the calendar as it is now. Returns what moved; the
    caller audits it in the calendar change's transaction."""
    moved = []
    waiting = Transfer.objects.filter(status=TransferStatus.PROPOSED, due_date__gte=first)
    for transfer in waiting.select_for_update().order_by("pk"):
        start = timezone.localdate(transfer.created_at)
        if transfer.due_date not in (add_month(start), hand_over_by(start, before)):
            continue  # not a month from its proposal: set otherwise, left as it is
        due = hand_over_by(start, after)
        if due == transfer.due_date:
            continue
        moved.append({"transfer": transfer.pk, "from": transfer.due_date, "to": due})
        transfer.due_date, transfer.version = due, transfer.version + 1
        transfer.overdue_notified_on = None
        transfer.save(update_fields=["due_date", "version", "overdue_notified_on"])
    return moved


def _propose(dossier: Dossier, due: datetime.date | None) -> Transfer | None:
    to_stage = NEXT_STAGE.get(Stage(dossier.stage))
    if to_stage is None:
        return None
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                dossier=dossier, from_stage=dossier.stage, to_stage=to_stage, due_date=due
            )
            record(
                "archives.transfer.propose",
                transfer,
                extra={"dossier": dossier.archive_number, "to": to_stage, "due": due},
            )
    except IntegrityError:  # already proposed (by a concurrent job run)
        return None
    notify(
        receivers(transfer) + list(holders_of(Role.DEPARTMENT_HEAD, dossier.customer.unit)),
        _("Dossier %(n)s to be handed to the %(to)s")
        % {"n": dossier.archive_number, "to": transfer.get_to_stage_display()},
        dossier.customer.name,
        reverse("archives:transfers"),
    )
    return transfer


def propose_transfers(today: datetime.date | None = None) -> dict[str, int]:
    """Daily job: dossiers numbered before last year leave the department (the hand-overs'
    deadlines are reminded by the reminder engine, `reminders.TRANSFER_RULE`)."""
    today = today or timezone.localdate()
    first_day_of_last_year = datetime.datetime(today.year - 1, 1, 1)
    cutoff = timezone.make_aware(first_day_of_last_year)
    due_for_transfer = (
        Dossier.objects.filter(stage=Stage.DEPARTMENT, destroyed_at__isnull=True)
        .exclude(archive_number="")
        .filter(numbered_at__lt=cutoff)
        .exclude(transfers__status=TransferStatus.PROPOSED)
        .select_related("customer__unit")
    )
    proposed = sum(1 for d in due_for_transfer if _propose(d, None))
    return {"proposed": proposed}


def transfer_confirm(transfer: Transfer, *, by: Any, note: str = "") -> Transfer:
    """The receiver confirms the hand-over; from the credit office the next one (to the
    archive room, within a month) is proposed at once."""
    with transaction.atomic():
        current = Transfer.objects.select_for_update().select_related("dossier").get(pk=transfer.pk)
        if current.status != TransferStatus.PROPOSED:
            return current
        if not may_confirm(by, current):
            raise ValidationError(_("Only the receiving office confirms a hand-over."))
        current.status = TransferStatus.CONFIRMED
        current.received_by, current.received_at = by, timezone.now()
        current.note = (note or "").strip()[:300]
        current.version += 1
        current.save()
        dossier = current.dossier
        before = dossier.stage
        Dossier.objects.filter(pk=dossier.pk).update(stage=current.to_stage)
        dossier.stage = current.to_stage
        record("archives.transfer.confirm", current, extra={"dossier": dossier.archive_number})
        record("archives.dossier.stage", dossier, changes={"stage": [before, dossier.stage]})
        if dossier.stage == Stage.CREDIT_OFFICE:
            _propose(dossier, hand_over_by(timezone.localdate()))
    return current
