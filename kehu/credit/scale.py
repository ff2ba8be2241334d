"""The credit rating scale (CRD-7): the grades an administrator keeps, best first, each with
how often its customers are reviewed. A grade's code is fixed once created, because accounts,
applications and reviews name it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.credit.models import RatingGrade

FIELDS = ("label", "position", "review_months")


def _clean(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    code = (data.get("code") or "").strip().upper()
    if creating:
        if not code or not code.replace("+", "").replace("-", "").isalnum():
            errors["code"] = [_("Give a short code of letters, such as AA or B+.")]
        elif RatingGrade.objects.filter(code=code).exists():
            errors["code"] = [_("This grade exists already.")]
    if not (data.get("label") or "").strip():
        errors["label"] = [_("This field is required.")]
    for name in ("position", "review_months"):
        if data.get(name) is None:
            errors[name] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    return {
        "code": code,
        "label": data["label"].strip()[:100],
        "position": data["position"],
        "review_months": data["review_months"],
    }


def grade_create(data: dict[str, Any], *, by: Any) -> RatingGrade:
    values = _clean(data, creating=True)
    with transaction.atomic():
        grade = RatingGrade.objects.create(**values)
        record("credit.ratinggrade.create", grade, extra=values)
    return grade


def grade_update(
    grade: RatingGrade, data: dict[str, Any], *, expected_version: int | None, by: Any
) -> RatingGrade:
    """Change a grade's label, position or review interval (optimistic locking)."""
    values = _clean(data, creating=False)
    with transaction.atomic():
        current = RatingGrade.objects.select_for_update().get(pk=grade.pk)
        if expected_version is None or current.version != expected_version:
            raise ValidationError(
                _("Somebody else has changed this meanwhile: reload the page and try again.")
            )
        changes = {
            k: [str(getattr(current, k)), str(values[k])]
            for k in FIELDS
            if getattr(current, k) != values[k]
        }
        if not changes:
            return current
        for key in FIELDS:
            setattr(current, key, values[key])
        current.version += 1
        current.save()
        record("credit.ratinggrade.change", current, changes=changes)
    return current
