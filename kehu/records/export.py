"""Excel export of any record list. The file names its exporter and time (SEC-4) and the
export itself is an audit event."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kehu.audit.services import record
from kehu.records.listing import cell_value

EXPORT_LIMIT = 100_000


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


def rows_to_xlsx(
    title: str, columns: list[tuple[str, str]], rows: Any, exporter: str
) -> tuple[bytes, int]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    sheet.append([_("Exported by %(user)s at %(time)s") % {"user": exporter, "time": stamp}])
    header = []
    for _name, label in columns:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_plain(cell_value(row, name)) for name, _label in columns])
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
