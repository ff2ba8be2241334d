"""The archives' deadlines in the reminder engine: loan returns, the monthly cabinet checks
and dossier hand-overs between the department, the credit office and the archive room."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.archives.loans import ESCALATE_AFTER_WORKING_DAYS, archivists_for, loan_url
from kehu.archives.models import (
    Cabinet,
    Loan,
    LoanKind,
    LoanStatus,
    Stage,
    Transfer,
    TransferStatus,
)
from kehu.archives.services import archivists, next_check_due
from kehu.archives.transfers import RECEIVER_ROLE, receivers
from kehu.audit.services import record
from kehu.core import calendar
from kehu.core.models import Role, User
from kehu.core.selectors import holders_of
from kehu.ops.models import ReminderChannel
from kehu.ops.reminders import Due, ReminderRule, only_for


def _loan_due(loan: Loan) -> Due:
    assert loan.due_date is not None
    escalate_to = set(holders_of(Role.GENERAL_MANAGER, loan.dossier.customer.unit))
    if loan.borrower.unit is not None:
        escalate_to |= set(holders_of(Role.DEPARTMENT_HEAD, loan.borrower.unit))
    return Due(
        obj=loan,
        deadline=loan.due_date,
        recipients=[loan.borrower],
        title=_("Return of %(n)s") % {"n": loan.dossier.archive_number},
        link=loan_url(loan),
        body=f"{loan.borrower} · {loan.purpose}",
        unit=loan.dossier.customer.unit,
        also_when_overdue=archivists_for(loan.dossier),
        escalate_to=sorted(escalate_to, key=lambda u: u.pk),
    )


def pending_loans(today: datetime.date, user: User | None) -> Iterable[Due]:
    horizon = calendar.add_working_days(today, LOAN_RULE.horizon)
    loans = Loan.objects.filter(
        status=LoanStatus.ISSUED,
        kind=LoanKind.PHYSICAL,
        due_date__isnull=False,
        due_date__lte=horizon,
    ).select_related("borrower__unit", "dossier__customer__unit")
    dues = (_loan_due(loan) for loan in loans.order_by("due_date", "pk"))
    return dues if user is None else only_for(user, dues)


def loan_stage_sent(due: Due, stage: str, today: datetime.date) -> None:
    loan = due.obj
    if stage.startswith("before"):
        Loan.objects.filter(pk=loan.pk).update(due_reminded_on=today)
    elif stage == "overdue-0":
        Loan.objects.filter(pk=loan.pk).update(overdue_reminded_on=today)
        record("archives.loan.overdue", loan, extra={"due": due.deadline})
    elif stage == "escalate":
        Loan.objects.filter(pk=loan.pk).update(escalated_on=today)
        late = calendar.working_days_between(due.deadline, today)
        record("archives.loan.escalate", loan, extra={"working_days_late": late})


def pending_cabinet_checks(today: datetime.date, user: User | None) -> Iterator[Due]:
    horizon = calendar.add_working_days(today, CABINET_RULE.horizon)
    people = archivists()
    if user is not None and user.pk not in {p.pk for p in people}:
        return
    for cabinet in Cabinet.objects.filter(is_active=True).order_by("code"):
        due = next_check_due(cabinet)
        if due <= horizon:
            yield Due(
                obj=cabinet,
                deadline=due,
                recipients=people,
                title=_("Monthly check of cabinet %(code)s") % {"code": cabinet.code},
                link=reverse("generic:cabinets_detail", args=[cabinet.pk]),
                body=_("Check the lock and the protection against damp, and record the check."),
            )


def cabinet_stage_sent(due: Due, stage: str, today: datetime.date) -> None:
    Cabinet.objects.filter(pk=due.obj.pk).update(check_reminded_on=today)


def _transfer_due(transfer: Transfer) -> Due:
    assert transfer.due_date is not None
    people = receivers(transfer)
    if transfer.from_stage in RECEIVER_ROLE:
        role = RECEIVER_ROLE[Stage(transfer.from_stage)]
        people += list(holders_of(role, transfer.dossier.customer.unit))
    return Due(
        obj=transfer,
        deadline=transfer.due_date,
        recipients=people,
        title=_("Hand-over of %(n)s to the %(to)s")
        % {"n": transfer.dossier.archive_number, "to": transfer.get_to_stage_display()},
        link=reverse("archives:transfers"),
        body=transfer.dossier.customer.name,
        unit=transfer.dossier.customer.unit,
    )


def pending_transfers(today: datetime.date, user: User | None) -> Iterable[Due]:
    horizon = calendar.add_working_days(today, TRANSFER_RULE.horizon)
    transfers = Transfer.objects.filter(
        status=TransferStatus.PROPOSED, due_date__isnull=False, due_date__lte=horizon
    ).select_related("dossier__customer__unit")
    dues = (_transfer_due(t) for t in transfers.order_by("due_date", "pk"))
    return dues if user is None else only_for(user, dues)


def transfer_stage_sent(due: Due, stage: str, today: datetime.date) -> None:
    if stage == "overdue-0":
        Transfer.objects.filter(pk=due.obj.pk).update(overdue_notified_on=today)
        record("archives.transfer.overdue", due.obj, extra={"due": due.deadline})


LOAN_RULE = ReminderRule(
    kind="archives.loan",
    label=gettext_lazy("Borrowed folder to return"),
    pending=pending_loans,
    before=(1,),
    escalate_after=ESCALATE_AFTER_WORKING_DAYS,
    default_channel=ReminderChannel.EMAIL,
    on_sent=loan_stage_sent,
)
CABINET_RULE = ReminderRule(
    kind="archives.cabinet_check",
    label=gettext_lazy("Monthly cabinet check"),
    pending=pending_cabinet_checks,
    before=(0,),
    every_after=5,
    on_sent=cabinet_stage_sent,
)
TRANSFER_RULE = ReminderRule(
    kind="archives.transfer",
    label=gettext_lazy("Dossier hand-over"),
    pending=pending_transfers,
    before=(3,),
    every_after=5,
    on_sent=transfer_stage_sent,
)
RULES = (LOAN_RULE, CABINET_RULE, TRANSFER_RULE)
