"""Excel and CSV files of record lists. A file names its exporter and time (SEC-4) in its
first row (and an Excel file in its document properties: creator, title, created,
description); sensitive fields are masked (kehu.core.masking via `cell_value`), CORE columns
left out for whoever may not reveal them, and text a spreadsheet would evaluate as a formula
is written inert. Both writers take any iterable of rows and hold one row at a time: CSV is
produced as a stream of byte chunks, Excel in openpyxl's write-only mode into a file."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kehu.audit.services import record
from kehu.core import masking
from kehu.generic.cells import cell_value

# An Excel sheet holds 1,048,576 rows; two are the exporter's line and the header. A longer
# list is exported as CSV, which has no limit.
XLSX_MAX_ROWS = 1_048_576 - 2
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# Excel reads a CSV file as UTF-8 (and so shows Chinese) only when it starts with the BOM.
BOM = "\ufeff".encode()
# Bytes of CSV gathered before a chunk is handed on.
CSV_CHUNK = 64 * 1024

# A text cell starting with one of these is read by Excel (and LibreOffice, or as CSV) as a
# formula or a DDE command; such cells are written as text marked with Excel's quote prefix
# (in CSV, which has no cell types, with a leading apostrophe).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

type Columns = list[tuple[str, str]]


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str | int | float) or hasattr(value, "isoformat"):
        return value
    return str(value)


def _cell(sheet: Any, value: Any) -> Any:
    """The value as written: text that Excel would evaluate stays inert text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def csv_text(value: Any) -> str:
    """A value as a CSV field: times to the second, and text a spreadsheet would evaluate
    led by an apostrophe (OWASP's advice for CSV injection)."""
    value = _plain(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if not isinstance(value, str):
        return str(value)  # a number: never a formula
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def _column_tier(model: type[Model], name: str) -> str:
    """The sensitivity tier of the field a column ("customer.id_number") shows."""
    *path, last = name.split(".")
    for part in path:
        try:
            related = model._meta.get_field(part).related_model
        except FieldDoesNotExist:
            return masking.GENERAL
        if related is None or isinstance(related, str):
            return masking.GENERAL
        model = related
    return masking.tier_of(model._meta.label_lower, last)


def columns_for(model: type[Model], columns: Columns, user: Any) -> Columns:
    """The columns `user` may export: CORE fields (always masked in a file) are left out
    entirely for a user who may not reveal CORE values."""
    if masking.may_see_core(user):
        return columns
    return [(name, label) for name, label in columns if _column_tier(model, name) != masking.CORE]


def exported_line(exporter: str, now: datetime.datetime) -> str:
    stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M:%S")
    return _("Exported by %(user)s at %(time)s") % {"user": exporter, "time": stamp}


def write_xlsx(
    target: str | IO[bytes],
    title: str,
    columns: Columns,
    rows: Iterable[Any],
    exporter: str,
    values: Callable[[Any], list[Any]] | None = None,
) -> int:
    """Write the rows as an Excel workbook to `target` (a path or a binary file); the number
    of rows written. `values(row)` gives a row's cells (default: the columns' `cell_value`)."""
    workbook = Workbook(write_only=True)
    now = timezone.now()
    line = exported_line(exporter, now)
    # The exporter and time also in the file's properties (SEC-4), where they survive
    # someone deleting the first row.
    workbook.properties.creator = exporter
    workbook.properties.lastModifiedBy = exporter
    workbook.properties.title = title
    workbook.properties.description = line
    workbook.properties.created = now.replace(tzinfo=None)
    workbook.properties.modified = now.replace(tzinfo=None)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_cell(sheet, line)])
    header = []
    for _name, label in columns:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    names = [name for name, _label in columns]
    count = 0
    for row in rows:
        cells = values(row) if values else [cell_value(row, name) for name in names]
        sheet.append([_cell(sheet, _plain(value)) for value in cells])
        count += 1
    workbook.save(target)
    return count


def rows_to_xlsx(title: str, columns: Columns, rows: Any, exporter: str) -> tuple[bytes, int]:
    """A short list as the bytes of an Excel workbook, and its number of rows."""
    buffer = io.BytesIO()
    count = write_xlsx(buffer, title, columns, rows, exporter)
    return buffer.getvalue(), count


def csv_chunks(
    columns: Columns,
    rows: Iterable[Any],
    exporter: str,
    values: Callable[[Any], list[Any]] | None = None,
) -> Iterator[bytes]:
    """The rows as UTF-8 CSV (with the BOM, the exporter's line, then the header), in chunks
    of about CSV_CHUNK bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_text(exported_line(exporter, timezone.now()))])
    writer.writerow([csv_text(str(label)) for _name, label in columns])
    yield BOM
    names = [name for name, _label in columns]
    for row in rows:
        cells = values(row) if values else [cell_value(row, name) for name in names]
        writer.writerow([csv_text(value) for value in cells])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def record_export(label: str, title: str, rows: int, filters: dict[str, Any], fmt: str) -> None:
    """The export as an audit event (SEC-4): what was exported, how many rows, with which
    filters."""
    record(
        f"{label}.export",
        object_type=label,
        object_repr=title,
        extra={"rows": rows, "filters": filters, "format": fmt},
    )


def export_queryset(
    label: str,
    title: str,
    columns: Columns,
    queryset: QuerySet[Any],
    user: Any,
    filters: dict[str, Any],
) -> bytes:
    """A short list (a register page's rows) as Excel bytes, recorded as an export."""
    content, count = rows_to_xlsx(
        title, columns, queryset[:XLSX_MAX_ROWS].iterator(chunk_size=2000), str(user)
    )
    record_export(label, title, count, filters, "xlsx")
    return content
