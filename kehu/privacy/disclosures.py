"""Giving customer data to anyone outside the owning department (对外提供客户资料): a request
with its purpose, the data it covers and — for an outside party — the signed agreement; the
person's consent to provision where personal data is included; approval by the department
head (and the compliance officer when personal data is included) as a workflow case; then the
record of what was actually provided. The rows form the register of provisions."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import policy
from kehu.core.models import OrgUnit
from kehu.customers.models import Customer, CustomerKind
from kehu.infra.normalize import within_limit
from kehu.infra.uploads import check_upload, safe_name
from kehu.privacy import consent
from kehu.privacy.models import (
    DataCategory,
    Disclosure,
    DisclosureStatus,
    Purpose,
    RecipientKind,
)
from kehu.workflow import services as workflow

PROCESS = "privacy.disclosure"
AGREEMENT_TYPES = ["application/pdf", "image/png", "image/jpeg"]

policy.register_scope(Disclosure, "customer__unit__path", "requested_by_id")


def disclosure_rows() -> QuerySet[Disclosure]:
    """Provisions with their customer, recipient, the people involved and the case."""
    return Disclosure.objects.select_related(
        "customer", "recipient_unit", "requested_by", "provided_by", "case"
    )


def visible_disclosures(user: Any) -> QuerySet[Disclosure]:
    return policy.scope(user, disclosure_rows())


def may_request(user: Any, customer: Customer) -> bool:
    return policy.has_perm(user, "privacy.disclosure.add", customer)


def _check_recipient(
    customer: Customer, kind: str, unit: OrgUnit | None, name: str
) -> tuple[OrgUnit | None, str]:
    if kind not in RecipientKind.values:
        raise ValidationError({"recipient_kind": [_("Choose who receives the data.")]})
    if kind == RecipientKind.DEPARTMENT:
        if unit is None:
            raise ValidationError({"recipient_unit": [_("Choose the receiving department.")]})
        if unit.pk == customer.unit_id:
            raise ValidationError(
                {"recipient_unit": [_("The customer's own department needs no provision.")]}
            )
        return unit, name.strip() or unit.name
    if not name.strip():
        raise ValidationError({"recipient_name": [_("Name the outside party.")]})
    return None, name.strip()


def _check_consents(customer: Customer, categories: set[str]) -> Any:
    """The consent relied on for an individual's data; every contact's consent when contacts
    are included. Raises ValidationError naming what is missing."""
    relied_on = None
    if DataCategory.PERSONAL in categories:
        if customer.kind != CustomerKind.INDIVIDUAL:
            raise ValidationError(
                {"categories": [_("Only an individual customer has personal data of its own.")]}
            )
        relied_on = (
            consent.consents_of(customer)
            .filter(purpose=Purpose.SHARING, withdrawn_at__isnull=True)
            .order_by("-given_on")
            .first()
        )
        if relied_on is None:
            raise ValidationError(
                {
                    "categories": [
                        _(
                            "%(person)s has not consented to provision to third parties. "
                            "Record the consent first."
                        )
                        % {"person": customer.name}
                    ]
                }
            )
    if DataCategory.CONTACTS in categories:
        missing = [
            contact.name
            for contact in customer.contacts.all()
            if not consent.has_consent(contact, Purpose.SHARING)
        ]
        if missing:
            raise ValidationError(
                {
                    "categories": [
                        _(
                            "These contacts have not consented to provision to third parties: "
                            "%(names)s. Record their consent or leave the contacts out."
                        )
                        % {"names": "、".join(missing)}
                    ]
                }
            )
    return relied_on


def _check_agreement(kind: str, agreement: UploadedFile | None) -> None:
    if agreement is None:
        if kind == RecipientKind.EXTERNAL:
            raise ValidationError(
                {"agreement": [_("Attach the agreement signed with the outside party.")]}
            )
        return
    try:
        check_upload(agreement, AGREEMENT_TYPES)
    except ValidationError as error:
        messages = error.message_dict.get("file", error.messages)
        raise ValidationError({"agreement": messages}) from None


def request_disclosure(
    customer: Customer,
    *,
    by: Any,
    recipient_kind: str,
    recipient_name: str = "",
    recipient_unit: OrgUnit | None = None,
    purpose: str,
    categories: list[str],
    agreement: UploadedFile | None = None,
    agreement_reference: str = "",
) -> Disclosure:
    """Register a request to provide the customer's data and open its approval case."""
    if not may_request(by, customer):
        raise PermissionDenied(_("You may not provide this customer's data."))
    chosen = {c for c in categories if c in DataCategory.values}
    if not chosen or len(chosen) != len(set(categories)):
        raise ValidationError({"categories": [_("Choose which data is provided.")]})
    if not purpose.strip():
        raise ValidationError({"purpose": [_("State what the data is provided for.")]})
    unit, name = _check_recipient(customer, recipient_kind, recipient_unit, recipient_name)
    relied_on = _check_consents(customer, chosen)
    _check_agreement(recipient_kind, agreement)
    name = within_limit(name, 200, "recipient_name")
    reference = within_limit(agreement_reference.strip(), 100, "agreement_reference")
    with transaction.atomic():
        disclosure = Disclosure(
            customer=customer,
            recipient_kind=recipient_kind,
            recipient_unit=unit,
            recipient_name=name,
            purpose=purpose.strip(),
            categories=sorted(chosen),
            consent=relied_on,
            agreement_reference=reference,
            requested_by=by,
        )
        if agreement is not None:
            disclosure.agreement_name = safe_name(getattr(agreement, "name", "") or "")
            agreement.seek(0)
            disclosure.agreement.save(disclosure.agreement_name, agreement, save=False)
        disclosure.save()
        case = workflow.open_case(
            PROCESS,
            disclosure,
            unit=customer.unit,
            by=by,
            title=_("Data provision: %(customer)s → %(recipient)s")
            % {"customer": customer.name, "recipient": name},
        )
        disclosure.case = case
        disclosure.save(update_fields=["case"])
        record(
            "privacy.disclosure.request",
            disclosure,
            extra={
                "recipient": name,
                "recipient_kind": recipient_kind,
                "categories": sorted(chosen),
                "case": case.pk,
                "consent": relied_on.pk if relied_on else None,
                "agreement": disclosure.agreement_name,
            },
        )
    return disclosure


def disclosure_decide(
    disclosure: Disclosure, *, approved: bool, by: Any, reason: str = ""
) -> Disclosure:
    """Called by the approval case when it ends."""
    with transaction.atomic():
        locked = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
        if locked.status != DisclosureStatus.REQUESTED:
            raise ValidationError(_("This provision has already been decided."))
        locked.status = DisclosureStatus.APPROVED if approved else DisclosureStatus.REJECTED
        locked.version += 1
        locked.save(update_fields=["status", "version", "updated_at"])
        record(
            "privacy.disclosure.approve" if approved else "privacy.disclosure.reject",
            locked,
            changes={"status": [DisclosureStatus.REQUESTED, locked.status]},
            extra={"reason": reason},
        )
    return locked


def may_record_provision(user: Any, disclosure: Disclosure) -> bool:
    return disclosure.requested_by_id == getattr(user, "pk", None) or policy.has_perm(
        user, "privacy.disclosure.change", disclosure
    )


def record_provision(
    disclosure: Disclosure, *, by: Any, provided_on: datetime.date, method: str
) -> Disclosure:
    """Record that the approved data was handed over: when and how."""
    if not may_record_provision(by, disclosure):
        raise PermissionDenied(_("You may not record this provision."))
    if not method.strip():
        raise ValidationError({"method": [_("Say how the data was provided.")]})
    method = within_limit(method.strip(), 200, "method")
    with transaction.atomic():
        locked = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
        if locked.status != DisclosureStatus.APPROVED:
            raise ValidationError(_("Only an approved provision can be recorded as provided."))
        locked.status = DisclosureStatus.PROVIDED
        locked.provided_by = by
        locked.provided_on = provided_on
        locked.method = method
        locked.version += 1
        locked.save(
            update_fields=[
                "status",
                "provided_by",
                "provided_on",
                "method",
                "version",
                "updated_at",
            ]
        )
        record(
            "privacy.disclosure.provide",
            locked,
            changes={"status": [DisclosureStatus.APPROVED, DisclosureStatus.PROVIDED]},
            extra={"provided_on": provided_on, "method": locked.method},
        )
    return locked
