"""Receivables and open orders as they arrive from the finance system, by file or by API:
each item is upserted by its number (an invoice imported twice is updated, never doubled),
checked first (nothing stored when any item is wrong), and the customers' accounts summed
again afterwards."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.credit.exposure import account_refresh
from kehu.credit.models import ZERO, OpenOrder, Receivable
from kehu.customers.models import Customer
from kehu.infra.normalize import clean_text, compact_code, parse_amount, parse_date
from kehu.infra.tabular import named_rows, read_table

# No single invoice or order of these customers reaches ten billion 元: a larger figure is
# a typing or unit mistake.
MAX_AMOUNT = Decimal("9999999999.99")
MAX_ROWS = 50_000

INVOICE_HEADINGS = {
    "客户编号": "customer", "customer": "customer", "customer_id": "customer",
    "统一社会信用代码": "credit_code", "信用代码": "credit_code", "credit_code": "credit_code",
    "发票号": "number", "发票号码": "number", "invoice_number": "number", "number": "number",
    "开票日期": "date", "发票日期": "date", "invoice_date": "date", "date": "date",
    "到期日": "due_date", "到期日期": "due_date", "due_date": "due_date",
    "金额": "amount", "发票金额": "amount", "amount": "amount",
    "已付": "paid", "已收": "paid", "已收金额": "paid", "paid": "paid",
}  # fmt: skip
ORDER_HEADINGS = {
    "客户编号": "customer", "customer": "customer", "customer_id": "customer",
    "统一社会信用代码": "credit_code", "信用代码": "credit_code", "credit_code": "credit_code",
    "订单号": "number", "订单编号": "number", "order_number": "number", "number": "number",
    "订单日期": "date", "order_date": "date", "date": "date",
    "金额": "amount", "订单金额": "amount", "amount": "amount",
    "已关闭": "closed", "closed": "closed",
}  # fmt: skip
_TRUE = {"1", "true", "yes", "是", "y", "已关闭", "关闭"}


@dataclass
class Item:
    """One invoice or order as given, with its errors by field."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    action: str = ""  # "new", "update", "same"

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    @property
    def messages(self) -> list[str]:
        return [m for ms in self.errors.values() for m in ms]


@dataclass
class Result:
    items: list[Item]
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.items) and not any(i.errors for i in self.items)

    def count(self, action: str) -> int:
        return sum(1 for i in self.items if i.action == action and not i.errors)


def _amount(item: Item, name: str, raw: Any, *, required: bool = True) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else parse_amount(str(raw or ""))
        if isinstance(value, Decimal):
            value = value.quantize(Decimal("0.01"))
    except (ValidationError, InvalidOperation):
        item.error(name, _("Enter an amount in 元, such as 12500.00 or 1.25万."))
        return ZERO
    if value is None:
        if required:
            item.error(name, _("This amount is required."))
        return ZERO
    if value < 0:
        item.error(name, _("The amount cannot be negative."))
    elif value > MAX_AMOUNT:
        item.error(name, _("The amount is too large; check the figure and its unit."))
    return value


def _date(item: Item, name: str, raw: Any) -> datetime.date | None:
    try:
        value = parse_date(raw if isinstance(raw, datetime.date) else str(raw or ""))
    except ValidationError:
        item.error(name, _("Enter a date such as 2026-05-01 or 2026年5月1日."))
        return None
    if value is None:
        item.error(name, _("This date is required."))
    return value


def _customers(raw_items: list[tuple[int, dict[str, Any]]]) -> dict[str, int]:
    """Customer ids by the number or credit code the items name, read in two queries."""
    ids = {str(v.get("customer", "")).strip() for _line, v in raw_items}
    codes = {compact_code(str(v.get("credit_code", ""))) for _line, v in raw_items}
    numbers = [int(i) for i in ids if i.isdigit()]
    found: dict[str, int] = {}
    for pk in Customer.objects.filter(pk__in=numbers).values_list("pk", flat=True):
        found[str(pk)] = pk
    for pk, code in Customer.objects.filter(credit_code__in=[c for c in codes if c]).values_list(
        "pk", "credit_code"
    ):
        found[f"code:{code}"] = pk
    return found


def _customer(item: Item, raw: dict[str, Any], found: dict[str, int]) -> int | None:
    number = str(raw.get("customer", "")).strip()
    code = compact_code(str(raw.get("credit_code", "")))
    pk = found.get(number) if number else found.get(f"code:{code}") if code else None
    if pk is None:
        item.error(
            "customer",
            _("No customer with this number or credit code.")
            if number or code
            else _("Name the customer by its number or credit code."),
        )
    return pk


def _number(item: Item, raw: dict[str, Any]) -> str:
    number = clean_text(str(raw.get("number", "")))
    if not number:
        item.error("number", _("The number is required."))
    elif len(number) > 40:
        item.error("number", _("The number is longer than 40 characters."))
    return number


def check_invoices(raw_items: list[tuple[int, dict[str, Any]]]) -> Result:
    """Check every invoice; decide whether each is new, changed or the same. Saves nothing."""
    found = _customers(raw_items)
    items: list[Item] = []
    for line, raw in raw_items:
        item = Item(line)
        item.values["customer_id"] = _customer(item, raw, found)
        item.values["invoice_number"] = _number(item, raw)
        item.values["invoice_date"] = _date(item, "date", raw.get("date"))
        item.values["due_date"] = _date(item, "due_date", raw.get("due_date"))
        amount = item.values["amount"] = _amount(item, "amount", raw.get("amount"))
        paid = item.values["paid"] = _amount(item, "paid", raw.get("paid"), required=False)
        if paid > amount and "amount" not in item.errors:
            item.error("paid", _("The amount paid cannot exceed the invoice amount."))
        start, due = item.values["invoice_date"], item.values["due_date"]
        if start and due and due < start:
            item.error("due_date", _("The due date cannot be before the invoice date."))
        items.append(item)
    _classify(items, Receivable, "invoice_number", ("customer_id", "invoice_date", "due_date",
              "amount", "paid"))  # fmt: skip
    return Result(items)


def check_orders(raw_items: list[tuple[int, dict[str, Any]]]) -> Result:
    found = _customers(raw_items)
    items: list[Item] = []
    for line, raw in raw_items:
        item = Item(line)
        item.values["customer_id"] = _customer(item, raw, found)
        item.values["order_number"] = _number(item, raw)
        item.values["order_date"] = _date(item, "date", raw.get("date"))
        item.values["amount"] = _amount(item, "amount", raw.get("amount"))
        closed = raw.get("closed", False)
        item.values["closed"] = (
            closed if isinstance(closed, bool) else clean_text(str(closed)).lower() in _TRUE
        )
        items.append(item)
    _classify(items, OpenOrder, "order_number", ("customer_id", "order_date", "amount", "closed"))
    return Result(items)


def _classify(items: list[Item], model: Any, key: str, compared: tuple[str, ...]) -> None:
    """Mark each valid item new, changed or the same as the stored one; a number given twice
    in one batch is an error."""
    numbers = [i.values[key] for i in items if not i.errors]
    existing = {
        getattr(row, key): row
        for start in range(0, len(numbers), 500)
        for row in model.objects.filter(**{f"{key}__in": numbers[start : start + 500]})
    }
    seen: dict[str, int] = {}
    for item in items:
        if item.errors:
            continue
        number = item.values[key]
        if number in seen:
            item.error("number", _("Same number as row %(n)s.") % {"n": seen[number]})
            continue
        seen[number] = item.line
        stored = existing.get(number)
        if stored is None:
            item.action = "new"
        elif all(getattr(stored, f) == item.values[f] for f in compared):
            item.action = "same"
        else:
            item.action = "update"


def _save(result: Result, model: Any, key: str, action: str, source: str) -> Result:
    if not result.ok:
        raise ValidationError(_("The items have errors; nothing was stored."))
    customers: set[int] = set()
    with transaction.atomic():
        for item in result.items:
            if item.action == "same":
                continue
            values = dict(item.values)
            if model is Receivable:
                values["open_amount"] = values["amount"] - values["paid"]
            stored = model.objects.filter(**{key: values[key]}).first()
            if stored is not None:
                customers.add(stored.customer_id)  # an item moved to another customer
            model.objects.update_or_create(**{key: values.pop(key)}, defaults=values)
            customers.add(item.values["customer_id"])
        for customer_id in sorted(customers):
            account_refresh(customer_id)
        record(
            action,
            None,
            object_type=model._meta.label_lower,
            extra={
                "source": source[:200],
                "new": result.count("new"),
                "updated": result.count("update"),
                "unchanged": result.count("same"),
            },
        )
    return result


def invoices_upsert(raw_items: list[tuple[int, dict[str, Any]]], *, source: str) -> Result:
    """Store every invoice or none (ValidationError when any is wrong)."""
    return _save(
        check_invoices(raw_items), Receivable, "invoice_number", "credit.receivable.import", source
    )


def orders_upsert(raw_items: list[tuple[int, dict[str, Any]]], *, source: str) -> Result:
    return _save(
        check_orders(raw_items), OpenOrder, "order_number", "credit.openorder.import", source
    )


def read_file(
    name: str, content: bytes, headings: dict[str, str]
) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """The file's items (line, fields) and its file-level errors."""
    try:
        table = read_table(name, content)
    except ValidationError as error:
        return [], [str(m) for m in error.messages]
    columns, rows = named_rows(table, headings)
    if not rows:
        return [], [_("The file holds no rows.")]
    if "number" not in columns or "amount" not in columns:
        return [], [
            _("The first row must name the columns; the number and the amount are required.")
        ]
    if len(rows) > MAX_ROWS:
        return [], [_("At most %(n)s rows per file.") % {"n": MAX_ROWS}]
    return list(rows), []


def import_file(name: str, content: bytes, *, kind: str) -> Result:
    """Import a file of invoices (`kind` "invoices") or orders ("orders"): every row or none.
    Returns the checked result; raises nothing for a wrong file (see `Result.ok`)."""
    headings = INVOICE_HEADINGS if kind == "invoices" else ORDER_HEADINGS
    raw, file_errors = read_file(name, content, headings)
    if file_errors:
        return Result([], file_errors)
    check = check_invoices if kind == "invoices" else check_orders
    result = check(raw)
    if not result.ok:
        return result
    model, key, action = (
        (Receivable, "invoice_number", "credit.receivable.import")
        if kind == "invoices"
        else (OpenOrder, "order_number", "credit.openorder.import")
    )
    return _save(result, model, key, action, name)
