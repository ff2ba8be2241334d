"""Post-credit management (CRD-4): calls, collection calls and debt-collection actions;
statements of account sent, confirmed or disputed; payment promises kept or broken; the
abnormal receivable and problem account reports with their approval; and the standard reply
letters printed with a customer's data."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import numbering
from kehu.core.models import Role
from kehu.credit.exposure import account_for, credit_check
from kehu.credit.models import (
    ZERO,
    AccountStatement,
    DebtAction,
    FollowUp,
    FollowUpKind,
    LimitRequestStatus,
    PaymentPromise,
    ProblemKind,
    ProblemReport,
    ReplyTemplate,
    StatementStatus,
)
from kehu.credit.receivables import MAX_AMOUNT
from kehu.infra import pdf
from kehu.infra.uploads import check_upload
from kehu.workflow import services as workflow

PROBLEM_PROCESS = "credit.problem"
STATEMENT_FILE_TYPES = ["application/pdf", "image/png", "image/jpeg"]


def _amount(errors: dict[str, list[str]], name: str, value: Decimal | None) -> None:
    if value is None:
        errors[name] = [_("This amount is required.")]
    elif value <= 0:
        errors[name] = [_("The amount must be greater than zero.")]
    elif value > MAX_AMOUNT:
        errors[name] = [_("The amount is too large; check the figure and its unit.")]


def _follow_up_clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if data.get("kind") not in FollowUpKind.values:
        errors["kind"] = [_("Choose the kind of record.")]
    action = data.get("action") or ""
    if data.get("kind") == FollowUpKind.DEBT_COLLECTION and action not in DebtAction.values:
        errors["action"] = [_("Choose the debt-collection action.")]
    elif data.get("kind") != FollowUpKind.DEBT_COLLECTION and action:
        errors["action"] = [_("Only a debt-collection record names an action.")]
    happened = data.get("happened_on")
    if happened is None:
        errors["happened_on"] = [_("This date is required.")]
    elif happened > timezone.localdate():
        errors["happened_on"] = [_("The date cannot be in the future.")]
    if not (data.get("summary") or "").strip():
        errors["summary"] = [_("Say what was discussed or done.")]
    if errors:
        raise ValidationError(errors)
    return {
        "kind": data["kind"],
        "action": action,
        "happened_on": happened,
        "contact": (data.get("contact") or "").strip()[:100],
        "summary": data["summary"].strip(),
        "next_step": (data.get("next_step") or "").strip()[:300],
    }


def follow_up_record(customer: Any, data: dict[str, Any], *, by: Any) -> FollowUp:
    values = _follow_up_clean(data)
    with transaction.atomic():
        follow_up = FollowUp.objects.create(account=account_for(customer), recorded_by=by, **values)
        record("credit.followup.create", customer, extra={"kind": follow_up.kind})
    return follow_up


def follow_up_update(
    follow_up: FollowUp, data: dict[str, Any], *, expected_version: int | None, by: Any
) -> FollowUp:
    """Correct a call or collection record; refused when changed since it was read."""
    values = _follow_up_clean(data)
    with transaction.atomic():
        current = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if expected_version is None or current.version != expected_version:
            raise ValidationError(
                _("Somebody else has changed this meanwhile: reload the page and try again.")
            )
        changes = {
            k: [str(getattr(current, k)), str(v)]
            for k, v in values.items()
            if getattr(current, k) != v
        }
        if not changes:
            return current
        for key, value in values.items():
            setattr(current, key, value)
        current.version += 1
        current.save()
        record(
            "credit.followup.change",
            current.account.customer,
            changes=changes,
            extra={"follow_up": current.pk},
        )
    return current


def account_statement_record(
    customer: Any, data: dict[str, Any], upload: Any, *, by: Any
) -> AccountStatement:
    """Record a statement of account sent (or already answered), with its file if any."""
    errors: dict[str, list[str]] = {}
    if data.get("as_of") is None:
        errors["as_of"] = [_("This date is required.")]
    balance = data.get("balance")
    if balance is None or balance < 0 or balance > MAX_AMOUNT:
        errors["balance"] = [_("Enter the balance in 元, not negative.")]
    status = data.get("status") or StatementStatus.SENT
    if status not in StatementStatus.values:
        errors["status"] = [_("Choose the status.")]
    if status == StatementStatus.DISPUTED and not (data.get("note") or "").strip():
        errors["note"] = [_("Say what the customer disputes.")]
    if upload is not None:
        try:
            check_upload(upload, STATEMENT_FILE_TYPES)
        except ValidationError as error:
            errors["file"] = list(error.message_dict.get("file", error.messages))
    if errors:
        raise ValidationError(errors)
    statement = AccountStatement(
        account=account_for(customer),
        as_of=data["as_of"],
        balance=balance,
        status=status,
        note=(data.get("note") or "").strip(),
        recorded_by=by,
    )
    with transaction.atomic():
        if upload is not None:
            statement.file_name = (upload.name or "")[:200]
            statement.file.save(f"statement-{customer.pk}.bin", upload, save=False)
        statement.save()
        record(
            "credit.accountstatement.create",
            customer,
            extra={"as_of": statement.as_of.isoformat(), "status": status, "file": bool(upload)},
        )
    return statement


def account_statement_answer(
    statement: AccountStatement, *, status: str, note: str, by: Any
) -> AccountStatement:
    if status not in (StatementStatus.CONFIRMED, StatementStatus.DISPUTED):
        raise ValidationError({"status": [_("Choose confirmed or disputed.")]})
    if status == StatementStatus.DISPUTED and not (note or "").strip():
        raise ValidationError({"note": [_("Say what the customer disputes.")]})
    with transaction.atomic():
        current = AccountStatement.objects.select_for_update().get(pk=statement.pk)
        before = current.status
        current.status, current.note = status, (note or current.note).strip()
        current.save(update_fields=["status", "note", "updated_at"])
        record(
            "credit.accountstatement.answer",
            current.account.customer,
            changes={"status": [before, status]},
        )
    return current


def promise_record(customer: Any, data: dict[str, Any], *, by: Any) -> PaymentPromise:
    errors: dict[str, list[str]] = {}
    _amount(errors, "amount", data.get("amount"))
    if data.get("promised_on") is None:
        errors["promised_on"] = [_("This date is required.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        promise = PaymentPromise.objects.create(
            account=account_for(customer),
            amount=data["amount"],
            promised_on=data["promised_on"],
            note=(data.get("note") or "").strip()[:300],
            recorded_by=by,
        )
        record(
            "credit.promise.create",
            customer,
            extra={"amount": str(promise.amount), "promised_on": promise.promised_on.isoformat()},
        )
    return promise


def promise_settle(promise: PaymentPromise, *, kept: bool, by: Any) -> PaymentPromise:
    with transaction.atomic():
        current = PaymentPromise.objects.select_for_update().get(pk=promise.pk)
        current.kept, current.settled_at = kept, timezone.now()
        current.save(update_fields=["kept", "settled_at"])
        record("credit.promise.settle", current.account.customer, extra={"kept": kept})
    return current


def broken_promises(account: Any, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return sum(p.broken(today) for p in PaymentPromise.objects.filter(account=account))


def problem_report_create(customer: Any, data: dict[str, Any], *, by: Any) -> ProblemReport:
    """File an abnormal receivable or problem account report; it goes for approval (the
    credit manager; a problem account also the general manager)."""
    errors: dict[str, list[str]] = {}
    if data.get("kind") not in ProblemKind.values:
        errors["kind"] = [_("Choose the kind of report.")]
    _amount(errors, "amount", data.get("amount"))
    for name in ("description", "measures"):
        if not (data.get(name) or "").strip():
            errors[name] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    chain = [Role.CREDIT_MANAGER]
    if data["kind"] == ProblemKind.PROBLEM:
        chain.append(Role.GENERAL_MANAGER)
    with transaction.atomic():
        report = ProblemReport.objects.create(
            number=numbering.allocate(
                "WTZK-{year}-{seq:05d}", f"credit:problem:{today.year}", year=today.year
            ),
            account=account_for(customer),
            kind=data["kind"],
            amount=data["amount"],
            description=data["description"].strip(),
            measures=data["measures"].strip(),
            reported_by=by,
        )
        record("credit.problem.create", customer, extra={"report": report.number})
        report.case = workflow.open_case(
            PROBLEM_PROCESS,
            report,
            unit=customer.unit,
            by=by,
            title=f"{report.get_kind_display()}: {customer.name}",
            data={"chain": [str(role) for role in chain]},
        )
        report.save(update_fields=["case"])
    return report


def problem_report_decide(report: ProblemReport, *, approved: bool, by: Any) -> ProblemReport:
    with transaction.atomic():
        current = ProblemReport.objects.select_for_update().get(pk=report.pk)
        current.status = LimitRequestStatus.APPROVED if approved else LimitRequestStatus.REJECTED
        current.version += 1
        current.save(update_fields=["status", "version", "updated_at"])
        record(
            "credit.problem.decide",
            current.account.customer,
            extra={"report": current.number, "status": current.status},
        )
    return current


def problem_url(report: ProblemReport) -> str:
    return reverse("credit:customer", args=[report.account.customer_id]) + "#problems"


def reply_letter(template: ReplyTemplate, customer: Any, *, printed_by: Any) -> bytes:
    """The standard letter with the customer's data in its placeholders."""
    check = credit_check(customer, ZERO)
    values = {
        "customer": customer.name,
        "limit": f"{check.limit:,.2f} 元",
        "exposure": f"{check.exposure:,.2f} 元",
        "overdue": f"{check.overdue:,.2f} 元",
        "date": timezone.localdate().isoformat(),
    }
    text = template.body
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    doc = pdf.Document(
        title=template.title,
        author=(printed_by.full_name or printed_by.username) if printed_by else "",
    )
    for paragraph in text.split("\n"):
        if paragraph.strip():
            doc.paragraph(paragraph)
        else:
            doc.spacer(2)
    record(
        "credit.replyletter.print",
        customer,
        extra={"template": template.pk, "title": template.title},
    )
    return doc.build()
