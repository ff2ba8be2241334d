"""Every change to a filing: opening it (the customer goes into filing), the reviews with
their per-item checks, the supplement request and its arrival, the risk assessment report,
the decisions, and the outcome (the customer becomes active or rejected). Each in one
transaction and audited; steps, deadlines and four-eyes rules are the workflow engine's."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core.access import DENIED
from kehu.core.notifications import notify
from kehu.customers import services as customer_services
from kehu.customers.models import Customer, CustomerStatus
from kehu.documents import services as document_services
from kehu.documents.models import DocumentType
from kehu.filing import checklist, risk
from kehu.filing.forms import DecisionForm, ReviewForm, RiskReportForm
from kehu.filing.models import (
    CheckResult,
    Filing,
    ItemCheck,
    Review,
    RiskReport,
    Stage,
)
from kehu.generic.services import audited_update
from kehu.ops import webhooks
from kehu.ops.models import WebhookEvent
from kehu.workflow import services as workflow
from kehu.workflow.models import Step

PROCESS = "filing"
RISK_REPORT_TYPE = "risk_report"


def filing_url(filing: Filing) -> str:
    return reverse("filing:detail", args=[filing.pk])


def open_filing(customer: Customer, *, by: Any, declared_address_changes: int = 0) -> Filing:
    """FIL-1: a filing case for a prospect (or a customer whose filing was rejected); the
    customer goes into filing and its account manager collects what the checklist asks."""
    with transaction.atomic():
        current = Customer.objects.select_for_update().get(pk=customer.pk)
        if Filing.objects.filter(customer=current).exclude(
            stage__in=[Stage.APPROVED, Stage.REJECTED, Stage.WITHDRAWN]
        ):
            raise ValidationError(_("This customer already has a filing under way."))
        if current.status not in (CustomerStatus.PROSPECT, CustomerStatus.REJECTED):
            raise ValidationError(
                _("Only a prospect or a rejected customer can be filed; this one is %(s)s.")
                % {"s": current.get_status_display()}
            )
        flags = risk.evaluate(current, declared_address_changes)
        filing = Filing.objects.create(
            customer=current,
            unit=current.unit,
            opened_by=by,
            declared_address_changes=declared_address_changes,
            risk_flags=[f.as_dict() for f in flags],
            high_risk=bool(flags),
        )
        # The case number (BA-2026-00001) is the filing's number: one gap-free sequence.
        case = workflow.open_case(
            PROCESS, current, unit=current.unit, by=by, title=current.name,
            data={"filing": filing.pk},
        )  # fmt: skip
        filing.case, filing.number = case, case.number
        filing.save(update_fields=["case", "number"])
        record(
            "filing.filing.open",
            filing,
            extra={"customer": current.pk, "number": case.number, "risk": [f.kind for f in flags]},
        )
        filing.customer = customer_services.change_status(
            current, CustomerStatus.IN_FILING, _("Filing %(n)s opened.") % {"n": case.number}, by
        )
    return filing


def create_and_open(data: dict[str, Any], *, by: Any, declared_address_changes: int = 0) -> Filing:
    """ "New customer + filing": register the customer and open its filing in one go."""
    with transaction.atomic():
        customer = customer_services.create_customer(data)
        return open_filing(customer, by=by, declared_address_changes=declared_address_changes)


def reassess_risk(filing: Filing) -> Filing:
    """Evaluate the high-risk rules again (the data may have changed since the opening)."""
    flags = risk.evaluate(filing.customer, filing.declared_address_changes)
    values = [f.as_dict() for f in flags]
    if values != filing.risk_flags:
        before = [f["kind"] for f in filing.risk_flags]
        filing.risk_flags, filing.high_risk = values, bool(flags)
        filing.version += 1
        filing.save(update_fields=["risk_flags", "high_risk", "version", "updated_at"])
        record(
            "filing.filing.risk",
            filing,
            changes={"risk_flags": [before, [f.kind for f in flags]]},
        )
    return filing


def set_stage(filing: Filing, stage: str) -> None:
    if filing.stage != stage:
        before = filing.stage
        filing.stage = stage
        filing.version += 1
        filing.save(update_fields=["stage", "version", "updated_at"])
        record("filing.filing.stage", filing, changes={"stage": [before, stage]})


# --- steps ------------------------------------------------------------------------------


def complete_collection(filing: Filing, step: Step, *, by: Any, comment: str = "") -> Step:
    """The account manager says collection is complete (refused while items are missing)."""
    return workflow.complete_step(step, by=by, outcome="complete", comment=comment)


def submit_review(
    filing: Filing,
    step: Step,
    *,
    by: Any,
    checks: list[dict[str, str]],
    outcome: str,
    comment: str = "",
) -> Step:
    """FIL-2 / FIL-4: keep the reviewer's verdict per item, then complete the review step.
    A review cannot pass with an item marked missing: request a supplement or return it."""
    from kehu.filing.selectors import outcomes, review_items

    if not outcome:
        raise ValidationError(_("Choose an outcome: none was given."))
    review = Review.INITIAL if step.key == "initial_review" else Review.SECOND
    # The review's form validates the verdicts: one per item the review checks.
    items, _initial = review_items(filing, step.key)
    form = ReviewForm(data=_review_data(checks, comment), items=items)
    if not form.is_valid() or outcome not in outcomes(step):
        raise ValidationError(
            _form_errors(form) or _("This outcome is not possible for this step.")
        )
    checks = form.checks()
    if outcome == "passed" and any(c["result"] == CheckResult.MISSING for c in checks):
        raise ValidationError(
            _("An item is missing or wrong: request a supplement or return the filing.")
        )
    with transaction.atomic():
        for check in checks:
            ItemCheck.objects.update_or_create(
                filing=filing,
                review=review,
                key=check["key"],
                defaults={
                    "label": check["label"][:200],
                    "result": check["result"],
                    "explanation": check.get("explanation", ""),
                    "checked_by": by,
                },
            )
        summary = {
            "doubtful": [c["key"] for c in checks if c["result"] == CheckResult.DOUBTFUL],
            "missing": [c["key"] for c in checks if c["result"] == CheckResult.MISSING],
        }
        record("filing.filing.review", filing, extra={"review": review, **summary})
        return workflow.complete_step(
            step, by=by, outcome=outcome, comment=comment, data=summary, page_form=form
        )


def _review_data(checks: list[dict[str, str]], comment: str) -> dict[str, str]:
    data = {"comment": comment or ""}
    for check in checks:
        data[f"result__{check['key']}"] = check.get("result", "")
        data[f"explanation__{check['key']}"] = check.get("explanation", "")
    return data


def _form_errors(form: Any) -> list[str]:
    """A form's errors as "field: message" lines (the field's label, else its name)."""
    lines = []
    for name, messages in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else name
        lines += [f"{label}: {m}" if name != "__all__" else str(m) for m in messages]
    return lines


def request_supplement(filing: Filing, step: Step, *, by: Any, reason: str) -> Step:
    """FIL-3: missing or wrong items go back to the customer, due in 3 working days; the
    review's clock stops until they arrive."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what the customer must supply or correct.")]})
    with transaction.atomic():
        waiting = workflow.wait_for_external(step, by=by, reason=reason, due_working_days=3)
        set_stage(filing, Stage.SUPPLEMENT)
    return waiting


def supplement_received(filing: Filing, step: Step, *, by: Any) -> Step:
    """The customer's items arrived: the review resumes with its paused days added back."""
    with transaction.atomic():
        resumed = workflow.resume_step(step, by=by)
        set_stage(
            filing, Stage.INITIAL_REVIEW if step.key == "initial_review" else Stage.SECOND_REVIEW
        )
    return resumed


def submit_risk_report(
    filing: Filing, step: Step, *, by: Any, values: dict[str, Any], upload: Any
) -> RiskReport:
    """FIL-5: the risk assessment report; its file goes into the customer's dossier."""
    form = RiskReportForm(
        data={k: values.get(k, "") for k in ("risk_level", "findings", "measures", "conclusion")},
        files=MultiValueDict({"file": [upload]} if upload is not None else {}),
    )
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    values = form.cleaned_data
    doc_type = DocumentType.objects.get(code=RISK_REPORT_TYPE)
    version = document_services.document_upload(filing.customer, doc_type, upload, by)
    with transaction.atomic():
        report, _created = RiskReport.objects.update_or_create(
            filing=filing,
            defaults={
                "risk_level": values["risk_level"],
                "findings": values["findings"],
                "measures": values.get("measures", ""),
                "conclusion": values["conclusion"],
                "document_version": version,
                "author": by,
            },
        )
        record(
            "filing.riskreport.submit",
            report,
            extra={"risk_level": report.risk_level, "conclusion": report.conclusion},
        )
        workflow.complete_step(
            step, by=by, outcome="done", comment=values["findings"][:500],
            data={"risk_level": report.risk_level, "conclusion": report.conclusion},
            page_form=form,
        )  # fmt: skip
    return report


def filing_step_decide(
    filing: Filing, step: Step, *, by: Any, outcome: str, comment: str = ""
) -> Step:
    """An approval, a rejection or a return for correction (FIL-6, FIL-7)."""
    from kehu.filing.selectors import outcomes

    if not outcome:
        raise ValidationError({"outcome": [_("Choose a decision.")]})
    if outcome != "approved" and not (comment or "").strip():
        raise ValidationError({"comment": [_("Give the reason.")]})
    form = DecisionForm(data={"outcome": outcome, "comment": comment}, outcomes=outcomes(step))
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    return workflow.complete_step(step, by=by, outcome=outcome, comment=comment, page_form=form)


# --- outcome ----------------------------------------------------------------------------


def filing_conclude(filing: Filing, *, outcome: str, by: Any, reason: str) -> Filing:
    """FIL-7: approved (the customer becomes active) or rejected (it stays in the register
    as rejected, with this filing); the reason is kept and the submitter told."""
    stage = Stage.APPROVED if outcome == "approved" else Stage.REJECTED
    status = CustomerStatus.ACTIVE if stage == Stage.APPROVED else CustomerStatus.REJECTED
    with transaction.atomic():
        filing = Filing.objects.select_for_update().get(pk=filing.pk)
        if not filing.is_open:
            return filing
        text = reason or str(stage.label)
        decided = customer_services.change_status(
            filing.customer, status, _("Filing %(n)s: %(r)s") % {"n": filing.number, "r": text}, by
        )
        filing.outcome_reason = reason
        filing.decided_by = by
        filing.decided_at = timezone.now()
        filing.save(update_fields=["outcome_reason", "decided_by", "decided_at", "updated_at"])
        set_stage(filing, stage)
        record("filing.filing.conclude", filing, extra={"outcome": outcome, "reason": reason})
        webhooks.emit(
            WebhookEvent.FILING_DECIDED,
            {
                "filing": {"id": filing.pk, "number": filing.number, "outcome": stage},
                "customer": webhooks.customer_data(decided),
            },
        )
        # The engine tells the opener that the case closed; the account manager learns the
        # outcome and its reason here (also when someone else opened the filing).
        notify(
            [filing.customer.owner],
            _("Filing %(n)s %(outcome)s: %(name)s")
            % {"n": filing.number, "outcome": stage.label, "name": filing.customer.name},
            reason,
            filing_url(filing),
            email=True,
        )
    return filing


def filing_withdraw(filing: Filing, *, by: Any, reason: str) -> Filing:
    """The customer no longer wants to cooperate, or the filing was opened by mistake: the
    case is cancelled and the customer is a prospect again (the filing stays, withdrawn)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for this change.")]})
    with transaction.atomic():
        filing = Filing.objects.select_for_update().select_related("customer").get(pk=filing.pk)
        if not filing.is_open:
            raise ValidationError(_("This filing is already decided."))
        if filing.case is not None:
            workflow.cancel_case(filing.case, by=by, reason=reason)
        customer_services.change_status(
            filing.customer,
            CustomerStatus.PROSPECT,
            _("Filing %(n)s withdrawn: %(r)s") % {"n": filing.number, "r": reason},
            by,
        )
        filing.outcome_reason, filing.decided_by, filing.decided_at = reason, by, timezone.now()
        filing.save(update_fields=["outcome_reason", "decided_by", "decided_at", "updated_at"])
        set_stage(filing, Stage.WITHDRAWN)
        record("filing.filing.withdraw", filing, extra={"reason": reason})
    return filing


def filing_return(filing: Filing, *, by: Any, reason: str) -> None:
    """Returned for correction: back to the account manager, who is told why."""
    set_stage(filing, Stage.COLLECTION)
    record("filing.filing.return", filing, extra={"reason": reason})
    notify(
        [filing.opened_by, filing.customer.owner],
        _("Filing %(n)s returned for correction: %(name)s")
        % {"n": filing.number, "name": filing.customer.name},
        reason,
        filing_url(filing),
        email=True,
    )


def missing_items(filing: Filing) -> list[str]:
    return [e.label for e in checklist.missing(checklist.evaluate(filing.customer, filing=filing))]


def record_print(filing: Filing) -> None:
    record("filing.filing.print", filing, extra={"number": filing.number})


# --- who signs for the customer (FIL-9) -----------------------------------------------------


def filing_set_signatory(
    filing: Filing, *, by: Any, legal_rep: bool, name: str, expected_version: int | None
) -> Filing:
    """Record who signs for the customer: the legal representative, or an agent whose power
    of attorney then joins the checklist."""
    from kehu.filing.selectors import may_set_signatory

    if not may_set_signatory(by, filing):
        raise PermissionDenied(DENIED)
    name = (name or "").strip()
    if not legal_rep and not name:
        raise ValidationError(
            {"signatory_name": [_("Name the person who signs for the customer.")]}
        )
    values = {"signatory_is_legal_rep": legal_rep, "signatory_name": "" if legal_rep else name}
    updated = audited_update(filing, values, expected_version)
    assert isinstance(updated, Filing)
    return updated
