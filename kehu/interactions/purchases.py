"""Purchases (INT-2): recorded one by one or imported from a CSV file (all rows valid or
none stored; a row already there is skipped, so a file imports once), and the customer's
short profile on the card: what it buys, how it rates our service, how it fulfils."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core.access import DENIED
from kehu.customers.assignment import attachable_customers
from kehu.customers.models import Customer
from kehu.generic.services import audited_create
from kehu.interactions.models import (
    Complaint,
    ComplaintStatus,
    Purchase,
    ServiceTicket,
)

FIELDS = ("purchased_on", "product", "quantity", "unit_price", "amount", "order_number", "note")
# The file's columns (the first line), in Chinese as the sales office keeps them.
COLUMNS = {
    "customer": "客户编号",
    "purchased_on": "日期",
    "product": "产品或服务",
    "quantity": "数量",
    "unit_price": "单价",
    "amount": "金额",
    "order_number": "订单号",
}


def _check(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    for key in ("quantity", "unit_price", "amount"):
        if data.get(key) is not None:
            data[key] = Decimal(str(data[key]))
    quantity, price = data.get("quantity"), data.get("unit_price")
    if quantity is not None and quantity <= 0:
        errors["quantity"] = [_("The quantity must be more than zero.")]
    if price is not None and price < 0:
        errors["unit_price"] = [_("The unit price cannot be negative.")]
    amount = data.get("amount")
    if quantity is not None and price is not None:
        expected = (quantity * price).quantize(Decimal("0.01"))
        if amount is None:
            data["amount"] = expected
        elif abs(amount - expected) > Decimal("0.01"):
            errors["amount"] = [_("Quantity × unit price is %(n)s.") % {"n": expected}]
    if data.get("purchased_on") and data["purchased_on"] > timezone.localdate():
        errors["purchased_on"] = [_("A purchase is recorded after it was made.")]
    if errors:
        raise ValidationError(errors)
    return data


def purchase_create(data: dict[str, Any]) -> Purchase:
    user = data.get("submitted_by")
    customer = data["customer"]
    if user is None or not attachable_customers(user).filter(pk=customer.pk).exists():
        raise PermissionDenied(DENIED)
    data = _check(dict(data))
    purchase = Purchase(customer=customer, **{k: data[k] for k in FIELDS if k in data})
    purchase.full_clean()
    return audited_create(purchase)


@dataclass(frozen=True)
class ImportResult:
    created: int
    skipped: int


def _decimal(text: str) -> Decimal | None:
    cleaned = text.replace(",", "").replace("，", "").strip()
    if not cleaned:
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None


def purchases_import(content: bytes, *, by: Any) -> ImportResult:
    """Import a CSV file (UTF-8, with or without BOM); errors name the line and the column."""
    text = content.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in COLUMNS.values() if name not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError(
            {"file": [_("Missing columns: %(names)s.") % {"names": "、".join(missing)}]}
        )
    allowed = attachable_customers(by)
    rows, problems = [], []
    for line, raw in enumerate(reader, start=2):
        try:
            values = _row(raw, allowed)
            _check(values)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                where = {"line": line, "column": COLUMNS.get(field, field)}
                problems.append(
                    _("Line %(line)s, %(column)s: %(message)s") % {**where, "message": messages[0]}
                )
            continue
        rows.append(values)
    if problems:
        raise ValidationError({"file": problems[:50]})
    created = skipped = 0
    with transaction.atomic():
        for values in rows:
            known = Purchase.objects.filter(
                customer=values["customer"], order_number=values["order_number"],
                product=values["product"],
            ).exists() if values["order_number"] else False  # fmt: skip
            if known:
                skipped += 1
                continue
            Purchase.objects.create(**values)
            created += 1
        record("interactions.purchase.import", extra={"created": created, "skipped": skipped})
    return ImportResult(created, skipped)


def _row(raw: dict[str, str], allowed: Any) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    number = (raw.get(COLUMNS["customer"]) or "").strip()
    customer = allowed.filter(pk=int(number)).first() if number.isdigit() else None
    if customer is None:
        errors["customer"] = [_("No customer of yours with this number.")]
    values["customer"] = customer
    try:
        values["purchased_on"] = datetime.date.fromisoformat(
            (raw.get(COLUMNS["purchased_on"]) or "").strip()
        )
    except ValueError:
        errors["purchased_on"] = [_("A date such as 2026-11-02.")]
    values["product"] = (raw.get(COLUMNS["product"]) or "").strip()
    if not values["product"]:
        errors["product"] = [_("Required.")]
    for key in ("quantity", "unit_price", "amount"):
        try:
            values[key] = _decimal(raw.get(COLUMNS[key]) or "")
        except ValueError:
            errors[key] = [_("A number.")]
    for key in ("quantity", "unit_price"):
        if key not in errors and values.get(key) is None:
            errors[key] = [_("Required.")]
    values["order_number"] = (raw.get(COLUMNS["order_number"]) or "").strip()
    if errors:
        raise ValidationError(errors)
    return values


def trend(recent: Decimal, earlier: Decimal | None) -> Decimal | None:
    """The change of the amount in per cent (None without purchases to compare with)."""
    if not earlier:
        return None
    return ((recent - earlier) * 100 / earlier).quantize(Decimal("0.1"))


def profile(customer: Customer) -> dict[str, Any]:
    """The card's short profile: the last twelve months' purchases (how many, how often, how
    much, the trend against the year before) and favourite products, service ratings
    (tickets' satisfaction) and fulfilment (complaints, SLA breaches)."""
    since = timezone.localdate() - datetime.timedelta(days=365)
    recent = Purchase.objects.filter(customer=customer, purchased_on__gte=since)
    totals = recent.aggregate(n=Count("pk"), amount=Sum("amount"))
    earlier = Purchase.objects.filter(
        customer=customer, purchased_on__gte=since - datetime.timedelta(days=365),
        purchased_on__lt=since,
    ).aggregate(amount=Sum("amount"))["amount"]  # fmt: skip
    favourites = list(
        Purchase.objects.filter(customer=customer)
        .values("product")
        .annotate(total=Sum("amount"))
        .order_by("-total")[:3]
    )
    tickets = ServiceTicket.objects.filter(customer=customer)
    rated = tickets.filter(satisfaction__isnull=False).aggregate(avg=Avg("satisfaction"))
    return {
        "purchases_12m": totals["n"] or 0,
        "amount_12m": totals["amount"] or Decimal("0"),
        # How often: purchases a month over the last twelve months.
        "per_month": (Decimal(totals["n"] or 0) / 12).quantize(Decimal("0.1")),
        # The trend: the last twelve months' amount against the twelve before (per cent).
        "trend": trend(totals["amount"] or Decimal("0"), earlier),
        "favourites": [row["product"] for row in favourites],
        "satisfaction": round(rated["avg"], 1) if rated["avg"] is not None else None,
        "open_complaints": Complaint.objects.filter(customer=customer)
        .exclude(status=ComplaintStatus.CLOSED)
        .count(),
        "sla_breaches": tickets.filter(breached=True).count(),
    }
