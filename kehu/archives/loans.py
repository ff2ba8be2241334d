"""Borrowing and viewing (借阅/查阅, ARC-6). A request opens a workflow case (process
`archives.borrow`, kehu/archives/processes.py): inside the owning department the archivist
approves, outside it the unit's approval chain (default: the general manager; finance where
configured); the archivist issues the folder with a due date by confidentiality, or — for
electronic viewing — a time-limited access grant on the customer that opens the dossier
read-only and ends by itself; the archivist checks the return. Overdue loans are reminded and
escalated by a daily job. Every step is audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.archives.models import (
    ArchiveSettings,
    Confidentiality,
    Dossier,
    IncidentKind,
    Loan,
    LoanKind,
    LoanStatus,
)
from kehu.audit.services import record
from kehu.core import calendar
from kehu.core.grants import grant_access
from kehu.core.models import Role, User
from kehu.core.notifications import notify
from kehu.core.selectors import holders_of
from kehu.workflow import services as workflow

PROCESS = "archives.borrow"
ESCALATE_AFTER_WORKING_DAYS = 3
OPEN_STATUSES = (LoanStatus.REQUESTED, LoanStatus.APPROVED, LoanStatus.ISSUED)


def loan_url(loan: Loan) -> str:
    return reverse("archives:loan", args=[loan.pk])


def inside_department(borrower: User, dossier: Dossier) -> bool:
    """Whether the borrower works in the dossier's owning department (or below it)."""
    unit = borrower.unit
    return unit is not None and unit.path.startswith(dossier.customer.unit.path)


def due_date_for(
    dossier: Dossier, start: datetime.date, overrides: calendar.Overrides | None = None
) -> datetime.date:
    """Loan period by confidentiality: five working days for confidential files, two weeks
    otherwise (configurable); a due date on a holiday moves to the next working day.
    `overrides`: the calendar entries to count with (default: as they are now)."""
    config = ArchiveSettings.current()
    if dossier.confidentiality == Confidentiality.CONFIDENTIAL:
        return calendar.add_working_days(start, config.confidential_loan_working_days, overrides)
    return calendar.next_working_day(start + datetime.timedelta(days=config.loan_days), overrides)


def recount_due_dates(
    before: calendar.Overrides, after: calendar.Overrides, first: datetime.date
) -> list[dict[str, Any]]:
    """The calendar changed from `before` to `after` (from the day `first` on): move the due
    dates of folders on loan to the calendar as it is now, counted from the day their period
    started. Electronic viewing keeps its end (its access grant ends by itself). Returns
    what moved; the caller audits it in the calendar change's transaction."""
    moved = []
    on_loan = Loan.objects.filter(
        status=LoanStatus.ISSUED, kind=LoanKind.PHYSICAL, due_date__gte=first
    )
    for loan in on_loan.select_for_update(of=("self",)).select_related("dossier").order_by("pk"):
        assert loan.due_date is not None and loan.issued_at is not None
        start = loan.due_counted_from
        if start is None and loan.renewals == 0:
            start = timezone.localdate(loan.issued_at)
        if start is None:
            continue  # renewed before the start was kept: its period cannot be told
        if due_date_for(loan.dossier, start, before) == loan.due_date:
            due = due_date_for(loan.dossier, start, after)
        else:  # the loan period (settings) changed since: keep its working days
            due = calendar.recount(start, loan.due_date, before, after)
        if due == loan.due_date:
            continue
        moved.append({"loan": loan.pk, "from": loan.due_date, "to": due})
        loan.due_date, loan.version = due, loan.version + 1
        loan.due_reminded_on = loan.overdue_reminded_on = loan.escalated_on = None
        loan.save(
            update_fields=[
                "due_date", "version", "due_reminded_on", "overdue_reminded_on", "escalated_on",
            ]
        )  # fmt: skip
    return moved


def end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def request_loan(*, dossier: Dossier, borrower: Any, purpose: str, kind: str) -> Loan:
    """The borrower's request (借阅申请): opens the approval case. Asking again while a request
    of the same kind is open returns that request (a double submission is harmless)."""
    purpose = (purpose or "").strip()
    errors: dict[str, list[str]] = {}
    if not purpose:
        errors["purpose"] = [_("Say what the dossier is needed for.")]
    if kind not in LoanKind.values:
        errors["kind"] = [_("Choose paper borrowing or electronic viewing.")]
    if dossier.destroyed_at is not None or not dossier.archive_number:
        errors["dossier"] = [_("This dossier cannot be borrowed.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Dossier.objects.select_for_update().get(pk=dossier.pk)
        open_loan = Loan.objects.filter(
            dossier=dossier, borrower=borrower, kind=kind, status__in=OPEN_STATUSES
        ).first()
        if open_loan is not None:
            return open_loan
        if kind == LoanKind.PHYSICAL:
            lent = Loan.objects.filter(
                dossier=dossier, kind=kind, status=LoanStatus.ISSUED
            ).exists()
            if lent:
                raise ValidationError(
                    {"dossier": [_("The folder is lent out; ask for electronic viewing.")]}
                )
        loan = Loan.objects.create(dossier=dossier, borrower=borrower, purpose=purpose, kind=kind)
        record(
            "archives.loan.request",
            loan,
            extra={"dossier": dossier.archive_number, "kind": kind, "purpose": purpose},
        )
        case = workflow.open_case(
            PROCESS,
            loan,
            unit=dossier.customer.unit,
            by=borrower,
            title=f"{_('Borrowing')} {dossier.archive_number} {dossier.customer.name}",
        )
        loan.case = case
        loan.save(update_fields=["case"])
    return loan


def _set(loan: Loan, action: str, **values: Any) -> Loan:
    """Change the loan's fields under a row lock and record the change."""
    current = Loan.objects.select_for_update().get(pk=loan.pk)
    before = {k: getattr(current, k) for k in values}
    for name, value in values.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    record(
        f"archives.loan.{action}",
        current,
        changes={k: [before[k], v] for k, v in values.items() if before[k] != v},
    )
    return current


def loan_decide(loan: Loan, *, approved: bool, by: User) -> Loan:
    status = LoanStatus.APPROVED if approved else LoanStatus.REJECTED
    loan = _set(loan, "decide", status=status, approved_by=by, approved_at=timezone.now())
    notify(
        [loan.borrower],
        _("Borrowing approved: %(n)s") % {"n": loan.dossier.archive_number}
        if approved
        else _("Borrowing refused: %(n)s") % {"n": loan.dossier.archive_number},
        loan.purpose,
        loan_url(loan),
        email=True,
    )
    return loan


def loan_issue(loan: Loan, *, by: Any) -> Loan:
    """The archivist issues the folder (borrow time, due date) or opens electronic viewing
    with a grant that ends on the due date by itself."""
    if loan.status != LoanStatus.APPROVED:
        raise ValidationError(_("Only an approved request can be issued."))
    now = timezone.now()
    start = timezone.localdate(now)
    due = due_date_for(loan.dossier, start)
    grant = None
    if loan.kind == LoanKind.ELECTRONIC:
        grant = grant_access(
            user=loan.borrower,
            obj=loan.dossier.customer,
            until=end_of_day(due),
            by=by,
            reason=f"{_('Electronic viewing')} {loan.case.number if loan.case else loan.pk}",
            actions=("view",),
            authority=loan.case.number if loan.case else f"loan {loan.pk}",
        )
    loan = _set(
        loan,
        "issue",
        status=LoanStatus.ISSUED,
        issued_by=by,
        issued_at=now,
        due_date=due,
        due_counted_from=start,
        grant=grant,
    )
    notify(
        [loan.borrower],
        _("Dossier %(n)s issued to you until %(due)s")
        % {"n": loan.dossier.archive_number, "due": due.isoformat()},
        loan.purpose,
        loan_url(loan),
        email=True,
    )
    return loan


def check_return(loan: Loan, *, by: Any, complete: bool, undamaged: bool, note: str) -> Loan:
    """The archivist takes the folder back and checks it (complete, undamaged)."""
    note = (note or "").strip()
    if not (complete and undamaged) and not note:
        raise ValidationError({"note": [_("Describe what is missing or damaged.")]})
    loan = _set(
        loan,
        "return",
        status=LoanStatus.RETURNED,
        returned_at=timezone.now(),
        returned_checked_by=by,
        return_complete=complete,
        return_undamaged=undamaged,
        return_note=note,
    )
    if not (complete and undamaged):
        report_incident(loan, by=by, kind="damage", report=note)
    return loan


def request_renewal(loan: Loan, *, by: Any, reason: str) -> Loan:
    """The borrower asks for more time; the archivist approves (a step of the case)."""
    reason = (reason or "").strip()
    if loan.status != LoanStatus.ISSUED or loan.kind != LoanKind.PHYSICAL:
        raise ValidationError(_("Only a folder on loan can be renewed."))
    if by.pk != loan.borrower_id:
        raise ValidationError(_("Only the borrower can ask for a renewal."))
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the renewal.")]})
    assert loan.case is not None
    with transaction.atomic():
        if loan.case.steps.filter(key="renew", status="open").exists():
            return loan
        record("archives.loan.renewal_request", loan, extra={"reason": reason})
        workflow.add_step(
            loan.case, "renew", role=Role.ARCHIVIST, unit=loan.case.unit, submitted_by=by
        )
        workflow.add_comment(loan.case, by=by, text=reason)
    return loan


def loan_renew(loan: Loan, *, by: Any) -> Loan:
    assert loan.due_date is not None
    start = max(loan.due_date, timezone.localdate())
    due = due_date_for(loan.dossier, start)
    loan = _set(
        loan,
        "renew",
        due_date=due,
        due_counted_from=start,
        renewals=loan.renewals + 1,
        overdue_reminded_on=None,
        escalated_on=None,
        due_reminded_on=None,
    )
    notify(
        [loan.borrower],
        _("Loan renewed until %(due)s") % {"due": due.isoformat()},
        str(loan),
        loan_url(loan),
        email=True,
    )
    return loan


def report_incident(loan: Loan, *, by: Any, kind: str, report: str) -> Loan:
    """A written report of loss or damage (借阅档案遗失/损坏报告): archivists, the borrower's
    department head and the general manager are told."""
    report = (report or "").strip()
    if kind not in IncidentKind.values:
        raise ValidationError({"kind": [_("Loss or damage?")]})
    if len(report) < 4:
        raise ValidationError(
            {"report": [_("Write the report: what happened, when, what is affected.")]}
        )
    with transaction.atomic():
        values: dict[str, Any] = {
            "incident_kind": kind,
            "incident_report": report,
            "incident_at": timezone.now(),
            "incident_by": by,
        }
        if kind == "loss":
            values["status"] = LoanStatus.LOST
        loan = _set(loan, "incident", **values)
        people = set(archivists_for(loan.dossier))
        if loan.borrower.unit is not None:
            people |= set(holders_of(Role.DEPARTMENT_HEAD, loan.borrower.unit))
        people |= set(holders_of(Role.GENERAL_MANAGER, loan.dossier.customer.unit))
        notify(
            people,
            _("Archive %(kind)s reported: %(n)s")
            % {
                "kind": _("loss") if kind == "loss" else _("damage"),
                "n": loan.dossier.archive_number,
            },
            report,
            loan_url(loan),
            email=True,
        )
    return loan


def archivists_for(dossier: Dossier) -> list[User]:
    return list(holders_of(Role.ARCHIVIST, dossier.customer.unit))


def loan_cancel(loan: Loan, *, by: Any) -> Loan:
    return _set(loan, "cancel", status=LoanStatus.CANCELLED)
