"""Hand-overs of a contract's dossier (CON-3): after signing, changing or ending a contract its
handler hands the dossier to the contract officer (合同管理员) within the configured
period; the officer hands it to the archive room within a month, whose receipt files the
items into the customer's archive dossier. Each receipt records who handed over what, and
when. Deadlines, reminders and escalation are the workflow step's (process
`contracts.handover` in processes.py)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.archives import services as archives
from kehu.archives.models import ArchiveCategory
from kehu.audit.services import record
from kehu.contracts import checklist
from kehu.contracts.models import (
    Contract,
    ContractDocument,
    ContractSettings,
    Handover,
    HandoverStage,
    HandoverStatus,
)
from kehu.core import calendar
from kehu.core.notifications import notify
from kehu.workflow import services as workflow

PROCESS = "contracts.handover"
ARCHIVE_CATEGORY = "contracts"


def officer_due(occasion_on: datetime.date, days: int | None = None) -> datetime.date:
    """The handler's deadline: `days` (default: the setting) after the occasion; a day that
    is not a working day moves to the next working day."""
    days = ContractSettings.current().handover_days if days is None else days
    return calendar.next_working_day(occasion_on + datetime.timedelta(days=days))


def archive_due(received_on: datetime.date) -> datetime.date:
    """The officer's deadline: a month after receipt, moved to the next working day."""
    return calendar.next_working_day(archives.add_month(received_on))


class ReceiptForm(forms.Form):
    """The receiver's receipt: the dossier items handed over, and a note."""

    items = forms.MultipleChoiceField(
        label=gettext_lazy("items handed over"), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=gettext_lazy("receipt note"), required=False, max_length=300)

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = {e.code: e for e in checklist.evaluate(contract)}
        choices = [(code, e.label) for code, e in self.entries.items()]
        self.fields["items"].choices = choices  # type: ignore[attr-defined]
        self.fields["items"].initial = [c for c, e in self.entries.items() if e.present]


def open_handover(
    contract: Contract, occasion: str, occasion_on: datetime.date, by: Any
) -> Handover:
    """A contract was signed, changed or ended: its handler owes the contract officer the
    dossier. One hand-over waits at a time: while one is open, it covers the new occasion."""
    with transaction.atomic():
        waiting = (
            Handover.objects.select_for_update()
            .filter(contract=contract, stage=HandoverStage.OFFICER, status=HandoverStatus.OPEN)
            .first()
        )
        if waiting is not None:
            record("contracts.handover.extend", waiting, extra={"occasion": occasion})
            return waiting
        handover = Handover.objects.create(
            contract=contract,
            stage=HandoverStage.OFFICER,
            occasion=occasion,
            occasion_on=occasion_on,
            due_on=officer_due(occasion_on),
            handed_by=contract.handler,
        )
        record(
            "contracts.handover.open",
            handover,
            extra={"contract": contract.number, "occasion": occasion, "due": handover.due_on},
        )
        workflow.open_case(
            PROCESS,
            handover,
            unit=contract.unit,
            by=by,
            title=_("Dossier hand-over: %(n)s") % {"n": contract.number},
            handover=handover,
        )
        notify(
            [contract.handler],
            _("Hand the dossier of contract %(n)s to the contract officer by %(due)s")
            % {"n": contract.number, "due": f"{handover.due_on:%Y-%m-%d}"},
            contract.title,
            contract.get_absolute_url(),
            email=True,
        )
    return handover


def handover_receive(handover: Handover, *, by: Any, form: ReceiptForm) -> Handover:
    """The receiver confirms the hand-over with the items received: recorded, the workflow
    step completed (which opens the next hand-over or files the items into the archive)."""
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    with transaction.atomic():
        current = (
            Handover.objects.select_for_update().select_related("contract").get(pk=handover.pk)
        )
        if current.status != HandoverStatus.OPEN or current.step is None:
            raise ValidationError(_("This hand-over has been received already."))
        codes = form.cleaned_data["items"]
        documents = ContractDocument.objects.filter(
            contract=current.contract, doc_type__code__in=codes
        )
        by_code: dict[str, list[int]] = {}
        for code, pk in documents.values_list("doc_type__code", "pk"):
            by_code.setdefault(code, []).append(pk)
        current.items = [
            {"code": code, "name": form.entries[code].label, "documents": by_code.get(code, [])}
            for code in codes
        ]
        current.status = HandoverStatus.RECEIVED
        current.received_by, current.received_at = by, timezone.now()
        current.note = (form.cleaned_data.get("note") or "").strip()[:300]
        current.version += 1
        current.save()
        record(
            "contracts.handover.receive",
            current,
            extra={
                "contract": current.contract.number,
                "stage": current.stage,
                "items": codes,
                "handed_by": getattr(current.handed_by, "username", ""),
                "overdue": current.due_on < timezone.localdate(),
            },
        )
        workflow.complete_step(
            current.step, by=by, outcome="received", comment=current.note, page_form=form
        )
    return current


def next_to_archive(first: Handover, by: Any) -> Handover:
    """After the officer's receipt: the officer owes the archive room the dossier."""
    return Handover.objects.create(
        contract=first.contract,
        stage=HandoverStage.ARCHIVE_ROOM,
        occasion=first.occasion,
        occasion_on=first.occasion_on,
        due_on=archive_due(timezone.localdate()),
        handed_by=by,
        items=first.items,
    )


def file_into_archive(handover: Handover) -> int:
    """The archive room's receipt files each item received into the customer's dossier
    (with its electronic document where one was filed); returns how many."""
    contract = handover.contract
    dossier = archives.open_dossier(contract.customer)
    category = ArchiveCategory.objects.filter(code=ARCHIVE_CATEGORY, is_active=True).first()
    category = category or archives.default_category()
    filed = 0
    for item in handover.items:
        ids = item.get("documents") or []
        found = ContractDocument.objects.filter(pk__in=ids).select_related("version")
        rows: list[ContractDocument | None] = [*found] or [None]  # paper only: one line
        for row in rows:
            archives.file_item(
                {
                    "dossier": dossier,
                    "category": category,
                    "title": f"{contract.number} {item['name']}"[:200],
                    "document": row.version.document if row is not None else None,
                    "medium": "both" if row is not None else "paper",
                    "note": _("Contract %(n)s") % {"n": contract.number},
                }
            )
            filed += 1
    return filed


def overdue_handovers(today: datetime.date | None = None) -> Any:
    today = today or timezone.localdate()
    return Handover.objects.filter(status=HandoverStatus.OPEN, due_on__lt=today)
