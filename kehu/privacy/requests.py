"""Data-subject requests (PRV-2): access/copy, correction, deletion — each a workflow case
("privacy.subject_request") with a deadline of 15 working days, handled by the compliance
officer of the customer's unit. Completing the step "done" carries the request out:

* access: a package (zip of JSON) of the person's data, kept with the request;
* correction: the handler corrects through the usual edit pages and records what changed;
* deletion: the personal data is anonymised — or, while an archive of the customer is still
  under retention, restricted (kept in storage only, out of every scope); both go to the
  deletion ledger, which `kehu privacy_reapply` applies again after a restore."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.archives.models import Dossier
from kehu.audit.services import record
from kehu.core import policy
from kehu.customers.models import BankAccount, Contact, Customer
from kehu.customers.services import refresh_derived
from kehu.privacy import consent
from kehu.privacy.models import (
    ContactProfile,
    DeletionLedger,
    RequestKind,
    Restriction,
    SubjectRequest,
)
from kehu.workflow import services as workflow
from kehu.workflow.models import Case
from kehu.workflow.selectors import viewable_cases

PROCESS = "privacy.subject_request"
DUE_WORKING_DAYS = 15
ANONYMOUS = "已删除个人信息"
# Personal fields blanked by a deletion.
CUSTOMER_FIELDS = ("id_number", "phone", "email", "address", "occupation", "employer", "note")
CUSTOMER_NULLS = ("birth_date",)
# The ledger action of values blanked because their sensitivity tier's retention ended.
TIER_EXPIRED = "tier_expired"
CONTACT_FIELDS = ("mobile", "office_phone", "email", "title", "department", "note")


def visible_requests(user: Any) -> QuerySet[SubjectRequest]:
    """The requests whose case the user may see (`workflow.selectors.can_view_case`), as one
    query: the case's scope, opener and steps, or the request itself in the user's scope."""
    cases = Case.objects.filter(viewable_cases(user)).values("pk")
    own = policy.scope(user, SubjectRequest.objects.all()).values("pk")
    return (
        SubjectRequest.objects.filter(case__isnull=False)
        .filter(Q(case__in=cases) | Q(pk__in=own))
        .select_related("case")
    )


def open_request(
    subject: Customer | Contact, kind: str, details: str, by: Any, received_on: Any
) -> SubjectRequest:
    if not consent.is_person(subject):
        raise ValidationError(_("Requests are made by individual customers and contacts."))
    if not consent.may_manage(by, subject):
        raise PermissionDenied(_("You may not register requests for this person."))
    if not (details or "").strip():
        raise ValidationError({"details": [_("Describe the request as the person made it.")]})
    customer = consent.customer_of(subject)
    with transaction.atomic():
        request = SubjectRequest.objects.create(
            kind=kind,
            customer=subject if isinstance(subject, Customer) else None,
            contact=subject if isinstance(subject, Contact) else None,
            subject_type=subject._meta.label_lower,
            subject_id=str(subject.pk),
            received_on=received_on,
            details=details.strip(),
            received_by=by,
        )
        case = workflow.open_case(
            PROCESS,
            request,
            unit=customer.unit,
            by=by,
            title=f"{request.get_kind_display()}: {subject.name}",
        )
        request.case = case
        request.save(update_fields=["case"])
        record("privacy.subjectrequest.create", request, extra={"kind": kind, "case": case.pk})
    return request


def subject_of(request: SubjectRequest) -> Customer | Contact | None:
    return request.customer or request.contact


def subject_request_carry_out(request: SubjectRequest, by: Any, note: str) -> SubjectRequest:
    """The request is granted: do it and record what was done."""
    subject = subject_of(request)
    done: list[str] = []
    if request.kind == RequestKind.ACCESS and subject is not None:
        request.package.save(
            f"request-{request.pk}.zip", ContentFile(subject_request_package(subject)), save=False
        )
        done.append(_("Data package prepared."))
    elif request.kind == RequestKind.DELETION and subject is not None:
        done.append(delete_personal_data(subject, request))
    request.done_at = timezone.now()
    request.outcome = "done"
    request.outcome_note = "\n".join([*done, note]).strip()
    request.save()
    record("privacy.subjectrequest.done", request, extra={"note": request.outcome_note})
    return request


def subject_request_refuse(request: SubjectRequest, by: Any, note: str) -> SubjectRequest:
    request.done_at = timezone.now()
    request.outcome = "rejected"
    request.outcome_note = note
    request.save()
    record("privacy.subjectrequest.rejected", request, extra={"note": note})
    return request


# --- access ---------------------------------------------------------------------------------


def _plain(obj: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    data = model_to_dict(obj)
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in data.items()
        if k not in exclude and not hasattr(v, "pk") and not isinstance(v, list | bytes)
    }


def subject_request_package(subject: Customer | Contact) -> bytes:
    """A zip of JSON: the person's data, consents and (for a contact) extended profile."""
    data: dict[str, Any] = {"subject": subject._meta.label_lower, "id": subject.pk}
    data["data"] = _plain(subject, exclude=("classifications",))
    data["consents"] = [
        _plain(c, exclude=("evidence", "recorded_by", "withdrawn_by", "customer", "contact"))
        for c in consent.consents_of(subject)
    ]
    if isinstance(subject, Customer):
        data["contacts"] = [_plain(c) for c in subject.contacts.all()]
        data["bank_accounts"] = [_plain(a) for a in subject.bank_accounts.all()]
    else:
        found = ContactProfile.objects.filter(contact=subject).first()
        data["extended_profile"] = _plain(found) if found else None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("personal-data.json", json.dumps(data, ensure_ascii=False, indent=2))
    return buffer.getvalue()


# --- deletion -------------------------------------------------------------------------------


def retention_runs(customer: Customer) -> bool:
    """An archive of the customer is still within its retention period (or on hold)."""
    dossier = Dossier.objects.filter(customer=customer).first()
    return dossier is not None and dossier.items.filter(destroyed_at__isnull=True).exists()


def delete_personal_data(subject: Customer | Contact, request: SubjectRequest | None) -> str:
    customer = consent.customer_of(subject)
    if isinstance(subject, Customer) and retention_runs(customer):
        Restriction.objects.get_or_create(
            customer=customer,
            defaults={
                "reason": _("Deletion requested; archive retention runs"),
                "request": request,
            },
        )
        DeletionLedger.objects.create(
            subject_type=subject._meta.label_lower,
            subject_id=str(subject.pk),
            action="restricted",
            request=request,
        )
        record("privacy.subject.restrict", subject, extra={"request": getattr(request, "pk", None)})
        return _(
            "An archive retention period still runs: the data is restricted (kept only in "
            "storage, out of every use) and will be deleted when it ends."
        )
    fields = anonymise(subject)
    DeletionLedger.objects.create(
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        action="anonymised",
        fields=fields,
        request=request,
    )
    return _("Personal data removed: %(fields)s.") % {"fields": ", ".join(fields)}


def anonymise(subject: Customer | Contact) -> list[str]:
    """Blank the person's data in place (the business records around it stay)."""
    with transaction.atomic():
        if isinstance(subject, Customer):
            values: dict[str, Any] = {f: "" for f in CUSTOMER_FIELDS}
            values |= {f: None for f in CUSTOMER_NULLS}
            values |= {"name": f"{ANONYMOUS}{subject.pk}", "gender": ""}
            for name, value in values.items():
                setattr(subject, name, value)
            subject.version += 1
            subject.save()
            refresh_derived(subject)
        else:
            values = {f: "" for f in CONTACT_FIELDS} | {"name": ANONYMOUS}
            for name, value in values.items():
                setattr(subject, name, value)
            subject.version += 1
            subject.save()
            ContactProfile.objects.filter(contact=subject).delete()
            refresh_derived(subject.customer)
        record("privacy.subject.anonymise", subject, extra={"fields": sorted(values)})
    return sorted(values)


def blank(subject: Customer | Contact, names: list[str]) -> None:
    """Blank some personal fields of the person in place, the way `anonymise` does, so that
    digests, search text and completeness follow; "bank_accounts.<pk>.account_number" names
    the number of one of the customer's bank accounts."""
    own = [n for n in names if "." not in n]
    for name in own:
        setattr(subject, name, None if subject._meta.get_field(name).null else "")
    subject.version += 1
    subject.save()
    accounts = [int(n.split(".")[1]) for n in names if n.startswith("bank_accounts.")]
    owner = subject if isinstance(subject, Customer) else None
    for account in BankAccount.objects.filter(customer=owner, pk__in=accounts):
        account.account_number = ""
        account.save()
    refresh_derived(subject if isinstance(subject, Customer) else subject.customer)


def ledger_entries() -> list[dict[str, Any]]:
    """The deletion ledger as plain data (no personal data), to carry into a restored copy."""
    fields = ("subject_type", "subject_id", "action", "fields", "performed_at")
    return [
        {**row, "performed_at": row["performed_at"].isoformat()}
        for row in DeletionLedger.objects.order_by("performed_at", "pk").values(*fields)
    ]


def merge_ledger(entries: list[dict[str, Any]]) -> int:
    """Add the entries of another copy of the ledger that this one lacks (a restored backup
    lacks those recorded after it); how many were added."""
    import datetime

    added = 0
    with transaction.atomic():
        for entry in entries:
            performed = datetime.datetime.fromisoformat(entry["performed_at"])
            known = DeletionLedger.objects.filter(
                subject_type=entry["subject_type"],
                subject_id=entry["subject_id"],
                action=entry["action"],
                performed_at=performed,
            )
            if known.exists():
                continue
            row = DeletionLedger.objects.create(
                subject_type=entry["subject_type"],
                subject_id=entry["subject_id"],
                action=entry["action"],
                fields=entry.get("fields") or [],
            )
            DeletionLedger.objects.filter(pk=row.pk).update(performed_at=performed)
            added += 1
        if added:
            record(
                "privacy.ledger.import",
                object_type="privacy.deletionledger",
                object_repr=str(_("Deletion ledger")),
                extra={"added": added},
            )
    return added


def reapply_deletions() -> int:
    """Apply every ledger entry again (after a restore): idempotent. Returns how many
    subjects needed it."""
    applied = 0
    for entry in DeletionLedger.objects.all():
        model = Customer if entry.subject_type == "customers.customer" else Contact
        subject = model.objects.filter(pk=entry.subject_id).first()
        if subject is None:
            continue
        if entry.action == "restricted" and isinstance(subject, Customer):
            _row, created = Restriction.objects.get_or_create(
                customer=subject, defaults={"reason": "re-applied after restore"}
            )
            applied += int(created)
        elif entry.action == "anonymised" and not subject.name.startswith(ANONYMOUS):
            anonymise(subject)
            applied += 1
        elif entry.action == TIER_EXPIRED and not subject.name.startswith(ANONYMOUS):
            from kehu.privacy.tier_retention import still_held

            held = still_held(subject, list(entry.fields))
            if held:
                blank(subject, held)
                applied += 1
    return applied
