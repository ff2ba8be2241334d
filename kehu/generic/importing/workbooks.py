"""The workbooks an import hands out: the template to fill in (headings, one example row, a
second sheet explaining each column and its allowed values) and the error report (the
uploaded rows with an error column, the bad rows marked)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kehu.generic.importing.columns import Column
from kehu.infra.tabular import cell_text, iter_cells

# Past this many rows the report holds only the bad rows (with their line numbers): writing
# every row of a very large file would take longer than fixing the few bad ones.
FULL_REPORT_ROWS = 20_000
_BAD = PatternFill("solid", fgColor="FFE0E0")
_BOLD = Font(bold=True)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template(columns: list[Column]) -> bytes:
    """An .xlsx to fill in: the Chinese headings (required ones starred), one example row;
    a second sheet explaining each column."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Import")
    sheet.append([f"{c.zh}*" if c.required else c.zh for c in columns])
    sheet.append([c.example for c in columns])
    for cell in sheet[1]:
        cell.font = _BOLD
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column.zh) * 2 + 4)
        sheet.cell(row=2, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("Columns explained"))
    notes.append(
        [_("Column"), _("English heading"), _("Required"), _("Meaning"), _("Allowed values")]
    )
    for cell in notes[1]:
        cell.font = _BOLD
    for column in columns:
        notes.append(
            [
                column.zh,
                column.en,
                _("yes") if column.required else _("no"),
                str(column.help),
                str(column.allowed),
            ]
        )
    for letter, width in zip("ABCDE", (18, 22, 8, 60, 60), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return _save(workbook)


def error_report(name: str, content: bytes, errors: Mapping[str, list[str]]) -> bytes:
    """The uploaded rows with an error column first and the line number, each bad row
    highlighted; past FULL_REPORT_ROWS rows only the heading row and the bad rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Errors"))
    rows = [cells for cells in iter_cells(name, content)]
    only_bad = len(rows) > FULL_REPORT_ROWS
    header_done = False
    for line, cells in enumerate(rows, start=1):
        texts = [cell_text(c) for c in cells]
        if not header_done:
            if not any(t.strip() for t in texts):
                continue
            sheet.append(_cells(sheet, [_("What is wrong"), _("Line"), *texts], bold=True))
            header_done = True
            continue
        messages = errors.get(str(line))
        if only_bad and not messages:
            continue
        if not messages and not any(t.strip() for t in texts):
            continue
        sheet.append(_cells(sheet, ["；".join(messages or []), line, *texts], bad=bool(messages)))
    return _save(workbook)


def _cells(sheet: Any, values: list[Any], *, bold: bool = False, bad: bool = False) -> list[Any]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if bold:
            cell.font = _BOLD
        if bad:
            cell.fill = _BAD
        cells.append(cell)
    return cells
