"""Consent (PRV-1): recording, withdrawing and asking for the consent of an individual
customer or a contact. A use that needs consent calls `consent_require(subject, purpose)` first."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import policy
from kehu.core.access import require
from kehu.customers.models import Contact, Customer, CustomerKind
from kehu.infra.uploads import check_upload
from kehu.privacy.models import Consent, Purpose

EVIDENCE_TYPES = ["application/pdf", "image/png", "image/jpeg"]


class ConsentRequired(PermissionDenied):
    """A use of personal data that the person has not consented to."""


def customer_of(subject: Customer | Contact) -> Customer:
    return subject if isinstance(subject, Customer) else subject.customer


def is_person(subject: Any) -> bool:
    if isinstance(subject, Customer):
        return subject.kind == CustomerKind.INDIVIDUAL
    return isinstance(subject, Contact)


def consents_of(subject: Customer | Contact) -> QuerySet[Consent]:
    field = "customer" if isinstance(subject, Customer) else "contact"
    return Consent.objects.filter(**{field: subject}).select_related("recorded_by", "withdrawn_by")


def has_consent(subject: Customer | Contact, purpose: str) -> bool:
    today = timezone.localdate()
    return (
        consents_of(subject)
        .filter(purpose=purpose, withdrawn_at__isnull=True, given_on__lte=today)
        .exists()
    )


def consent_require(subject: Customer | Contact, purpose: str) -> None:
    if not has_consent(subject, purpose):
        raise ConsentRequired(
            _("%(person)s has not consented to this use (%(purpose)s). Record the consent first.")
            % {"person": subject.name, "purpose": Purpose(purpose).label}
        )


def may_manage(user: Any, subject: Customer | Contact) -> bool:
    return policy.has_perm(user, "customers.customer.change", customer_of(subject))


def record_consent(
    subject: Customer | Contact, data: dict[str, Any], by: Any, evidence: UploadedFile | None
) -> Consent:
    if not is_person(subject):
        raise ValidationError(_("Consent is recorded for individual customers and contacts."))
    if not may_manage(by, subject):
        raise PermissionDenied(_("You may not record consents of this person."))
    if evidence is not None:
        try:
            content_type = check_upload(evidence, EVIDENCE_TYPES)
        except ValidationError as error:
            messages = error.message_dict.get("file", error.messages)
            raise ValidationError({"evidence": messages}) from None
        if content_type not in EVIDENCE_TYPES:
            raise ValidationError({"evidence": [_("Attach a PDF, PNG or JPEG file.")]})
    consent = Consent(
        purpose=data["purpose"],
        scope=(data.get("scope") or "").strip(),
        given_on=data["given_on"],
        channel=data["channel"],
        recorded_by=by,
        **({"customer": subject} if isinstance(subject, Customer) else {"contact": subject}),
    )
    if consent.given_on > timezone.localdate():
        raise ValidationError({"given_on": [_("The date of the consent cannot be in the future.")]})
    consent.full_clean(exclude=["evidence", "recorded_by"])
    with transaction.atomic():
        if evidence is not None:
            consent.evidence_name = (evidence.name or "")[:200]
            consent.evidence.save(f"consent-{customer_of(subject).pk}.bin", evidence, save=False)
        consent.save()
        record(
            "privacy.consent.create",
            consent,
            extra={
                "subject": f"{subject._meta.label_lower}:{subject.pk}",
                "purpose": consent.purpose,
                "channel": consent.channel,
                "given_on": consent.given_on.isoformat(),
                "evidence": bool(evidence),
            },
        )
    return consent


def consent_withdraw(consent: Consent, by: Any, note: str) -> Consent:
    if not may_manage(by, consent.subject):
        raise PermissionDenied(_("You may not change consents of this person."))
    with transaction.atomic():
        current = Consent.objects.select_for_update().get(pk=consent.pk)
        if current.withdrawn_at is None:
            current.withdrawn_at = timezone.now()
            current.withdrawn_by = by
            current.withdrawal_note = (note or "").strip()[:500]
            current.version += 1
            current.save()
            record("privacy.consent.withdraw", current, extra={"note": current.withdrawal_note})
    return current


def log_marketing_contact(subject: Customer | Contact, by: Any, note: str) -> None:
    """A marketing call or message to the person: only with their marketing consent."""
    require(by, "customers.customer.change", customer_of(subject))
    consent_require(subject, Purpose.MARKETING)
    with transaction.atomic():
        record("privacy.marketing.contact", subject, extra={"note": (note or "").strip()[:500]})
