"""The watch list (FIL-4): matching a customer by credit code and by name, and the import of
an administrator's file (CSV or xlsx) with a preview and per-row errors. An import is all or
nothing, and importing the same file again changes nothing (rows are matched by list and
credit code, or list and name when the code is blank). Each import then flags the active
customers newly found on the list (kehu.filing.monitoring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.customers.identifiers import clean_credit_code
from kehu.customers.models import Customer
from kehu.filing import monitoring
from kehu.filing.models import WatchList, WatchListEntry, name_key
from kehu.infra.normalize import clean_text, compact_code, parse_date
from kehu.infra.tabular import read_table


def matches(customer: Customer) -> QuerySet[WatchListEntry]:
    """Active entries naming this customer by credit code or by exact (normalised) name."""
    condition = Q(name_key=name_key(customer.name))
    if customer.credit_code:
        condition |= Q(credit_code=customer.credit_code)
    return WatchListEntry.objects.filter(condition, is_active=True).order_by("list_kind", "pk")


# --- import ----------------------------------------------------------------------------

# Accepted column headings (Chinese or English) → field.
HEADINGS = {
    "名称": "name", "企业名称": "name", "name": "name",
    "统一社会信用代码": "credit_code", "信用代码": "credit_code", "credit_code": "credit_code",
    "名录": "list_kind", "名单": "list_kind", "list": "list_kind", "list_kind": "list_kind",
    "来源": "source", "source": "source",
    "列入日期": "listed_on", "日期": "listed_on", "date": "listed_on", "listed_on": "listed_on",
    "备注": "note", "note": "note",
}  # fmt: skip
LIST_NAMES = {
    "abnormal": WatchList.ABNORMAL, "经营异常名录": WatchList.ABNORMAL,
    "经营异常": WatchList.ABNORMAL,
    "dishonest": WatchList.DISHONEST, "严重违法失信名单": WatchList.DISHONEST,
    "严重违法失信": WatchList.DISHONEST, "失信": WatchList.DISHONEST,
    "other": WatchList.OTHER, "其他": WatchList.OTHER,
}  # fmt: skip
MAX_ROWS = 20_000


@dataclass
class Row:
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    action: str = ""  # "new", "update", "same"
    existing: WatchListEntry | None = None


@dataclass
class Preview:
    rows: list[Row]
    file_errors: list[str] = field(default_factory=list)
    # Active customers newly found on the list by the import.
    flagged: int = 0

    @property
    def errors(self) -> list[Row]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors and bool(self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)


def _clean_row(line: int, raw: dict[str, str]) -> Row:
    row = Row(line)
    name = clean_text(raw.get("name", ""))
    if not name:
        row.errors.append(_("The name is missing."))
    row.values["name"] = name[:200]
    code = compact_code(raw.get("credit_code", ""))
    if code:
        try:
            code = clean_credit_code(code)
        except ValidationError as error:
            row.errors.extend(str(m) for m in error.messages)
    row.values["credit_code"] = code
    kind = LIST_NAMES.get(clean_text(raw.get("list_kind", "")).lower())
    if kind is None:
        row.errors.append(_("Unknown list: use 经营异常名录, 严重违法失信名单 or 其他."))
    row.values["list_kind"] = kind or ""
    row.values["source"] = clean_text(raw.get("source", ""))[:200]
    row.values["note"] = clean_text(raw.get("note", ""))[:300]
    try:
        row.values["listed_on"] = parse_date(raw.get("listed_on", "").strip() or None)
    except ValidationError as error:
        row.errors.extend(str(m) for m in error.messages)
        row.values["listed_on"] = None
    return row


def _identity(values: dict[str, Any]) -> tuple[str, str, str]:
    """How a row finds its entry: list and credit code, or list and name without a code."""
    if values["credit_code"]:
        return (values["list_kind"], "code", values["credit_code"])
    return (values["list_kind"], "name", name_key(values["name"]))


def _existing(rows: list[Row]) -> dict[tuple[str, str, str], WatchListEntry]:
    """The entries the rows name, read in a few queries (not one per row)."""
    wanted = {_identity(r.values) for r in rows if not r.errors}
    codes = sorted({key for _kind, how, key in wanted if how == "code"})
    names = sorted({key for _kind, how, key in wanted if how == "name"})
    found: dict[tuple[str, str, str], WatchListEntry] = {}
    batches = [Q(credit_code__in=codes[i : i + 500]) for i in range(0, len(codes), 500)]
    batches += [
        Q(credit_code="", name_key__in=names[i : i + 500]) for i in range(0, len(names), 500)
    ]
    for condition in batches:
        for entry in WatchListEntry.objects.filter(condition).order_by("pk"):
            how, key = (
                ("code", entry.credit_code) if entry.credit_code else ("name", entry.name_key)
            )
            found.setdefault((entry.list_kind, how, key), entry)
    return found


_COMPARED = ("name", "credit_code", "list_kind", "source", "listed_on", "note")


def preview(name: str, content: bytes) -> Preview:
    """Read and check every row; nothing is saved."""
    try:
        table = read_table(name, content)
    except ValidationError as error:
        return Preview([], [str(m) for m in error.messages])
    table = [r for r in table if any(str(c).strip() for c in r)]
    if not table:
        return Preview([], [_("The file holds no rows.")])
    columns = [HEADINGS.get(clean_text(str(h)).lower()) for h in table[0]]
    if "name" not in columns or "list_kind" not in columns:
        return Preview([], [_("The first row must name the columns; 名称 and 名录 are required.")])
    if len(table) - 1 > MAX_ROWS:
        return Preview([], [_("At most %(n)s rows per file.") % {"n": MAX_ROWS}])
    rows = [
        _clean_row(line, {c: str(v) for c, v in zip(columns, cells, strict=False) if c})
        for line, cells in enumerate(table[1:], start=2)
    ]
    existing_entries = _existing(rows)
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        if not row.errors:
            identity = _identity(row.values)
            if identity in seen:
                row.errors.append(_("Same entry as row %(n)s.") % {"n": seen[identity]})
            seen[identity] = row.line
            existing = row.existing = existing_entries.get(identity)
            if existing is None:
                row.action = "new"
            elif (
                all(getattr(existing, f) == row.values[f] for f in _COMPARED) and existing.is_active
            ):
                row.action = "same"
            else:
                row.action = "update"
    return Preview(rows)


def import_file(name: str, content: bytes) -> Preview:
    """Import every row or none: raises ValidationError (with the preview's errors) if any
    row is wrong. New entries are created, changed ones updated, identical ones left alone;
    then every active customer newly matching an active entry is flagged and reported."""
    result = preview(name, content)
    if not result.ok:
        raise ValidationError(_("The file has errors; nothing was imported."))
    with transaction.atomic():
        new = [
            WatchListEntry(**r.values, name_key=name_key(r.values["name"]))
            for r in result.rows
            if r.action == "new"
        ]
        WatchListEntry.objects.bulk_create(new, batch_size=1000)
        for row in result.rows:
            if row.action == "update" and row.existing is not None:
                for key, value in (row.values | {"is_active": True}).items():
                    setattr(row.existing, key, value)
                row.existing.version += 1
                row.existing.save()
        result.flagged = len(monitoring.flag_matching_customers())
        record(
            "filing.watchlistentry.import",
            None,
            object_type="filing.watchlistentry",
            extra={
                "file": name[:200],
                "new": result.count("new"),
                "updated": result.count("update"),
                "unchanged": result.count("same"),
                "customers_flagged": result.flagged,
            },
        )
    return result
