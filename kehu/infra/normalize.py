"""Normalising what people type in China: full-width characters, stray spaces, amounts like
"500万元" or "1.2亿", dates like "2023年5月1日", and phone numbers (CUS-10). Every parser raises
`django.core.exceptions.ValidationError` with a plain-language Chinese-translatable message."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SPACES = re.compile(r"\s+")
# Bidirectional overrides and isolates, zero-width characters and the byte-order mark: they
# change how a name reads on screen (a "right-to-left override" reverses what follows) while
# the stored text stays different, so they are removed from everything people type.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def strip_invisible(value: str) -> str:
    """The text without bidi-override, bidi-isolate and zero-width characters."""
    return _INVISIBLE.sub("", value or "")


def halfwidth(value: str) -> str:
    """Full-width letters, digits and punctuation to their ASCII forms (NFKC), invisible
    characters removed, spaces trimmed."""
    return strip_invisible(unicodedata.normalize("NFKC", value or "")).strip()


def compact_code(value: str) -> str:
    """A code as typed: full-width to half-width, every space and hyphen gone, upper case."""
    return _SPACES.sub("", halfwidth(value)).replace("-", "").upper()


_FULLWIDTH_ALNUM = re.compile(r"[０-９Ａ-Ｚａ-ｚ]")


def clean_text(value: str) -> str:
    """Free text: full-width letters and digits to half-width, runs of spaces (also the
    ideographic space) collapsed, trimmed. Chinese punctuation (，。（）：) is left alone, so
    a name stays exactly as on the licence — NFKC would turn （ into (. Invisible characters
    (`strip_invisible`) are removed."""
    text = _FULLWIDTH_ALNUM.sub(lambda m: chr(ord(m[0]) - 0xFEE0), strip_invisible(value))
    return _SPACES.sub(" ", text).strip()


def within_limit(value: str, limit: int, field: str) -> str:
    """The text when it holds at most `limit` characters; longer text is refused (naming the
    limit), never cut to fit."""
    if len(value) > limit:
        raise ValidationError(
            {
                field: [
                    _("Enter at most %(limit)d characters (this has %(length)d).")
                    % {"limit": limit, "length": len(value)}
                ]
            },
            code="max_length",
        )
    return value


_UNITS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1000)}
_AMOUNT = re.compile(r"^(?P<number>[+-]?\d+(?:\.\d+)?)(?P<unit>万|亿|千)?(?:元|人民币)?$")


def parse_amount(value: str) -> Decimal | None:
    """ "1,000万元" → 10000000, "1.5亿" → 150000000, "￥3,000.50" → 3000.50; blank → None."""
    text = _SPACES.sub("", halfwidth(value)).replace(",", "").replace("，", "")
    text = text.lstrip("¥￥").removeprefix("RMB").removeprefix("CNY")
    if not text:
        return None
    match = _AMOUNT.match(text)
    if not match:
        raise ValidationError(
            _("Enter an amount such as 5000000, 500万 or 1.2亿."), code="invalid_amount"
        )
    try:
        amount = Decimal(match["number"])
    except InvalidOperation:
        raise ValidationError(_("Enter a valid amount."), code="invalid_amount") from None
    if match["unit"]:
        amount *= _UNITS[match["unit"]]
    return amount.quantize(Decimal("0.01"))


_DATE_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?$"),
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
]


def parse_date(value: str | datetime.date | None) -> datetime.date | None:
    """ "2023年5月1日", "2023.5.1", "2023/05/01", "20230501", "2023-05-01"; blank → None."""
    if value is None or isinstance(value, datetime.date):
        return value
    text = _SPACES.sub("", halfwidth(value))
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break
    raise ValidationError(
        _("Enter a date such as 2023-05-01 or 2023年5月1日."), code="invalid_date"
    )


_HYPHEN_EXTENSION = re.compile(r"^(?P<main>[0(+][\d()+\-]*?\d{7,8})-(?P<ext>\d{1,6})$")


def normalize_phone(value: str) -> str:
    """A Chinese mobile ("13812345678"), landline ("010-62345678", extension after "-" or
    "转") or an international number ("+85221234567"). Blank stays blank."""
    text = _SPACES.sub("", halfwidth(value))
    if not text:
        return ""
    text = text.replace("转", " ext. ").replace("分机", " ext. ")
    # An extension after a hyphen, as stored: 010-62345678-8001.
    text = _HYPHEN_EXTENSION.sub(r"\g<main> ext. \g<ext>", text)
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Enter a valid phone number, e.g. 13812345678 or 010-62345678."),
            code="invalid_phone",
        )
    if number.country_code != 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = str(number.national_number)
    area_length = phonenumbers.length_of_geographical_area_code(number)
    formatted = f"0{national[:area_length]}-{national[area_length:]}" if area_length else national
    return f"{formatted}-{number.extension}" if number.extension else formatted


def phone_digits(value: str) -> str:
    """Only the digits, for matching the same phone written in different ways."""
    return re.sub(r"\D", "", value or "")
