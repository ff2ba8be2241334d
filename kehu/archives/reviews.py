"""The check before filing into the archive (归档前审查, ARC-9): the archivist records whether the
materials handed in are authentic, complete and accurate, and accepts them for filing or
returns them for correction. Filing into a dossier (`services.file_item`) asks
`review_allowing_filing` first: only a dossier whose latest review is accepted takes items."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.archives.models import ArchivingReview, Dossier, ReviewOutcome
from kehu.audit.services import record

# The three checks: (pass flag, its note).
CHECKS = (
    ("authentic", "authenticity_note"),
    ("complete", "completeness_note"),
    ("accurate", "accuracy_note"),
)


def latest_review(dossier: Dossier) -> ArchivingReview | None:
    return dossier.reviews.order_by("-reviewed_at", "-pk").first()


def review_allowing_filing(dossier: Dossier) -> ArchivingReview:
    """The accepted review items are filed under; refused while there is none or the latest
    one returned the materials for correction."""
    review = latest_review(dossier)
    if review is None:
        raise ValidationError(
            {
                "dossier": [
                    _(
                        "Record the check before filing (authenticity, completeness, accuracy) "
                        "for this dossier first."
                    )
                ]
            }
        )
    if not review.accepted:
        raise ValidationError(
            {
                "dossier": [
                    _(
                        "The last check before filing returned the materials for correction: "
                        "%(reason)s. Record a new check once they are corrected."
                    )
                    % {"reason": review.reason}
                ]
            }
        )
    return review


def record_review(dossier: Dossier, by: Any, data: dict[str, Any]) -> ArchivingReview:
    """Record a check before filing. A failed check needs its note; accepting needs all three
    checks passed; returning needs the reason."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for passed, note in CHECKS:
        values[passed] = bool(data.get(passed))
        values[note] = str(data.get(note) or "").strip()[:300]
        if not values[passed] and not values[note]:
            errors[note] = [_("Say what is wrong.")]
    outcome = str(data.get("outcome") or "")
    reason = str(data.get("reason") or "").strip()
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = [_("Choose accepted or returned for correction.")]
    elif outcome == ReviewOutcome.ACCEPTED and not all(values[p] for p, _n in CHECKS):
        errors["outcome"] = [
            _("Materials that fail a check cannot be accepted: return them for correction.")
        ]
    elif outcome == ReviewOutcome.RETURNED and not reason:
        errors["reason"] = [_("Give the reason for returning the materials.")]
    if dossier.destroyed_at is not None:
        errors["dossier"] = [_("This dossier was destroyed.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review = ArchivingReview.objects.create(
            dossier=dossier,
            outcome=outcome,
            reason=reason if outcome == ReviewOutcome.RETURNED else "",
            reviewed_by=by,
            reviewed_at=timezone.now(),
            **values,
        )
        record(
            "archives.dossier.review",
            dossier,
            extra={"review": review.pk, "outcome": outcome, "reason": review.reason, **values},
        )
    return review
