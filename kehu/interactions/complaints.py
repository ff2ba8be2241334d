"""Complaints (客户投诉): recording opens the handling case; the case's steps write their
results here; the reply goes out only after the general manager approved the result."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.audit.services import record
from kehu.core.access import DENIED
from kehu.customers.assignment import attachable_customers
from kehu.generic.services import audited_create, audited_update
from kehu.interactions.models import (
    Complaint,
    ComplaintReplyTemplate,
    ComplaintRoute,
    ComplaintStatus,
)
from kehu.interactions.services import actor_user
from kehu.workflow import services as workflow
from kehu.workflow.models import Step, StepStatus

PROCESS = "interactions.complaint"
FIELDS: tuple[str, ...] = ("received_on", "channel", "content", "category", "route")
FIELDS += ("handling_unit", "production_unit")


class ReplyForm(forms.Form):
    """The reply step's own form: the letter's text, or a standard letter an administrator
    keeps (filled with the complaint's data when no text is given)."""

    letter = forms.ModelChoiceField(
        label=gettext_lazy("standard reply letter"),
        queryset=ComplaintReplyTemplate.objects.filter(is_active=True),
        required=False,
    )
    reply_text = forms.CharField(
        label=gettext_lazy("reply to the customer"), widget=forms.Textarea, required=False
    )

    def __init__(self, *args: Any, complaint: Complaint | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        if complaint is not None:
            self.fields["letter"].queryset = letters_for(complaint)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text, letter = (data.get("reply_text") or "").strip(), data.get("letter")
        if not text and letter is not None and self.complaint is not None:
            text = fill_letter(letter, self.complaint)
        if not text:
            raise ValidationError(
                {"reply_text": [_("Write the reply or choose a standard letter.")]}
            )
        data["reply_text"] = text
        return data


def letters_for(complaint: Complaint) -> Any:
    """The active standard letters offered on the complaint's route."""
    return ComplaintReplyTemplate.objects.filter(is_active=True).filter(
        Q(route="") | Q(route=complaint.route)
    )


def fill_letter(letter: ComplaintReplyTemplate, complaint: Complaint) -> str:
    """The letter's text with the complaint's data in its placeholders."""
    values = {
        "customer": complaint.customer.name,
        "number": complaint.number,
        "received": complaint.received_on.isoformat(),
        "category": str(complaint.get_category_display()),
        "result": complaint.result,
        "date": timezone.localdate().isoformat(),
    }
    text = letter.body
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _check(data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    received = data.get("received_on")
    if received and received > timezone.localdate():
        errors["received_on"] = [_("A complaint cannot be received in the future.")]
    route, production = data.get("route"), data.get("production_unit")
    if route == ComplaintRoute.SERVICE_STANDARD and production is None:
        errors["production_unit"] = [
            _("Below-standard service is handled with the production department: choose it.")
        ]
    if production is not None and production == data.get("handling_unit"):
        errors["production_unit"] = [_("The production department joins the handling department.")]
    if errors:
        raise ValidationError(errors)


def complaint_open(data: dict[str, Any]) -> Complaint:
    """Record a complaint and open its handling case (assigned to the handling department)."""
    user = data.get("submitted_by") or actor_user()
    customer = data["customer"]
    if user is None or not attachable_customers(user).filter(pk=customer.pk).exists():
        raise PermissionDenied(DENIED)
    _check(data)
    values = {k: data[k] for k in FIELDS if k in data}
    if values.get("route") != ComplaintRoute.SERVICE_STANDARD:
        values["production_unit"] = None
    complaint = Complaint(customer=customer, recorded_by=user, **values)
    complaint.full_clean()
    with transaction.atomic():
        audited_create(complaint)
        case = workflow.open_case(
            PROCESS,
            complaint,
            unit=customer.unit,
            by=user,
            title=_("Complaint of %(customer)s") % {"customer": customer.name},
            data={"complaint": complaint.pk},
        )
        Complaint.objects.filter(pk=complaint.pk).update(case=case, number=case.number)
        complaint.case, complaint.number = case, case.number
    return complaint


def complaint_update(
    complaint: Complaint, data: dict[str, Any], expected_version: int | None
) -> Complaint:
    """Correct what was recorded; the route and departments only while nobody acted yet."""
    stored = Complaint.objects.get(pk=complaint.pk)
    merged = {k: data.get(k, getattr(stored, k)) for k in FIELDS}
    _check(merged)
    values = {k: data[k] for k in FIELDS if k in data and data[k] != getattr(stored, k)}
    routing = {"route", "handling_unit", "production_unit"} & set(values)
    if (
        routing
        and stored.case is not None
        and stored.case.steps.exclude(status=StepStatus.OPEN).exists()
    ):
        raise ValidationError(
            {sorted(routing)[0]: [_("The handling has started: the route no longer changes.")]}
        )
    updated = audited_update(complaint, values, expected_version)
    assert isinstance(updated, Complaint)
    return updated


def complaint_of(case: Any) -> Complaint:
    return Complaint.objects.select_related("customer", "recorded_by").get(
        pk=case.data["complaint"]
    )


def _set(complaint: Complaint, action: str, **values: Any) -> None:
    for name, value in values.items():
        setattr(complaint, name, value)
    complaint.version += 1
    complaint.save(update_fields=[*values, "version", "updated_at"])
    shown = {k: str(v) for k, v in values.items() if k not in {"approved_by", "replied_by"}}
    record(f"interactions.complaint.{action}", complaint, extra=shown)


def record_handling(complaint: Complaint, step: Step, *, next_status: str) -> None:
    data = step.data
    if step.key == "handle":
        _set(complaint, "handle", measures=data.get("measures", ""), result=data.get("result", ""),
             status=next_status)  # fmt: skip
    else:
        _set(complaint, "production", production_opinion=data.get("production_opinion", ""),
             status=next_status)  # fmt: skip


def record_approval(complaint: Complaint, step: Step) -> None:
    _set(complaint, "approve", approved_by=step.completed_by, approved_at=step.completed_at,
         status=ComplaintStatus.REPLY)  # fmt: skip


def record_return(complaint: Complaint) -> None:
    _set(complaint, "return", approved_by=None, approved_at=None, status=ComplaintStatus.HANDLING)


def record_confirmation(complaint: Complaint, step: Step) -> None:
    _set(complaint, "confirm", confirmed_at=step.completed_at, confirmation_note=step.comment,
         status=ComplaintStatus.CLOSED)  # fmt: skip


def open_step(complaint: Complaint, key: str) -> Step | None:
    if complaint.case_id is None:
        return None
    return Step.objects.filter(case_id=complaint.case_id, key=key, status=StepStatus.OPEN).first()


def complaint_reply(complaint: Complaint, *, by: Any, form: ReplyForm) -> Complaint:
    """Send the reply: only after the general manager approved the result, by whoever the
    reply step is assigned to; completes that step."""
    complaint = Complaint.objects.get(pk=complaint.pk)
    if complaint.approved_at is None:
        raise ValidationError(
            {
                "reply_text": [
                    _("The result must be approved by the general manager before the reply.")
                ]
            }
        )
    step = open_step(complaint, "reply")
    if step is None:
        raise ValidationError({"reply_text": [_("This complaint has been replied to already.")]})
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    with transaction.atomic():
        _set(complaint, "reply", reply_text=form.cleaned_data["reply_text"], replied_by=by,
             replied_at=timezone.now(), status=ComplaintStatus.CONFIRMATION)  # fmt: skip
        workflow.complete_step(step, by=by, outcome="done", page_form=form)
    return Complaint.objects.get(pk=complaint.pk)
