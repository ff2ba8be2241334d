"""Reading an imported table (xlsx or CSV in UTF-8 or GB18030) as rows of text, and naming
its columns by their headings: the one reader behind every file import."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kehu.infra.normalize import clean_text


def read_table(name: str, content: bytes) -> list[list[str]]:
    """Every row of the file's first sheet as text (dates as YYYY-MM-DD)."""
    if name.lower().endswith(".xlsx") or content[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as error:  # openpyxl raises many kinds on a damaged file
            raise ValidationError(_("The file is not a readable xlsx workbook.")) from error
        if sheet is None:
            return []
        return [
            [
                "" if v is None else (v.date().isoformat() if hasattr(v, "date") else str(v))
                for v in r
            ]
            for r in sheet.iter_rows(values_only=True)
        ]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("The file is neither UTF-8 nor GB18030 text."))
    return [list(r) for r in csv.reader(io.StringIO(text))]


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
