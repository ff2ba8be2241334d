"""Credit applications (信用申请表) and the credit investigation report (资信调查报告): the
account manager applies for an active customer, credit managers are told; the report's
standard sections are drafted and saved one by one, then signed off with a rating on the
configured scale and a recommendation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.audit.services import record
from kehu.core import numbering
from kehu.core.models import Role, User
from kehu.core.notifications import notify
from kehu.credit.exposure import account_for
from kehu.credit.models import (
    ZERO,
    ApplicationStatus,
    CreditAccount,
    CreditApplication,
    RatingGrade,
    ReportSection,
)
from kehu.credit.receivables import MAX_AMOUNT
from kehu.customers.models import CustomerStatus

# The report's standard sections, in their order.
SECTIONS: tuple[tuple[str, Any], ...] = (
    ("overview", gettext_lazy("Overview")),
    ("shareholders", gettext_lazy("Shareholders and management")),
    ("financial", gettext_lazy("Financial position")),
    ("banks", gettext_lazy("Bank credit and banks dealt with (往来银行)")),
    ("payments", gettext_lazy("Payment record and payment habits (付款习惯)")),
    ("operations", gettext_lazy("Operations")),
    ("site_visit", gettext_lazy("Site visit (现场调查)")),
    ("related_parties", gettext_lazy("Related parties")),
    ("public_records", gettext_lazy("Public records (incl. the watch list)")),
    ("media", gettext_lazy("Media")),
    ("evaluation", gettext_lazy("Overall evaluation")),
)
SECTION_KEYS = {key for key, _label in SECTIONS}


def _amount_errors(value: Decimal | None, *, required: bool) -> list[str]:
    if value is None:
        return [_("This amount is required.")] if required else []
    if value < 0:
        return [_("The amount cannot be negative.")]
    if value > MAX_AMOUNT:
        return [_("The amount is too large; check the figure and its unit.")]
    return []


def application_create(customer: Any, data: dict[str, Any], *, by: Any) -> CreditApplication:
    """File an application for an active customer; credit managers of its units are told."""
    errors: dict[str, list[str]] = {}
    for name, required in (("requested_limit", True), ("monthly_volume", False)):
        found = _amount_errors(data.get(name), required=required)
        if found:
            errors[name] = found
    if data.get("requested_limit") is not None and data["requested_limit"] == 0:
        errors.setdefault("requested_limit", []).append(_("The limit must be greater than zero."))
    days = data.get("payment_days") or 0
    if days < 0 or days > 365:
        errors["payment_days"] = [_("Payment terms are 0 to %(n)s days.") % {"n": 365}]
    if not (data.get("reason") or "").strip():
        errors["reason"] = [_("Give the reason for the request.")]
    if customer.status != CustomerStatus.ACTIVE:
        errors["__all__"] = [_("Credit applications are for active customers only.")]
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    with transaction.atomic():
        application = CreditApplication.objects.create(
            number=numbering.allocate(
                "XYSQ-{year}-{seq:05d}", f"credit:application:{today.year}", year=today.year
            ),
            account=account_for(customer),
            requested_limit=data["requested_limit"],
            payment_days=days,
            reason=data["reason"].strip(),
            monthly_volume=data.get("monthly_volume") or ZERO,
            guarantees=(data.get("guarantees") or "").strip(),
            requested_by=by,
        )
        record("credit.application.create", customer, extra={"application": application.number})
        notify(
            credit_managers(customer),
            _("Credit application to investigate: %(name)s") % {"name": customer.name},
            application.number,
            application_url(application),
        )
    return application


def credit_managers(customer: Any) -> Any:
    """The credit managers whose units include the customer's."""
    paths = [p for p in customer.unit.path.strip("/").split("/") if p]
    return User.objects.filter(
        is_active=True,
        role_assignments__role=Role.CREDIT_MANAGER,
        role_assignments__unit_id__in=[int(p) for p in paths],
    ).distinct()


def section_save(application: CreditApplication, key: str, text: str, *, by: Any) -> ReportSection:
    if key not in SECTION_KEYS:
        raise ValidationError({"key": [_("Unknown section.")]})
    if application.signed_at is not None:
        raise ValidationError(_("The report is signed; it can no longer be changed."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the section before saving it.")]})
    with transaction.atomic():
        section, created = ReportSection.objects.update_or_create(
            application=application, key=key, defaults={"text": text, "saved_by": by}
        )
        record(
            "credit.report.section",
            application.account.customer,
            extra={"application": application.number, "section": key, "new": created},
        )
    return section


def report_sign(
    application: CreditApplication,
    *,
    rating: str,
    recommended_limit: Decimal | None,
    recommendation: str,
    by: Any,
) -> CreditApplication:
    """Sign off the report: every section written, a grade of the scale, a recommendation.
    The customer's account takes the rating."""
    errors: dict[str, list[str]] = {}
    missing = SECTION_KEYS - set(application.sections.values_list("key", flat=True))
    if missing:
        labels = [str(label) for key, label in SECTIONS if key in missing]
        errors["__all__"] = [_("Sections not written yet: %(s)s.") % {"s": "、".join(labels)}]
    if not RatingGrade.objects.filter(code=rating).exists():
        errors["rating"] = [_("Choose a grade of the rating scale.")]
    found = _amount_errors(recommended_limit, required=True)
    if found:
        errors["recommended_limit"] = found
    if not (recommendation or "").strip():
        errors["recommendation"] = [_("Write the recommendation.")]
    if application.signed_at is not None:
        errors["__all__"] = [_("The report is signed; it can no longer be changed.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = CreditApplication.objects.select_for_update().get(pk=application.pk)
        current.rating = rating
        current.recommended_limit = recommended_limit or ZERO
        current.recommendation = recommendation.strip()
        current.signed_by, current.signed_at = by, timezone.now()
        current.status = ApplicationStatus.REPORTED
        current.version += 1
        current.save()
        CreditAccount.objects.filter(pk=current.account_id).update(rating=rating)
        record(
            "credit.report.sign",
            current.account.customer,
            extra={"application": current.number, "rating": rating,
                   "recommended_limit": str(current.recommended_limit)},
        )  # fmt: skip
        notify(
            [current.requested_by],
            _("Credit investigation signed: %(name)s") % {"name": current.account.customer.name},
            f"{current.number} · {rating}",
            application_url(current),
        )
    return current


def application_url(application: CreditApplication) -> str:
    return reverse("credit:application", args=[application.pk])
