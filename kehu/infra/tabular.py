"""Reading an imported table: the first sheet of an xlsx workbook (python-calamine) or CSV in
UTF-8, GBK or GB18030 (detected), row by row without holding the whole table as Python
objects. The one reader behind every file import (kehu.generic.importing and the older
per-app imports that name columns with `named_rows`)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kehu.infra.normalize import clean_text

# UTF-8 first: a GB18030 decoder accepts almost any bytes, a UTF-8 decoder does not. GBK is a
# subset of GB18030, so one decoder reads both.
ENCODINGS = ("utf-8-sig", "gb18030")
XLSX_MAGIC = b"PK\x03\x04"


def is_xlsx(name: str, content: bytes) -> bool:
    return name.lower().endswith(".xlsx") or content[:4] == XLSX_MAGIC


def decode_text(content: bytes) -> tuple[str, str]:
    """(text, encoding) of a CSV file's bytes."""
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is neither UTF-8 nor GB18030 text."))


def iter_cells(name: str, content: bytes) -> Iterator[list[Any]]:
    """Each row of the file as its cells: from xlsx text, numbers (float), booleans and dates
    as calamine returns them; from CSV text. Blank cells are ""."""
    if is_xlsx(name, content):
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
            sheet = workbook.get_sheet_by_index(0)
        except Exception as error:  # calamine raises several kinds on a damaged file
            raise ValidationError(_("The file is not a readable xlsx workbook.")) from error
        yield from sheet.iter_rows()
        return
    text, _encoding = decode_text(content)
    yield from csv.reader(io.StringIO(text))


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0" (phone numbers typed as numbers), dates as
    YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def read_table(name: str, content: bytes) -> list[list[str]]:
    """Every row of the file's first sheet as text (dates as YYYY-MM-DD)."""
    return [[cell_text(v) for v in row] for row in iter_cells(name, content)]


def named_rows(
    table: list[list[str]], headings: Mapping[str, str]
) -> tuple[list[str | None], list[tuple[int, dict[str, str]]]]:
    """The columns the first row names (through `headings`, lower-cased) and each further
    non-blank row as (line number, {field: text})."""
    table = [r for r in table if any(str(c).strip() for c in r)]
    if not table:
        return [], []
    columns = [headings.get(clean_text(str(h)).lower()) for h in table[0]]
    rows = [
        (line, {c: str(v) for c, v in zip(columns, cells, strict=False) if c})
        for line, cells in enumerate(table[1:], start=2)
    ]
    return columns, rows
