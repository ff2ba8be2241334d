"""Change requests (CUS-13): anyone who may see a customer proposes a correction with a
supporting file; the owner or their department head accepts or rejects it; the proposer and
the people responsible are notified; every step is audited."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.presentation import field_label
from kehu.audit.services import record
from kehu.core import crypto, masking
from kehu.core.models import Role
from kehu.core.notifications import notify
from kehu.core.selectors import holders_of
from kehu.customers.models import ChangeRequest, ChangeRequestStatus, Customer
from kehu.customers.validation import clean_customer
from kehu.infra.uploads import check_upload

# Fields a change request may correct (not owner, department, status: those have their own way).
PROPOSABLE = (
    "name", "credit_code", "org_code", "nature", "industry", "legal_rep_name",
    "legal_rep_title", "legal_rep_phone", "chairman", "general_manager", "registered_address",
    "operating_address",
    "founded_on", "registered_capital", "capital_currency", "business_scope",
    "operating_term_until", "licence_valid_until", "issuing_authority", "certifications",
    "gender", "birth_date", "occupation", "employer", "phone", "email", "address", "province",
    "city", "products", "cooperation_since", "contract_numbers",
)  # fmt: skip
MAX_ATTACHMENT = 20 * 1024 * 1024
# Supporting files: scans or photos of the proof, passed through the one upload check, and
# starting with their format's whole signature.
ATTACHMENT_TYPES = ["application/pdf", "image/png", "image/jpeg"]
_SIGNATURES = (b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime.date | Decimal):
        return str(value)
    return value


def _check_attachment(upload: UploadedFile | None) -> None:
    """The upload check every stored file passes (`kehu.infra.uploads.check_upload`): type
    decided by the content, archives, programs, PDF scripts and polyglots refused."""
    if upload is None:
        return
    if upload.size is not None and upload.size > MAX_ATTACHMENT:
        raise ValidationError({"attachment": [_("The file is larger than 20 MB.")]})
    try:
        content_type = check_upload(upload, ATTACHMENT_TYPES)
    except ValidationError as error:
        messages = error.message_dict.get("file", error.messages)
        raise ValidationError({"attachment": messages}) from None
    head = upload.read(16)
    upload.seek(0)
    if content_type not in ATTACHMENT_TYPES or not head.startswith(_SIGNATURES):
        raise ValidationError(
            {"attachment": [_("Attach a PDF, PNG or JPEG file (scans or photos of the proof).")]}
        )


def proposed_changes(customer: Customer, values: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [current, proposed]} for the proposable fields whose value differs."""
    cleaned = clean_customer({"kind": customer.kind, **values}, partial=True)
    changes = {}
    for field in PROPOSABLE:
        if field not in values:
            continue
        current, proposed = _jsonable(getattr(customer, field)), _jsonable(cleaned.get(field))
        # A masked field proposed is a change even when it equals the stored value: "no
        # difference" would tell the proposer the value the mask hides.
        masked = proposed not in (None, "") and masking.spec(customer, field) is not None
        if (current or None) != (proposed or None) or masked:
            changes[field] = [current, proposed]
    return changes


# Sensitive values in a request (a person's phone) are stored encrypted, as on the customer.
_SEALED = "customers.changerequest.changes"


def _seal(
    customer: Customer, changes: dict[str, list[Any]], request_pk: int
) -> dict[str, list[Any]]:
    """The changes with the sensitive values encrypted, each bound to its request, field and
    place (a value moved to another request or field does not decrypt)."""
    return {
        field: [
            crypto.encrypt(str(value), _SEALED, crypto.json_item_row(request_pk, field, index))
            if value and masking.spec(customer, field) is not None
            else value
            for index, value in enumerate(pair)
        ]
        for field, pair in changes.items()
    }


def plain_changes(request: ChangeRequest) -> dict[str, list[Any]]:
    """{field: [current, proposed]} as proposed: what deciding compares and applies."""
    customer = request.customer
    return {
        # Only the fields `_seal` encrypted: another value may look like ciphertext.
        field: [
            crypto.decrypt(v, _SEALED, crypto.json_item_row(request.pk, field, index))
            if isinstance(v, str) and masking.spec(customer, field) is not None
            else v
            for index, v in enumerate(pair)
        ]
        for field, pair in request.changes.items()
    }


def shown_changes(request: ChangeRequest) -> dict[str, list[Any]]:
    """The request's changes as pages, the API and the audit trail show them: masked."""
    return _masked(request.customer, plain_changes(request))


def _masked(customer: Customer, changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {
        field: [masking.masked(customer, field, v) if v else v for v in pair]
        for field, pair in changes.items()
    }


def field_labels(fields: Any) -> list[str]:
    return [field_label(Customer, name) for name in fields]


def responsible_for(customer: Customer) -> list[Any]:
    """The owner and the heads of the customer's department."""
    return [customer.owner, *holders_of(Role.DEPARTMENT_HEAD, customer.unit)]


# Called in the transaction of a decision, after it is applied: (request, accepted, by). A
# context that attached proof of its own to a request files it (kehu.selfservice).
type DecisionHook = Callable[[ChangeRequest, bool, Any], None]
_DECISION_HOOKS: list[DecisionHook] = []


def register_decision_hook(hook: DecisionHook) -> None:
    if hook not in _DECISION_HOOKS:
        _DECISION_HOOKS.append(hook)


class Proof(NamedTuple):
    """A proof file another context attached to a request, as its page lists it."""

    label: str  # what it proves (a document type)
    name: str  # the file's original name
    url: str  # where a reader of the request opens it
    note: str = ""  # dates, or what became of it


type ProofProvider = Callable[[ChangeRequest], list[Proof]]
_PROOF_PROVIDERS: list[ProofProvider] = []


def register_proof_provider(provider: ProofProvider) -> None:
    if provider not in _PROOF_PROVIDERS:
        _PROOF_PROVIDERS.append(provider)


def proofs_of(request: ChangeRequest) -> list[Proof]:
    return [proof for provider in _PROOF_PROVIDERS for proof in provider(request)]


def change_request_propose(
    customer: Customer,
    proposer: Any,
    values: dict[str, Any],
    reason: str,
    attachment: UploadedFile | None = None,
    *,
    declared_name: str = "",
    with_proof: bool = False,
    audit_extra: dict[str, Any] | None = None,
) -> ChangeRequest:
    """A proposal by `proposer`, or from outside (proposer None, `declared_name` the person's
    own name). `with_proof`: the caller attaches proof files to it, so that a request
    changing no field is still one (a renewed licence)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": [_("Say what is wrong and where the correct data comes from.")]}
        )
    changes = proposed_changes(customer, values)
    if not changes and not with_proof:
        raise ValidationError(_("The proposal does not differ from the current data."))
    _check_attachment(attachment)
    with transaction.atomic():
        # Saved without its changes first: their ciphertexts are bound to the request's pk.
        request = ChangeRequest(
            customer=customer,
            proposer=proposer,
            declared_name=declared_name.strip()[:50],
            changes={},
            reason=reason,
        )
        if attachment is not None:
            request.attachment_name = attachment.name or ""
            request.attachment.save(f"change-{customer.pk}.bin", attachment, save=False)
        request.save()
        request.changes = _seal(customer, changes, request.pk)
        ChangeRequest.objects.filter(pk=request.pk).update(changes=request.changes)
        record(
            "customers.changerequest.create",
            request,
            changes=_masked(customer, changes),
            extra={"customer": customer.pk, "reason": reason, **(audit_extra or {})},
        )
        notify(
            responsible_for(customer),
            _("Change proposed for %(name)s") % {"name": customer.name},
            _("%(user)s proposes to change: %(fields)s")
            % {
                "user": proposer or request.proposer_shown,
                "fields": "、".join(field_labels(changes)) or _("documents only"),
            },
            reverse("customers:change_request", args=[request.pk]),
        )
    return request


def change_request_decide(
    request: ChangeRequest, *, by: Any, accept: bool, note: str = ""
) -> ChangeRequest:
    from kehu.customers.services import update_customer

    with transaction.atomic():
        current = (
            ChangeRequest.objects.select_for_update().select_related("customer").get(pk=request.pk)
        )
        if current.status != ChangeRequestStatus.PENDING:
            raise ValidationError(_("This change request has already been decided."))
        if current.proposer_id == by.pk:
            raise ValidationError(_("You cannot decide on your own change request."))
        if not accept and not note.strip():
            raise ValidationError({"decision_note": [_("Say why the change is rejected.")]})
        customer = current.customer
        proposed = plain_changes(current)
        if accept and any(
            isinstance(value, crypto.Unreadable) for pair in proposed.values() for value in pair
        ):
            raise ValidationError(
                _("The request holds values that cannot be decrypted; it cannot be accepted.")
            )
        if accept:
            moved = [
                field
                for field, (before, _after) in proposed.items()
                if (_jsonable(getattr(customer, field)) or None) != (before or None)
            ]
            if moved:
                raise ValidationError(
                    _("The data changed since the proposal (%(fields)s); please propose again.")
                    % {"fields": ", ".join(moved)}
                )
            if proposed:
                update_customer(
                    customer,
                    {field: after for field, (_before, after) in proposed.items()},
                    expected_version=None,
                )
        current.status = ChangeRequestStatus.ACCEPTED if accept else ChangeRequestStatus.REJECTED
        current.decided_by = by
        current.decided_at = timezone.now()
        current.decision_note = note.strip()
        current.version += 1
        current.save()
        record(
            "customers.changerequest.accept" if accept else "customers.changerequest.reject",
            current,
            extra={"customer": customer.pk, "note": current.decision_note},
        )
        for hook in _DECISION_HOOKS:
            hook(current, accept, by)
        notify(
            [
                u
                for u in (current.proposer, *responsible_for(customer))
                if u is not None and u.pk != by.pk
            ],
            (_("Change to %(name)s accepted") if accept else _("Change to %(name)s rejected"))
            % {"name": customer.name},
            current.decision_note,
            reverse("customers:change_request", args=[current.pk]),
        )
    return current
