"""Possible duplicates (CUS-11): very similar names, shared phones and the same legal
representative are flagged on both cards; an authorised user merges two customers keeping
all history, contacts and later records of both."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import policy
from kehu.core.digest import lookup_digest
from kehu.core.masking import PHONE, mask
from kehu.customers.models import (
    BankAccount,
    ChangeRequest,
    Contact,
    Customer,
    CustomerKind,
    CustomerStatus,
    DuplicateFlag,
    DuplicateReason,
    StatusChange,
)
from kehu.customers.signals import customer_merged

MIN_NAME_KEY = 2  # shorter cores ("华夏" is fine, "大" is not) say nothing
MAX_FLAGS_PER_REASON = 20


def _phones_of(customer: Customer) -> set[str]:
    phones = {customer.phone, customer.legal_rep_phone}
    for mobile, office in customer.contacts.values_list("mobile", "office_phone"):
        phones |= {mobile, office}
    return {p for p in phones if p and len(p) >= 7}


def find_candidates(customer: Customer) -> dict[int, tuple[str, str]]:
    """Other customers that may be the same: {pk: (reason, detail)}. Encrypted phones (the
    customer's own, contacts' mobiles) are compared by their keyed digests."""
    found: dict[int, tuple[str, str]] = {}
    others = Customer.objects.exclude(pk=customer.pk).filter(merged_into__isnull=True)
    if customer.legal_rep_digest:
        for pk in others.filter(legal_rep_digest=customer.legal_rep_digest).values_list(
            "pk", flat=True
        )[:MAX_FLAGS_PER_REASON]:
            found[pk] = (DuplicateReason.SAME_LEGAL_REP, customer.legal_rep_name)
    phones = _phones_of(customer)
    if phones:
        digests = {lookup_digest("phone", p) for p in phones}
        matches = others.filter(
            Q(phone_digest__in=digests)
            | Q(legal_rep_phone_digest__in=digests)
            | Q(contacts__mobile_digest__in=digests)
            | Q(contacts__office_phone__in=phones)
        ).distinct()
        # The flag's text names the phones masked: it is shown to everyone who sees the card.
        detail = "、".join(sorted(mask(PHONE, p) for p in phones))[:200]
        for pk in matches.values_list("pk", flat=True)[:MAX_FLAGS_PER_REASON]:
            found.setdefault(pk, (DuplicateReason.SHARED_PHONE, detail))
    if customer.kind == CustomerKind.ORGANIZATION and len(customer.name_key) >= MIN_NAME_KEY:
        similar = others.filter(kind=CustomerKind.ORGANIZATION, name_key=customer.name_key)
        for pk in similar.values_list("pk", flat=True)[:MAX_FLAGS_PER_REASON]:
            found.setdefault(pk, (DuplicateReason.SIMILAR_NAME, customer.name_key))
    return found


def refresh_flags(customer: Customer) -> None:
    """Re-evaluate the customer's open flags: add new pairs, drop ones no longer true
    (dismissed pairs stay dismissed)."""
    found = find_candidates(customer) if not customer.merged_into_id else {}
    mine = Q(first=customer) | Q(second=customer)
    existing = {
        (f.first_id if f.second_id == customer.pk else f.second_id, f.reason): f
        for f in DuplicateFlag.objects.filter(mine)
    }
    wanted = {(pk, reason): detail for pk, (reason, detail) in found.items()}
    stale = [f.pk for key, f in existing.items() if key not in wanted and f.dismissed_at is None]
    DuplicateFlag.objects.filter(pk__in=stale).delete()
    DuplicateFlag.objects.bulk_create(
        [
            DuplicateFlag(
                first_id=min(pk, customer.pk),
                second_id=max(pk, customer.pk),
                reason=reason,
                detail=detail,
            )
            for (pk, reason), detail in wanted.items()
            if (pk, reason) not in existing
        ],
        ignore_conflicts=True,
    )


SENSITIVE_REASONS = frozenset({DuplicateReason.SHARED_PHONE, DuplicateReason.SAME_LEGAL_REP})


def _named_to(user: Any, ids: list[int], action: str) -> set[int]:
    """Which of the customers `ids` the policy lets `user` do `action` on."""
    if user is None:
        return set()
    rows = policy.scope(user, Customer.objects.filter(pk__in=ids), action)
    return set(rows.values_list("pk", flat=True))


def open_flags(customer: Customer, user: Any = None) -> list[dict[str, Any]]:
    """The card's flags: the other customer, why, the flag id (for dismissing), and whether
    `user` may see the other customer (`visible`; for a shared phone or legal representative,
    reveal its values): to anyone else a flag names only the other customer's department,
    never its name or number (None: no reader, not visible)."""
    flags = list(
        DuplicateFlag.objects.filter(
            Q(first=customer) | Q(second=customer), dismissed_at=None
        ).order_by("pk")
    )
    if not flags:  # the usual case: one small query, not a join of two customers' columns
        return []
    other_ids = [f.second_id if f.first_id == customer.pk else f.first_id for f in flags]
    others = Customer.objects.select_related("unit").in_bulk(other_ids)
    visible = _named_to(user, other_ids, "view")
    # A shared phone or legal representative names the other customer only to whoever may
    # reveal its values: else a guessed number typed into one's own customer would tell whose
    # it is.
    revealable = (
        _named_to(user, other_ids, "reveal")
        if any(f.reason in SENSITIVE_REASONS for f in flags)
        else set()
    )
    return [
        {
            "flag": f,
            "other": others[pk],
            "reason": f.get_reason_display(),
            "visible": pk in (revealable if f.reason in SENSITIVE_REASONS else visible),
            "unit": others[pk].unit.name,
        }
        for f, pk in zip(flags, other_ids, strict=True)
    ]


def dismiss(flag: DuplicateFlag, by: Any) -> None:
    with transaction.atomic():
        flag.dismissed_at = timezone.now()
        flag.dismissed_by = by
        flag.save(update_fields=["dismissed_at", "dismissed_by"])
        record(
            "customers.customer.duplicate_dismissed",
            flag.first,
            extra={"other": flag.second_id, "reason": flag.reason},
        )


# Fields copied from the absorbed customer where the survivor has nothing.
_FILLABLE = (
    "org_code", "nature", "industry", "legal_rep_name", "legal_rep_title", "legal_rep_phone",
    "legal_rep_id_number", "registered_address", "operating_address", "founded_on",
    "registered_capital", "business_scope", "operating_term_until", "licence_valid_until",
    "issuing_authority", "certifications", "gender", "birth_date", "occupation", "employer",
    "phone", "email", "address", "province", "city", "products", "cooperation_since",
    "contract_numbers",
)  # fmt: skip


def merge(survivor: Customer, absorbed: Customer, reason: str, by: Any) -> Customer:
    """Move everything of `absorbed` to `survivor`; `absorbed` stays (closed, pointing to the
    survivor) with its own history, and anything later addressed to it resolves to the
    survivor (`resolve`)."""
    from kehu.customers.services import refresh_derived

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for merging.")]})
    if survivor.pk == absorbed.pk:
        raise ValidationError(_("A customer cannot be merged with itself."))
    with transaction.atomic():
        first, second = sorted([survivor.pk, absorbed.pk])
        locked = {
            c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[first, second])
        }
        keep, gone = locked[survivor.pk], locked[absorbed.pk]
        if keep.merged_into_id or gone.merged_into_id:
            raise ValidationError(_("One of these customers has already been merged."))
        if keep.kind != gone.kind:
            raise ValidationError(_("An organisation and an individual cannot be merged."))
        for field, label in (
            ("credit_code", _("credit codes")),
            ("id_number_digest", _("ID numbers")),
        ):
            a, b = getattr(keep, field), getattr(gone, field)
            if a and b and a != b:
                raise ValidationError(
                    _("These customers have different %(what)s: they are different entities.")
                    % {"what": label}
                )
        filled = {}
        for field in _FILLABLE:
            if getattr(keep, field) in (None, "") and getattr(gone, field) not in (None, ""):
                filled[field] = [None, str(getattr(gone, field))]
                setattr(keep, field, getattr(gone, field))
        moved_identity = {}
        for field in ("credit_code", "id_number"):
            if not getattr(keep, field) and getattr(gone, field):
                moved_identity[field] = getattr(gone, field)
        if moved_identity:
            # The unique identifier moves: clear it on the absorbed row first.
            Customer.objects.filter(pk=gone.pk).update(credit_code=None, id_number_digest=None)
            for field, value in moved_identity.items():
                setattr(keep, field, value)
                filled[field] = [None, "***" if field == "id_number" else value]
        moved = {
            "contacts": _move_rows(Contact, keep, gone),
            "bank_accounts": _move_rows(BankAccount, keep, gone),
            "change_requests": _move_rows(ChangeRequest, keep, gone),
        }
        # Other contexts move their own rows (documents) and say how many.
        for _receiver, counts in customer_merged.send(
            sender=Customer, survivor=keep, absorbed=gone, by=by
        ):
            moved.update(cast(dict[str, int], counts))
        kept_dims = set(keep.classifications.values_list("dimension_id", flat=True))
        extra_values = [v for v in gone.classifications.all() if v.dimension_id not in kept_dims]
        keep.classifications.add(*extra_values)
        keep.version += 1
        keep.save()
        before_status = gone.status
        Customer.objects.filter(pk=gone.pk).update(
            merged_into=keep, status=CustomerStatus.CLOSED, version=gone.version + 1
        )
        StatusChange.objects.create(
            customer=gone,
            from_status=before_status,
            to_status=CustomerStatus.CLOSED,
            reason=_("Merged into %(name)s (no. %(pk)s): %(reason)s")
            % {"name": keep.name, "pk": keep.pk, "reason": reason},
            changed_by=by,
        )
        DuplicateFlag.objects.filter(
            Q(first=gone, second=keep) | Q(first=keep, second=gone)
        ).delete()
        DuplicateFlag.objects.filter(Q(first=gone) | Q(second=gone), dismissed_at=None).delete()
        record(
            "customers.customer.merge",
            keep,
            changes=filled,
            extra={
                "absorbed": gone.pk,
                "absorbed_name": gone.name,
                "reason": reason,
                "version": keep.version,  # a stale form of the survivor lists what was filled
                **moved,
            },
        )
        record(
            "customers.customer.merged_into",
            gone,
            changes={"status": [before_status, CustomerStatus.CLOSED]},
            extra={
                "survivor": keep.pk,
                "survivor_name": keep.name,
                "reason": reason,
                "version": gone.version + 1,
            },
        )
        refresh_derived(keep)
        refresh_flags(keep)
    keep.refresh_from_db()
    return keep


def _move_rows(model: type[Model], keep: Customer, gone: Customer) -> int:
    """Move the absorbed customer's rows of `model` to the survivor one by one, each with its
    own audit event (a new version): a primary contact or account stays primary only if
    the survivor has none."""
    rows = list(model._default_manager.select_for_update().filter(customer=gone).order_by("pk"))
    has_primary = hasattr(model, "is_primary") and (
        model._default_manager.filter(customer=keep, is_primary=True).exists()
    )
    for row in rows:
        changes: dict[str, list[Any]] = {"customer": [str(gone), str(keep)]}
        fields = ["customer", "version", "updated_at"]
        if has_primary and getattr(row, "is_primary", False):
            row.is_primary = False  # type: ignore[attr-defined]
            changes["is_primary"] = [True, False]
            fields.append("is_primary")
        row.customer = keep  # type: ignore[attr-defined]
        row.version += 1  # type: ignore[attr-defined]
        row.save(update_fields=fields)
        record(
            f"{model._meta.label_lower}.merge_move",
            row,
            changes=changes,
            extra={"from_customer": gone.pk, "to_customer": keep.pk, "version": row.version},  # type: ignore[attr-defined]
        )
    return len(rows)


def resolve(customer: Customer) -> Customer:
    """The customer that now carries this one's records (itself unless merged)."""
    seen = set()
    while customer.merged_into_id and customer.pk not in seen:
        seen.add(customer.pk)
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer
