"""Every change to dossiers, filed items and cabinets: validated, one transaction, audited.
Archive numbers (ARC-1) and reference codes (DA/T 22-2015) come from the gap-free
numbering of kehu.core.numbering, so a rolled-back filing gives its number back."""

from __future__ import annotations

import datetime
import string
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.archives import reviews
from kehu.archives.models import (
    ArchiveCategory,
    ArchiveSettings,
    Cabinet,
    CabinetCheck,
    Dossier,
    DossierItem,
)
from kehu.audit.context import current_actor
from kehu.audit.services import record
from kehu.core.models import Role, User
from kehu.core.notifications import notify
from kehu.core.numbering import format_number, next_value
from kehu.customers.models import Customer, CustomerStatus
from kehu.generic.services import audited_create, audited_update

DOSSIER_FIELDS: tuple[str, ...] = ("title", "category", "confidentiality", "custodian")
DOSSIER_FIELDS += ("cabinet", "shelf", "position", "note")
ITEM_EDIT_FIELDS = ("title", "medium", "pages", "note")
PLACEHOLDERS = {"year", "dept", "category", "seq"}


def validate_pattern(pattern: str) -> None:
    """A pattern must use {seq} and only the known placeholders, and format cleanly."""
    try:
        names = {name for _t, name, _f, _c in string.Formatter().parse(pattern) if name}
        pattern.format(year=2026, dept="SALE", category="JC", seq=1)
    except (ValueError, KeyError, IndexError) as error:
        raise ValidationError({"number_pattern": [_("Not a valid pattern: %s") % error]}) from None
    if "seq" not in names or not names <= PLACEHOLDERS:
        raise ValidationError(
            {"number_pattern": [_("Use {seq} and only {year}, {dept}, {category}.")]}
        )


def sequence_key(pattern: str, parts: dict[str, Any]) -> str:
    """One gap-free sequence per value of the pattern's other placeholders: with the default
    pattern, one per year and department."""
    names = sorted(
        {name for _t, name, _f, _c in string.Formatter().parse(pattern) if name} - {"seq"}
    )
    return "archives.dossier:" + "|".join(f"{n}={parts[n]}" for n in names)


def _actor_user() -> User | None:
    user_id = current_actor().user_id
    return User.objects.filter(pk=user_id).first() if user_id else None


def default_category() -> ArchiveCategory:
    category = ArchiveCategory.objects.filter(is_active=True).order_by("order", "pk").first()
    if category is None:
        raise ValidationError(_("Define an archive category first."))
    return category


def number_dossier(dossier: Dossier, when: datetime.datetime | None = None) -> Dossier:
    """Give the dossier its archive number, once (ARC-1). Call inside the transaction that
    activates the customer: the sequence row stays locked until it commits."""
    with transaction.atomic():
        # Only the dossier's row: the joined customer, unit and category are read, and locking
        # them too would wait on (and deadlock with) rows that merely reference them.
        current = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("customer__unit", "category")
            .get(pk=dossier.pk)
        )
        if current.archive_number:
            return current
        when = when or timezone.now()
        config = ArchiveSettings.current()
        parts = {
            "year": timezone.localtime(when).year,
            "dept": current.customer.unit.code,
            "category": current.category.class_code,
        }
        seq = next_value(sequence_key(config.number_pattern, parts))
        current.archive_number = format_number(config.number_pattern, seq=seq, **parts)
        current.numbered_at = when
        current.version += 1
        current.save(update_fields=["archive_number", "numbered_at", "version", "updated_at"])
        record(
            "archives.dossier.number",
            current,
            changes={"archive_number": [None, current.archive_number]},
            extra={"customer": current.customer_id, "version": current.version},
        )
        return current


def open_dossier(customer: Customer) -> Dossier:
    """The customer's dossier, opened now if it has none (title = the customer's name)."""
    with transaction.atomic():
        existing = Dossier.objects.filter(customer=customer).first()
        if existing is not None:
            return existing
        dossier = Dossier(customer=customer, title=customer.name[:200], category=default_category())
        return audited_create(dossier)


def on_customer_status_changed(customer: Customer, old: str, new: str) -> None:
    """Activation opens and numbers the dossier; the end of the relationship starts the
    retention clock (cutoff: the end of that year); resuming stops it again."""
    if new == CustomerStatus.ACTIVE:
        dossier = number_dossier(open_dossier(customer))
        if dossier.closed_on is not None:
            _set_closed(dossier, None)
    elif new in (CustomerStatus.PAST, CustomerStatus.CLOSED):
        ended = Dossier.objects.filter(customer=customer).first()
        if ended is not None and ended.closed_on is None:
            _set_closed(ended, timezone.localdate())


def _set_closed(dossier: Dossier, day: datetime.date | None) -> None:
    with transaction.atomic():
        before = dossier.closed_on
        Dossier.objects.filter(pk=dossier.pk).update(closed_on=day)
        dossier.closed_on = day
        record("archives.dossier.closed", dossier, changes={"closed_on": [before, day]})


def create_dossier(data: dict[str, Any]) -> Dossier:
    customer: Customer = data["customer"]
    with transaction.atomic():
        if Dossier.objects.filter(customer=customer).exists():
            raise ValidationError({"customer": [_("This customer already has a dossier.")]})
        dossier = Dossier(customer=customer, **{k: data[k] for k in DOSSIER_FIELDS if k in data})
        dossier.full_clean()
        audited_create(dossier)
        if customer.status == CustomerStatus.ACTIVE:
            dossier = number_dossier(dossier)
        return dossier


def update_dossier(dossier: Dossier, data: dict[str, Any], expected_version: int | None) -> Dossier:
    values = {k: data[k] for k in DOSSIER_FIELDS if k in data}
    updated = audited_update(dossier, values, expected_version)
    assert isinstance(updated, Dossier)
    return updated


def reference_code(
    fonds: str, category: ArchiveCategory, year: int, retention: str, org: str, item_no: int
) -> str:
    """档号 of DA/T 22-2015: 全宗号-门类代码·年度-保管期限-机构代码-件号."""
    return f"{fonds}-{category.class_code}·{year}-{retention}-{org}-{item_no:04d}"


def file_item(data: dict[str, Any]) -> DossierItem:
    """File an item into a dossier (归档): a line of the filing register with its reference
    code, which never changes afterwards."""
    dossier: Dossier = data["dossier"]
    category: ArchiveCategory = data["category"]
    document = data.get("document")
    if dossier.destroyed_at is not None:
        raise ValidationError({"dossier": [_("This dossier was destroyed.")]})
    review = reviews.review_allowing_filing(dossier)
    if document is not None and document.customer_id != dossier.customer_id:
        raise ValidationError({"document": [_("The document belongs to another customer.")]})
    with transaction.atomic():
        now = timezone.now()
        year = timezone.localtime(now).year
        fonds = ArchiveSettings.current().fonds_code
        org = dossier.customer.unit.code
        key = f"archives.item:{fonds}|{category.class_code}|{year}|{category.retention}|{org}"
        item_no = next_value(key)
        item = DossierItem(
            dossier=dossier,
            category=category,
            title=data["title"],
            document=document,
            medium=data.get("medium") or "paper",
            pages=data.get("pages"),
            note=data.get("note", ""),
            review=review,
            filed_at=now,
            filed_by=_actor_user(),
            year=year,
            retention=category.retention,
            item_no=item_no,
            reference_code=reference_code(fonds, category, year, category.retention, org, item_no),
        )
        item.full_clean()
        return audited_create(
            item, extra={"reference_code": item.reference_code, "review": review.pk}
        )


def update_item(
    item: DossierItem, data: dict[str, Any], expected_version: int | None
) -> DossierItem:
    if item.destroyed_at is not None:
        raise ValidationError(_("This item was destroyed."))
    updated = audited_update(
        item, {k: data[k] for k in ITEM_EDIT_FIELDS if k in data}, expected_version
    )
    assert isinstance(updated, DossierItem)
    return updated


# --- cabinets --------------------------------------------------------------------------


def add_month(day: datetime.date) -> datetime.date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def next_check_due(cabinet: Cabinet) -> datetime.date:
    start = cabinet.last_checked_on or timezone.localdate(cabinet.created_at)
    return add_month(start) if cabinet.last_checked_on else start


# The care items of a cabinet check: (done flag, its note), each required with a note when
# not done.
CARE_ITEMS = (
    ("damp_ok", "damp_note"),
    ("disinfected", "disinfection_note"),
    ("dust_ok", "dust_note"),
)


def record_check(
    cabinet: Cabinet,
    by: Any,
    *,
    checked_on: datetime.date,
    lock_ok: bool,
    damp_ok: bool,
    disinfected: bool,
    dust_ok: bool,
    damp_note: str = "",
    disinfection_note: str = "",
    dust_note: str = "",
    note: str = "",
) -> CabinetCheck:
    """The monthly check (ARC-3, ARC-9): the lock and the care against damp, pests and dust.
    Whatever is not in order is explained in its note, the check is flagged and the
    archivists are told."""
    values = {
        "damp_ok": damp_ok,
        "damp_note": damp_note.strip(),
        "disinfected": disinfected,
        "disinfection_note": disinfection_note.strip(),
        "dust_ok": dust_ok,
        "dust_note": dust_note.strip(),
    }
    errors: dict[str, list[str]] = {}
    if checked_on > timezone.localdate():
        errors["checked_on"] = [_("The check cannot be in the future.")]
    if not lock_ok and not note.strip():
        errors["note"] = [_("Describe the problem found.")]
    for done, explained in CARE_ITEMS:
        if not values[done] and not values[explained]:
            errors[explained] = [_("Say what was not done and why.")]
    if errors:
        raise ValidationError(errors)
    problem = not (lock_ok and damp_ok and disinfected and dust_ok)
    notes = [values[explained] for _done, explained in CARE_ITEMS]
    with transaction.atomic():
        check = CabinetCheck.objects.create(
            cabinet=cabinet,
            checked_on=checked_on,
            checked_by=by,
            lock_ok=lock_ok,
            has_problem=problem,
            note=note.strip(),
            **values,
        )
        latest = max(filter(None, [cabinet.last_checked_on, checked_on]))
        Cabinet.objects.filter(pk=cabinet.pk).update(last_checked_on=latest)
        cabinet.last_checked_on = latest
        record(
            "archives.cabinet.check",
            cabinet,
            extra={
                "checked_on": checked_on,
                "lock_ok": lock_ok,
                **values,
                "has_problem": problem,
                "note": check.note,
            },
        )
        if problem:
            notify(
                archivists(),
                _("Cabinet %(code)s: problem found at the check") % {"code": cabinet.code},
                "; ".join(str(text) for text in [check.note, *notes] if text),
                reverse("generic:cabinets_detail", args=[cabinet.pk]),
            )
    return check


def archivists() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role_assignments__role=Role.ARCHIVIST).distinct()
    )


def save_settings(data: dict[str, Any], expected_version: int | None) -> ArchiveSettings:
    validate_pattern(data.get("number_pattern", ""))
    config = ArchiveSettings.current()
    updated = audited_update(config, data, expected_version)
    assert isinstance(updated, ArchiveSettings)
    return updated


def record_print(form: str, obj: Any) -> None:
    """Printing a form is an audit event like an export (SEC-4)."""
    record(f"{obj._meta.label_lower}.print", obj, extra={"form": form})


def record_list_print(label: str, filters: dict[str, Any], rows: int) -> None:
    record(
        f"{label}.print",
        None,
        object_type=label,
        object_repr=label,
        extra={"filters": filters, "rows": rows},
    )
