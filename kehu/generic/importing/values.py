"""Parsers from a cell (text, or a number, date or boolean as the xlsx reader gives it) to a
value, for the columns of an import: dates written the Chinese ways and as Excel serial
numbers, amounts with 万/亿 and thousands separators, choices by label or code, yes/no.
Blank cells give None; a bad value raises ValidationError with a message for the user."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kehu.infra.normalize import clean_text, parse_amount, parse_date, strip_invisible
from kehu.infra.tabular import cell_text

# Excel's day 0 in the 1900 date system (its 1900-02-29 that never was is before day 61).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
_SERIAL = re.compile(r"^\d{4,5}(\.0+)?$")
_YEAR_MONTH = re.compile(r"^(?P<y>\d{4})(?:年|[-/.])(?P<m>\d{1,2})月?$")


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str | None:
    """Free text, trimmed. Full-width letters and digits, runs of spaces and invisible
    characters are the record's own checks' to normalise (as for typed input)."""
    if value.__class__ is str:
        return value.strip() or None
    if blank(value):
        return None
    return clean_text(cell_text(value))


def raw_text(value: Any) -> str | None:
    """Text as given, trimmed (codes and numbers the record's own checks normalise)."""
    if value.__class__ is str:
        return value.strip() or None
    if value is None:
        return None
    return strip_invisible(cell_text(value)).strip() or None


def date(value: Any) -> datetime.date | None:
    """2024年3月5日, 2024/3/5, 2024.3.5, 2024-03-05, 20240305, a date cell or an Excel serial
    number (45356)."""
    if blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(float(value))
    given = clean_text(str(value)).replace(" ", "")
    if _SERIAL.match(given):
        return _from_serial(float(given))
    month = _YEAR_MONTH.match(given)
    if month and 1 <= int(month["m"]) <= 12:
        return datetime.date(int(month["y"]), int(month["m"]), 1)
    return parse_date(given)


def _from_serial(serial: float) -> datetime.date:
    if not 1 <= serial < 2958466:  # 9999-12-31
        raise ValidationError(_("Enter a date such as 2023-05-01 or 2023年5月1日."))
    return EXCEL_EPOCH + datetime.timedelta(days=int(serial))


def amount(value: Any) -> Decimal | None:
    """1,234.50, 500万, 1.2亿元, ￥3,000, or a number cell."""
    if blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return Decimal(repr(value)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise ValidationError(_("Enter a valid amount.")) from None
    return parse_amount(str(value))


def integer(value: Any) -> int | None:
    if blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(clean_text(str(value)).replace(",", "").rstrip("%"))
    except ValueError:
        raise ValidationError(_("Enter a whole number.")) from None


_YES = {"是", "y", "yes", "true", "1", "√", "✓", "对"}
_NO = {"否", "n", "no", "false", "0", "×", "不是"}


def boolean(value: Any) -> bool | None:
    if blank(value):
        return None
    if isinstance(value, bool):
        return value
    given = clean_text(cell_text(value)).lower()
    if given in _YES:
        return True
    if given in _NO:
        return False
    raise ValidationError(_("Enter 是 or 否."))


def choice(options: Mapping[str, Any], message: Any) -> Callable[[Any], Any]:
    """A parser accepting a stored value or any of its labels ({label or value: value}),
    compared without spaces or case; `message` lists what is allowed."""
    from kehu.generic.importing.columns import heading_key

    known = {heading_key(label): stored for label, stored in options.items()}
    exact = dict(options)

    def parse(value: Any) -> Any:
        if blank(value):
            return None
        found = exact.get(value) if isinstance(value, str) else None
        if found is None:
            found = known.get(heading_key(cell_text(value)))
        if found is None:
            raise ValidationError(str(message))
        return found

    return parse
