"""The investigation's own forms (CRD-1): the site visit (现场调查表: premises, staff,
equipment, stock, operations seen; photos kept as the customer's site-visit photo document)
and the related-party survey (shareholders, affiliated companies, guarantors: each a customer
of ours or a party named in text). Both change only until the report is signed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import policy
from kehu.credit.models import CreditApplication, PartyRelation, RelatedParty, SiteVisit
from kehu.customers.models import Customer
from kehu.documents.models import DocumentType, DocumentVersion
from kehu.documents.services import document_upload

PHOTO_TYPE = "site_visit_photo"
VISIT_TEXTS = ("premises", "staff", "equipment", "stock", "operations")
MAX_PARTIES = 50


def may_open_photo(user: Any, version: DocumentVersion) -> bool:
    """Site-visit photos are investigation notes: only whoever may read the customer's
    investigation opens them (an account manager sees that they exist, not what they show)."""
    document = version.document
    if document.doc_type.code != PHOTO_TYPE:
        return True
    return policy.has_perm(user, "credit.investigation.view", document.customer)


def _open(application: CreditApplication) -> None:
    if application.signed_at is not None:
        raise ValidationError(_("The report is signed; it can no longer be changed."))


def site_visit_save(
    application: CreditApplication,
    data: dict[str, Any],
    *,
    by: Any,
    expected_version: int | None = None,
) -> SiteVisit:
    """Record the site visit or change it (optimistic locking on `expected_version`)."""
    _open(application)
    errors: dict[str, list[str]] = {}
    visited = data.get("visited_on")
    if visited is None:
        errors["visited_on"] = [_("This date is required.")]
    elif visited > timezone.localdate():
        errors["visited_on"] = [_("The date cannot be in the future.")]
    if not (data.get("visitors") or "").strip():
        errors["visitors"] = [_("Name who visited.")]
    for name in VISIT_TEXTS:
        if not (data.get(name) or "").strip():
            errors[name] = [_("Describe what was seen.")]
    if errors:
        raise ValidationError(errors)
    assert visited is not None
    values = {
        "visited_on": visited,
        "visitors": data["visitors"].strip()[:200],
        **{name: data[name].strip() for name in VISIT_TEXTS},
        "conclusion": (data.get("conclusion") or "").strip(),
    }
    customer = application.account.customer
    with transaction.atomic():
        current = SiteVisit.objects.select_for_update().filter(application=application).first()
        if current is None:
            visit = SiteVisit.objects.create(application=application, recorded_by=by, **values)
            record(
                "credit.sitevisit.create",
                customer,
                extra={"application": application.number, "visited_on": visited.isoformat()},
            )
            return visit
        if expected_version is not None and current.version != expected_version:
            raise ValidationError(
                _("Somebody else has changed this meanwhile: reload the page and try again.")
            )
        changes = {
            k: [str(getattr(current, k)), str(v)]
            for k, v in values.items()
            if getattr(current, k) != v
        }
        if changes:
            for key, value in values.items():
                setattr(current, key, value)
            current.version += 1
            current.save()
            record(
                "credit.sitevisit.change",
                customer,
                changes=changes,
                extra={"application": application.number},
            )
    return current


def site_visit_photo_add(application: CreditApplication, upload: Any, *, by: Any) -> Any:
    """Keep a photo of the site visit (checked and stored as a document version)."""
    _open(application)
    visit = SiteVisit.objects.filter(application=application).first()
    if visit is None:
        raise ValidationError({"photo": [_("Record the site visit before adding photos.")]})
    if upload is None:
        raise ValidationError({"photo": [_("Choose a photo (JPEG or PNG).")]})
    doc_type = DocumentType.objects.get(code=PHOTO_TYPE)
    with transaction.atomic():
        version = document_upload(
            application.account.customer, doc_type, upload, by,
            note=_("Site visit %(number)s") % {"number": application.number},
        )  # fmt: skip
        visit.photos.add(version)
        record(
            "credit.sitevisit.photo",
            application.account.customer,
            extra={"application": application.number, "version": version.pk},
        )
    return version


def site_visit_photos(visit: SiteVisit | None) -> list[DocumentVersion]:
    if visit is None:
        return []
    return list(visit.photos.order_by("pk"))


def related_party_add(
    application: CreditApplication, data: dict[str, Any], *, by: Any
) -> RelatedParty:
    """Add a party: a customer of ours the user may see (by its number), or a name."""
    _open(application)
    errors: dict[str, list[str]] = {}
    relation = str(data.get("relation") or "")
    if relation not in PartyRelation.values:
        errors["relation"] = [_("Choose the relation.")]
    number, name = data.get("customer"), (data.get("name") or "").strip()
    customer = None
    if number and name:
        errors["name"] = [_("Either choose one of our customers or write a name, not both.")]
    elif number:
        customer = Customer.objects.filter(pk=number).first()
        if customer is None or not policy.has_perm(by, "customers.customer.view", customer):
            errors["customer"] = [_("No such customer, or you may not see it.")]
        elif customer.pk == application.account.customer_id:
            errors["customer"] = [_("A customer is not its own related party.")]
    elif not name:
        errors["name"] = [_("Choose one of our customers or write the party's name.")]
    share: Decimal | None = data.get("share")
    if share is not None and not Decimal(0) < share <= Decimal(100):
        errors["share"] = [_("The shareholding is a percentage above 0 and up to 100.")]
    if share is not None and relation != PartyRelation.SHAREHOLDER:
        errors["share"] = [_("Only a shareholder has a shareholding.")]
    if application.related_parties.count() >= MAX_PARTIES:
        errors["__all__"] = [_("The survey holds at most %(n)s parties.") % {"n": MAX_PARTIES}]
    duplicate = application.related_parties.filter(
        relation=relation, **({"customer": customer} if customer else {"name": name})
    )
    if not errors and duplicate.exists():
        errors["__all__"] = [_("This party is already in the survey with this relation.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        party = RelatedParty.objects.create(
            application=application, relation=relation, customer=customer,
            name="" if customer else name[:200], share=share,
            note=(data.get("note") or "").strip()[:300], recorded_by=by,
        )  # fmt: skip
        record(
            "credit.relatedparty.create",
            application.account.customer,
            extra={"application": application.number, "relation": relation,
                   "party": party.party_name, "our_customer": customer.pk if customer else None},
        )  # fmt: skip
    return party


def related_party_remove(party: RelatedParty, *, by: Any) -> None:
    application = party.application
    _open(application)
    with transaction.atomic():
        record(
            "credit.relatedparty.delete",
            application.account.customer,
            extra={"application": application.number, "relation": party.relation,
                   "party": party.party_name},
        )  # fmt: skip
        party.delete()
