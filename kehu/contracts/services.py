"""Every change to projects and contracts: checked (errors per field, nothing stored),
in one transaction, audited. Contract numbers come from kehu.core.numbering, one gap-free
sequence per department and year."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.context import current_actor
from kehu.audit.services import record
from kehu.contracts import handovers
from kehu.contracts.models import (
    ChecklistItem,
    Contract,
    ContractDocument,
    ContractEvent,
    ContractSettings,
    ContractStatus,
    EventKind,
    Project,
)
from kehu.core import numbering
from kehu.core.models import User
from kehu.documents.models import Document, DocumentType
from kehu.documents.services import document_upload
from kehu.generic.services import audited_create, audited_update, lock_current

PROJECT_FIELDS = ("name", "starts_on", "ends_on", "owner", "status", "note")
CONTRACT_FIELDS = (
    "project",
    "parent",
    "title",
    "contract_type",
    "signing_unit",
    "signatory",
    "counterparty_signatory",
    "handler",
    "amount",
    "currency",
    "signed_on",
    "effective_on",
    "ends_on",
    "payment_terms",
    "guarantee",
    "note",
)

# Which status may follow which; the event each one records for the statistics.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ContractStatus.DRAFT: (
        ContractStatus.UNDER_APPROVAL,
        ContractStatus.SIGNED,
        ContractStatus.TERMINATED,
    ),
    ContractStatus.UNDER_APPROVAL: (
        ContractStatus.DRAFT,
        ContractStatus.SIGNED,
        ContractStatus.TERMINATED,
    ),
    ContractStatus.SIGNED: (
        ContractStatus.PERFORMING,
        ContractStatus.CHANGED,
        ContractStatus.TERMINATED,
        ContractStatus.COMPLETED,
    ),
    ContractStatus.PERFORMING: (
        ContractStatus.CHANGED,
        ContractStatus.TERMINATED,
        ContractStatus.COMPLETED,
    ),
    ContractStatus.CHANGED: (
        ContractStatus.PERFORMING,
        ContractStatus.CHANGED,
        ContractStatus.TERMINATED,
        ContractStatus.COMPLETED,
    ),
    ContractStatus.TERMINATED: (),
    ContractStatus.COMPLETED: (),
}
EVENT_OF = {
    ContractStatus.SIGNED: EventKind.SIGNED,
    ContractStatus.PERFORMING: EventKind.PERFORMING,
    ContractStatus.CHANGED: EventKind.CHANGED,
    ContractStatus.TERMINATED: EventKind.TERMINATED,
    ContractStatus.COMPLETED: EventKind.COMPLETED,
}
# Statuses after signing: the contract's dossier is handed over after reaching them.
HANDOVER_STATUSES: tuple[str, ...] = (
    ContractStatus.SIGNED, ContractStatus.CHANGED, ContractStatus.TERMINATED,
    ContractStatus.COMPLETED,
)  # fmt: skip
# Items still filed after a contract ended.
AFTER_END_ITEMS = (
    "contract_termination", "contract_acceptance", "contract_payment_voucher",
    "contract_correspondence",
)  # fmt: skip


def actor_user() -> User | None:
    user_id = current_actor().user_id
    return User.objects.filter(pk=user_id).first() if user_id else None


# --- projects ----------------------------------------------------------------------------


def _check_project(project: Project) -> None:
    if project.ends_on and project.starts_on and project.ends_on < project.starts_on:
        raise ValidationError({"ends_on": [_("The end date is before the start date.")]})


def project_create(data: dict[str, Any]) -> Project:
    project = Project(
        customer=data["customer"], **{k: data[k] for k in PROJECT_FIELDS if k in data}
    )
    _check_project(project)
    project.full_clean()
    return audited_create(project)


def project_update(project: Project, data: dict[str, Any], expected_version: int | None) -> Project:
    if "customer" in data and data["customer"] != project.customer:
        raise ValidationError({"customer": [_("A project stays with its customer.")]})
    probe = Project(customer=project.customer)
    for name in PROJECT_FIELDS:
        setattr(probe, name, data.get(name, getattr(project, name)))
    _check_project(probe)
    updated = audited_update(
        project, {k: data[k] for k in PROJECT_FIELDS if k in data}, expected_version
    )
    assert isinstance(updated, Project)
    return updated


# --- contracts ---------------------------------------------------------------------------


def contract_check(contract: Contract) -> None:
    """The rules between fields; each error beside its field (in the reader's language)."""
    errors: dict[str, list[str]] = {}
    starts = [d for d in (contract.effective_on, contract.signed_on) if d]
    if contract.ends_on and starts and contract.ends_on < max(starts):
        errors["ends_on"] = [_("The end date is before the signing or effective date.")]
    parent = contract.parent
    if parent is not None:
        if contract.pk and parent.pk == contract.pk:
            errors["parent"] = [_("A contract cannot amend itself.")]
        elif parent.customer_id != contract.customer_id:
            errors["parent"] = [_("The parent contract belongs to another customer.")]
    project = contract.project
    if project is not None and project.customer_id != contract.customer_id:
        errors["project"] = [_("The project belongs to another customer.")]
    if contract.amount is not None and contract.amount < 0:
        errors["amount"] = [_("The amount cannot be negative.")]
    if errors:
        raise ValidationError(errors)


def number_pattern() -> str:
    return ContractSettings.current().number_pattern


def next_number(contract: Contract) -> str:
    """The next number of the contract's department and year (call after its other writes)."""
    pattern = number_pattern()
    year = (contract.signed_on or timezone.localdate()).year
    dept = contract.unit.code
    # One sequence per value of the placeholders the pattern shows: numbers never collide.
    parts = {"dept": dept, "year": year}
    key = "|".join(f"{name}={value}" for name, value in parts.items() if f"{{{name}" in pattern)
    return numbering.allocate(pattern, f"contracts.contract:{key}", **parts)


def contract_create(data: dict[str, Any]) -> Contract:
    """Register a contract (a draft); its number is taken from the department's sequence
    unless one is typed, which must not collide."""
    customer = data["customer"]
    contract = Contract(
        customer=customer,
        unit=customer.unit,
        **{k: data[k] for k in CONTRACT_FIELDS if k in data},
    )
    typed = (data.get("number") or "").strip()
    contract_check(contract)
    contract.full_clean(exclude=["number", "unit"])
    with transaction.atomic():
        if typed:
            if Contract.objects.filter(number=typed).exists():
                raise ValidationError({"number": [_("This contract number is already in use.")]})
            contract.number = typed
            try:
                with transaction.atomic():
                    audited_create(contract)
            except IntegrityError:  # typed at the same moment by someone else
                raise ValidationError(
                    {"number": [_("This contract number is already in use.")]}
                ) from None
        else:
            contract.number = next_number(contract)
            audited_create(contract)
    return contract


def contract_update(
    contract: Contract, data: dict[str, Any], expected_version: int | None
) -> Contract:
    if "customer" in data and data["customer"] != contract.customer:
        raise ValidationError({"customer": [_("A contract stays with its counterparty.")]})
    if data.get("number") and data["number"] != contract.number:
        raise ValidationError({"number": [_("A contract keeps its number.")]})
    if contract.status in (ContractStatus.TERMINATED, ContractStatus.COMPLETED):
        raise ValidationError(_("A terminated or completed contract is kept as it is."))
    probe = Contract(pk=contract.pk, customer=contract.customer, unit=contract.unit)
    for name in CONTRACT_FIELDS:
        setattr(probe, name, data.get(name, getattr(contract, name)))
    contract_check(probe)
    values = {k: data[k] for k in CONTRACT_FIELDS if k in data}
    updated = audited_update(contract, values, expected_version)
    assert isinstance(updated, Contract)
    return updated


def _event(contract: Contract, kind: str, on: datetime.date, by: Any, reason: str) -> ContractEvent:
    return ContractEvent.objects.create(
        contract=contract,
        kind=kind,
        happened_on=on,
        unit=contract.unit,
        contract_type=contract.contract_type,
        amount=contract.amount,
        currency=contract.currency,
        by=by,
        reason=reason,
    )


def contract_transition(
    contract: Contract,
    to_status: str,
    *,
    by: Any,
    on: datetime.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Contract:
    """Move the contract to `to_status` on the day `on` (default today): signing sets the
    signing date, ending needs a reason; a dated event is kept for the statistics."""
    on = on or timezone.localdate()
    reason = (reason or "").strip()
    with transaction.atomic():
        current = lock_current(contract, expected_version)
        assert isinstance(current, Contract)
        before = current.status
        if to_status not in TRANSITIONS.get(before, ()):
            raise ValidationError(
                {"status": [_("A contract cannot go from this status to that one.")]}
            )
        if to_status in (ContractStatus.TERMINATED, ContractStatus.CHANGED) and not reason:
            raise ValidationError({"reason": [_("Give the reason.")]})
        changes: dict[str, list[Any]] = {"status": [before, to_status]}
        if to_status == ContractStatus.SIGNED:
            if current.signed_on is None:
                changes["signed_on"] = [None, on]
                current.signed_on = on
            on = current.signed_on
            if current.ends_on and current.ends_on < on:
                raise ValidationError({"on": [_("The end date is before the signing date.")]})
        current.status = to_status
        current.version += 1
        current.save(update_fields=["status", "signed_on", "version", "updated_at"])
        if to_status in EVENT_OF:
            _event(current, EVENT_OF[ContractStatus(to_status)], on, by, reason)
        if to_status in HANDOVER_STATUSES:
            handovers.open_handover(current, EVENT_OF[ContractStatus(to_status)], on, by)
        record(
            "contracts.contract.transition",
            current,
            changes=changes,
            extra={"on": on, "reason": reason, "version": current.version},
        )
    return current


def contract_mark_disputed(
    contract: Contract, *, by: Any, reason: str, on: datetime.date | None = None
) -> Contract:
    """Record a dispute over the contract (counted by the statistics)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    on = on or timezone.localdate()
    with transaction.atomic():
        current = lock_current(contract, None)
        assert isinstance(current, Contract)
        if current.status == ContractStatus.DRAFT:
            raise ValidationError(_("A draft contract has no dispute."))
        changed = not current.disputed
        current.disputed = True
        current.version += 1
        current.save(update_fields=["disputed", "version", "updated_at"])
        _event(current, EventKind.DISPUTED, on, by, reason)
        record(
            "contracts.contract.dispute",
            current,
            changes={"disputed": [False, True]} if changed else {},
            extra={"on": on, "reason": reason},
        )
    return current


def settings_save(data: dict[str, Any], expected_version: int | None) -> ContractSettings:
    pattern = data.get("number_pattern") or ContractSettings.current().number_pattern
    try:
        numbering.format_number(pattern, seq=1, dept="SALE", year=2026)
    except numbering.NumberPatternError:
        raise ValidationError(
            {"number_pattern": [_("This pattern cannot be filled in.")]}
        ) from None
    if "{seq" not in pattern:
        raise ValidationError({"number_pattern": [_("The pattern needs {seq}.")]})
    config = ContractSettings.current()
    values: dict[str, Any] = {k: data[k] for k in ("number_pattern", "handover_days") if k in data}
    updated = audited_update(config, values, expected_version)
    assert isinstance(updated, ContractSettings)
    return updated


# --- dossier items ----------------------------------------------------------------------


def item_document(contract: Contract, doc_type: DocumentType) -> Document | None:
    """The contract's own document of this item, once a file has been filed for it (none
    for a single-instance type: the customer's one document of the type takes the file)."""
    if not doc_type.multiple:
        return None
    filed = (
        ContractDocument.objects.filter(contract=contract, doc_type=doc_type)
        .select_related("version__document")
        .order_by("-attached_at", "-pk")
        .first()
    )
    return filed.version.document if filed is not None else None


def contract_document_attach(
    contract: Contract,
    doc_type: DocumentType,
    upload: Any,
    *,
    by: Any,
    note: str = "",
    issued_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
) -> ContractDocument:
    """File `upload` as an item of the contract's dossier, bound to this contract: the first
    file of an item is a document of its own (titled with the contract, numbered with its
    number: kehu.documents, a type that allows several per customer), the next ones its
    new versions."""
    if (
        not doc_type.for_contracts
        or not ChecklistItem.objects.filter(doc_type=doc_type, is_active=True).exists()
    ):
        raise ValidationError({"doc_type": [_("This is not an item of a contract's dossier.")]})
    if contract.status in (ContractStatus.TERMINATED, ContractStatus.COMPLETED) and (
        doc_type.code not in AFTER_END_ITEMS
    ):
        raise ValidationError(
            {"doc_type": [_("This contract has ended; file only its end papers.")]}
        )
    # The upload keeps its own transaction (the file is written before it, outside any lock).
    version = document_upload(
        contract.customer,
        doc_type,
        upload,
        by,
        issued_on=issued_on,
        expires_on=expires_on,
        note=note,
        document=item_document(contract, doc_type),
        title=contract.title,
        reference=contract.number,
    )
    with transaction.atomic():
        item = ContractDocument.objects.create(
            contract=contract,
            doc_type=doc_type,
            version=version,
            attached_by=by,
            note=(note or "").strip()[:300],
        )
        record(
            "contracts.contract.attach",
            contract,
            extra={
                "item": doc_type.code,
                "document_version": version.pk,
                "file": version.original_name,
                "sha256": version.sha256,
            },
        )
    return item
