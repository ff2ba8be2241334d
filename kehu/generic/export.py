"""Excel export of any record list. The file names its exporter and time (SEC-4) in its first
row and in its document properties (creator, title, created, description); the export itself
is an audit event, and sensitive fields are masked (kehu.core.masking via `cell_value`)."""

from __future__ import annotations

import io
from typing import Any

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

EXPORT_LIMIT = 100_000

# A text cell starting with one of these is read by Excel (and LibreOffice, or as CSV) as a
# formula or a DDE command; such cells are written as text marked with Excel's quote prefix.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


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


def columns_for(
    model: type[Model], columns: list[tuple[str, str]], user: Any
) -> list[tuple[str, str]]:
    """The columns `user` may export: CORE fields (always masked in a file) are left out
    entirely for a user who may not reveal CORE values."""
    if masking.may_see_core(user):
        return columns
    return [(name, label) for name, label in columns if _column_tier(model, name) != masking.CORE]


def rows_to_xlsx(
    title: str, columns: list[tuple[str, str]], rows: Any, exporter: str
) -> tuple[bytes, int]:
    workbook = Workbook(write_only=True)
    now = timezone.now()
    stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M:%S")
    line = _("Exported by %(user)s at %(time)s") % {"user": exporter, "time": stamp}
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
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, _plain(cell_value(row, name))) for name, _label in columns])
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def export_queryset(
    label: str,
    title: str,
    columns: list[tuple[str, str]],
    queryset: QuerySet[Any],
    user: Any,
    filters: dict[str, Any],
) -> bytes:
    content, count = rows_to_xlsx(
        title, columns, queryset[:EXPORT_LIMIT].iterator(chunk_size=2000), str(user)
    )
    record(
        f"{label}.export",
        object_type=label,
        object_repr=title,
        extra={"rows": count, "filters": filters, "format": "xlsx"},
    )
    return content
