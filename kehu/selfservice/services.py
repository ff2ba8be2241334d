"""Self-service update links: the owner sends one (e-mail through the outbox, or a QR code to
show or print), the contact submits corrections and documents once, the submission becomes a
change request with its proof files (kehu.customers.changes), and accepting the request files
the documents as new versions (kehu.documents.services.document_upload). Every step is
audited; the contact is named by the name they declared and the link's id.

The token is 32 random bytes (URL-safe), shown only once — in the mail or the QR code — and
stored as its SHA-256: the database alone opens no link. A link is for one customer, expires
after KEHU_UPDATE_LINK_DAYS days, takes one submission, and may be revoked."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import mail, masking, storage
from kehu.customers.changes import change_request_propose, proposed_changes
from kehu.customers.models import ChangeRequest, Contact, Customer, CustomerStatus
from kehu.documents.models import DocumentType
from kehu.documents.services import document_upload, stored_name
from kehu.infra.ratelimit import admit
from kehu.infra.uploads import check_upload, safe_name
from kehu.selfservice.models import LinkChannel, LinkState, Submission, SubmittedFile, UpdateLink

# What a contact may correct, per kind of customer: the data a customer knows best. Masked
# fields are offered as a new value only (their current value is shown masked).
FIELDS = {
    "organization": (
        "registered_address", "operating_address", "legal_rep_name", "legal_rep_phone",
        "chairman", "general_manager", "business_scope", "licence_valid_until",
        "issuing_authority",
    ),
    "individual": ("address", "province", "city", "phone", "email", "occupation", "employer"),
}  # fmt: skip
# Customers whose data no longer changes through a link.
CLOSED = (CustomerStatus.CLOSED, CustomerStatus.PAST)


class LinkRefused(Exception):
    """The link cannot be used (unknown, expired, revoked, used): a message for the visitor."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_path(token: str) -> str:
    return reverse("selfservice:page", args=[token])


# --- the owner's side -------------------------------------------------------------------


def link_create(
    customer: Customer,
    *,
    by: Any,
    channel: str,
    contact: Contact | None = None,
    reminder: str = "",
) -> tuple[UpdateLink, str]:
    """A new link for `customer` and its token (shown once). By e-mail: to the contact's
    address, queued in the same transaction."""
    if customer.status in CLOSED or customer.merged_into_id is not None:
        raise ValidationError(_("This customer's data is no longer kept up to date."))
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError({"contact": [_("Choose a contact of this customer.")]})
    if channel == LinkChannel.EMAIL and (contact is None or not contact.email):
        raise ValidationError({"contact": [_("Choose a contact with an e-mail address.")]})
    if channel not in LinkChannel.values:
        raise ValidationError({"channel": [_("Choose how to send the link.")]})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        link = UpdateLink.objects.create(
            customer=customer,
            contact=contact,
            channel=channel,
            sent_to=contact.email if contact is not None and channel == LinkChannel.EMAIL else "",
            token_digest=digest(token),
            created_by=by,
            reminder=reminder,
            expires_at=now + datetime.timedelta(days=settings.KEHU_UPDATE_LINK_DAYS),
        )
        record(
            "selfservice.updatelink.create",
            link,
            extra={
                "customer": customer.pk,
                "channel": channel,
                "contact": contact.pk if contact is not None else None,
                "expires_at": link.expires_at.isoformat(),
                **({"reminder": reminder} if reminder else {}),
            },
        )
        if channel == LinkChannel.EMAIL:
            assert contact is not None
            mail.send_to_address(
                contact.email,
                _("Please check the data we keep about %(name)s") % {"name": customer.name},
                _(
                    "Dear %(contact)s,\n\n%(owner)s asks you to check the data we keep about "
                    "%(name)s, correct what is out of date and send renewed documents. The "
                    "link works once and until %(until)s."
                )
                % {
                    "contact": contact.name,
                    "owner": by.full_name or by.username,
                    "name": customer.name,
                    "until": timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M"),
                },
                link_path(token),
            )
    return link, token


def link_revoke(link: UpdateLink, *, by: Any) -> UpdateLink:
    with transaction.atomic():
        current = UpdateLink.objects.select_for_update().get(pk=link.pk)
        if current.state() != LinkState.OPEN:
            raise ValidationError(_("This link can no longer be used; nothing to revoke."))
        current.revoked_at = timezone.now()
        current.revoked_by = by
        current.version += 1
        current.save(update_fields=["revoked_at", "revoked_by", "version", "updated_at"])
        record("selfservice.updatelink.revoke", current, extra={"customer": current.customer_id})
    return current


# --- the contact's side -----------------------------------------------------------------


def admit_visit(token: str, source_ip: str) -> None:
    """Rate limits: per link and per address (guessing tokens from one address)."""
    message = _("Too many requests. Please wait a while and try again.")
    limit = settings.KEHU_UPDATE_LINK_RATE
    admit(f"selfservice:link:{digest(token)}", limit, 3600, message)
    admit(f"selfservice:ip:{source_ip}", limit * 3, 3600, message)


def open_link(token: str, *, lock: bool = False) -> UpdateLink:
    """The usable link of `token`; LinkRefused with the reason otherwise."""
    rows = UpdateLink.objects.select_related("customer", "contact")
    if lock:
        rows = rows.select_for_update(of=("self",))
    link = rows.filter(token_digest=digest(token or "")).first()
    if link is None:
        raise LinkRefused(_("This link is not valid. Please check that it was copied in full."))
    state = link.state()
    if state == LinkState.REVOKED:
        raise LinkRefused(
            _("This link was withdrawn. Please ask your account manager for a new one.")
        )
    if state == LinkState.USED:
        raise LinkRefused(
            _(
                "This link has already been used; your update was received. For further "
                "changes please ask your account manager for a new link."
            )
        )
    if state == LinkState.EXPIRED:
        raise LinkRefused(
            _("This link has expired. Please ask your account manager for a new one.")
        )
    if link.customer.status in CLOSED or link.customer.merged_into_id is not None:
        raise LinkRefused(_("This link is not valid. Please check that it was copied in full."))
    return link


def fields_for(customer: Customer) -> tuple[str, ...]:
    return FIELDS.get(customer.kind, ())


def masked_fields(customer: Customer) -> set[str]:
    return {field for field in fields_for(customer) if masking.spec(customer, field) is not None}


@dataclass
class Upload:
    """A document the contact sends: its type, the file and, for dated types, its dates."""

    doc_type: DocumentType
    file: Any
    issued_on: datetime.date | None = None
    expires_on: datetime.date | None = None


def _store(customer: Customer, uploads: list[Upload]) -> list[tuple[Upload, Any, str, str]]:
    """Check (the staff upload's checks) and keep each file encrypted before the transaction;
    (upload, stored, content type, original name) each. Nothing is kept when one fails."""
    kept: list[tuple[Upload, Any, str, str]] = []
    try:
        for item in uploads:
            if not item.doc_type.is_active or item.doc_type.for_contracts:
                raise ValidationError(_("This document type is no longer in use."))
            if item.issued_on and item.expires_on and item.expires_on < item.issued_on:
                raise ValidationError(
                    {f"file_{item.doc_type.code}": [_("The expiry date is before the issue date.")]}
                )
            try:
                content_type = check_upload(item.file, item.doc_type.allowed_types())
            except ValidationError as error:
                raise ValidationError(
                    {f"file_{item.doc_type.code}": error.message_dict.get("file", error.messages)}
                ) from None
            original = safe_name(getattr(item.file, "name", "") or "")
            item.file.seek(0)
            name = "selfservice/" + stored_name(customer, item.doc_type, content_type)
            kept.append((item, storage.store(name, item.file), content_type, original))
    except BaseException:
        for _item, stored, _type, _name in kept:
            storage.delete(stored.name)
        raise
    return kept


def submit(
    token: str,
    *,
    values: dict[str, Any],
    uploads: list[Upload],
    declared_name: str,
    note: str = "",
) -> ChangeRequest:
    """The contact's corrections and documents as one change request (proposer: nobody,
    `declared_name`); the link is used up. Nothing changes the register until the owner
    accepts."""
    declared_name = (declared_name or "").strip()
    if not declared_name or len(declared_name) > 50:
        raise ValidationError({"declared_name": [_("Please give your full name.")]})
    note = (note or "")[:500]
    link = open_link(token)
    customer = link.customer
    allowed = fields_for(customer)
    masked = masked_fields(customer)
    # A masked field left empty keeps its value; other fields are sent as shown.
    given = {
        field: value
        for field, value in values.items()
        if field in allowed and not (field in masked and value in ("", None))
    }
    if not uploads and not proposed_changes(customer, given):
        raise ValidationError(
            _("Nothing differs from the data we keep: change a field or add a file.")
        )
    kept = _store(customer, uploads)
    try:
        with transaction.atomic():
            link = open_link(token, lock=True)  # a second submission waits here, then fails
            reason = _("Sent by %(name)s through update link #%(link)s.") % {
                "name": declared_name,
                "link": link.pk,
            }
            if note.strip():
                reason += "\n" + note.strip()
            extra = {"link": link.pk, "declared_name": declared_name, "via": "update_link"}
            request = change_request_propose(
                customer,
                None,
                given,
                reason,
                declared_name=declared_name,
                with_proof=bool(kept),
                audit_extra=extra | {"documents": [i.doc_type.code for i, *_ in kept]},
            )
            submission = Submission.objects.create(
                link=link, change_request=request, declared_name=declared_name
            )
            SubmittedFile.objects.bulk_create(
                SubmittedFile(
                    submission=submission,
                    doc_type=item.doc_type,
                    stored_name=stored.name,
                    original_name=original,
                    size=stored.size,
                    content_type=content_type,
                    sha256=stored.sha256,
                    issued_on=item.issued_on if item.doc_type.has_dates else None,
                    expires_on=item.expires_on if item.doc_type.has_dates else None,
                )
                for item, stored, content_type, original in kept
            )
            link.used_at = timezone.now()
            link.version += 1
            link.save(update_fields=["used_at", "version", "updated_at"])
            record(
                "selfservice.updatelink.submit",
                link,
                extra=extra | {"change_request": request.pk, "files": len(kept)},
            )
    except BaseException:
        for _item, stored, _type, _name in kept:
            storage.delete(stored.name)
        raise
    return request


def touch(link: UpdateLink) -> None:
    """Note when the link was last opened (shown to the owner)."""
    UpdateLink.objects.filter(pk=link.pk).update(opened_at=timezone.now())


# --- the owner's decision ---------------------------------------------------------------


def file_proof(request: ChangeRequest, accepted: bool, by: Any) -> None:
    """Decision hook (kehu.customers.changes): an accepted submission's documents become the
    newest versions of the customer's documents, uploaded by the deciding user."""
    submission = Submission.objects.filter(change_request=request).first()
    if submission is None or not accepted:
        return
    for item in submission.files.select_related("doc_type").order_by("pk"):
        content = ContentFile(b"".join(storage.iter_plain(item.stored_name)), item.original_name)
        version = document_upload(
            request.customer,
            item.doc_type,
            content,
            by,
            issued_on=item.issued_on,
            expires_on=item.expires_on,
            note=_("Sent by %(name)s through update link #%(link)s.")
            % {"name": submission.declared_name, "link": submission.link_id},
        )
        item.filed_as = version
        item.save(update_fields=["filed_as"])
