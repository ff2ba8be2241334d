"""The printed contract ledger (合同管理台帐, PDF): the rows of the ledger page's filters,
the columns of its Excel export, through kehu.infra.pdf."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.generic.cells import cell_value
from kehu.generic.registry import RecordType
from kehu.infra import pdf

PRINT_LIMIT = 2000
WIDTHS: list[float] = [26, 30, 30, 18, 16, 14, 18, 10, 16, 16, 14, 18]


def _printed(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def ledger(record_type: RecordType, rows: Any, user: Any) -> bytes:
    name = getattr(user, "full_name", "") or getattr(user, "username", "")
    title = _("Contract ledger")
    doc = pdf.Document(title=title, author=name)
    doc.heading(title)
    printed = {"name": name, "time": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    doc.paragraph(_("Printed by %(name)s · %(time)s") % printed)
    columns = record_type.listing.columns
    table = [[str(record_type.column_label(c)) for c in columns]]
    for row in rows:
        table.append([_printed(cell_value(row, c.name)) for c in columns])
    doc.table(table, col_widths=WIDTHS[: len(columns)])
    return doc.build()
