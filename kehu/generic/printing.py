"""A record list printed as PDF (a register, 一览表): the list's rows with the columns given,
masked as the list shows them, optionally in groups (one heading per department), with the
printer's name and time. At most PRINT_LIMIT rows; a longer list says so and points to the
export, which has no limit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.generic.cells import cell_value
from kehu.generic.registry import Column, RecordType
from kehu.infra import pdf

PRINT_LIMIT = 2000


def printed(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if hasattr(value, "hour") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def list_pdf(
    title: str,
    record_type: RecordType,
    columns: Sequence[Column],
    rows: Iterable[Any],
    user: Any,
    *,
    group_by: str = "",
    total: int | None = None,
    widths: list[float] | None = None,
) -> bytes:
    """The rows as a printed list; `group_by` names the column path ("unit.name") whose
    value heads each group (rows must come ordered by it); `total` the rows there were, when
    more than were printed."""
    name = getattr(user, "full_name", "") or getattr(user, "username", "")
    doc = pdf.Document(title=title, author=name)
    doc.heading(title)
    stamp = f"{timezone.localtime():%Y-%m-%d %H:%M}"
    doc.paragraph(_("Printed by %(name)s · %(time)s") % {"name": name, "time": stamp})
    header = [str(record_type.column_label(c)) for c in columns]
    group: Any = object()
    table: list[list[str]] = []
    count = 0

    def flush() -> None:
        if table:
            doc.table([header, *table], col_widths=widths)
            table.clear()

    for row in rows:
        if group_by:
            value = cell_value(row, group_by)
            if value != group:
                flush()
                group = value
                doc.heading(printed(value) or _("None"))
        table.append([printed(cell_value(row, c.name)) for c in columns])
        count += 1
    flush()
    if total is not None and total > count:
        doc.paragraph(
            _("%(shown)s of %(total)s rows printed; export the list for all of them.")
            % {"shown": count, "total": total}
        )
    return doc.build()
